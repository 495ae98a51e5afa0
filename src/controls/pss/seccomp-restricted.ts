import { defineControl } from '../define.js';
import { containersOf, effectiveSeccomp, isWindowsPod } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED, podLevelFail, podLevelResidue, validSeccompType, windowsExempt } from './common.js';

const EXPECTED = 'RuntimeDefault or Localhost, set on the pod or on the container';

export default defineControl({
  id: 'PSS-seccomp-restricted',
  title: 'Every container runs with a seccomp profile',
  section: RESTRICTED,
  severity: 'medium',
  frameworks: ['pss-restricted', 'nsa'],
  refs: { pss: 'seccompProfile_restricted', nsa: NSA.hardening, kubescape: ['C-0210', 'C-0055'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Without a profile a container runs Unconfined unless the kubelet applies seccompDefault; the runtime\'s default profile blocks rarely needed system calls that many kernel exploits rely on. In manifests and on clusters before 1.27 the seccomp annotations (runtime/default, docker/default, localhost/<profile>) count where the field is unset, as those API servers copied them into the field when the pod was created; PodSecurity admission judges the fields only, so a pod relying on the annotation is admitted there only after that copy.',
  remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a profile) and do not set Unconfined on any container.',
  // Annotations of older clusters count where the field is unset (see PSS-seccomp-baseline).
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) => {
      if (isWindowsPod(s)) return containersOf(s).map((c) => windowsExempt(c.resource, s));
      const verdicts = containersOf(s).map((c) => {
        const eff = effectiveSeccomp(s, c, ctx.legacySeccompAnnotations);
        return validSeccompType(eff.type) ? pass(c.resource) : fail(c.resource, eff.path, eff.type, EXPECTED);
      });
      const pod = s.spec.securityContext?.seccompProfile;
      const podPath = `${s.specPath}.securityContext.seccompProfile.type`;
      return [...verdicts, ...podLevelFail(s, podLevelResidue(verdicts, podPath, pod?.type, !!pod && !validSeccompType(pod.type)), EXPECTED)];
    }),
});
