import { defineControl } from '../define.js';
import { containersOf, effectiveSeccomp } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE, podLevelFail, podLevelResidue, validSeccompType } from './common.js';

const EXPECTED = 'RuntimeDefault, Localhost or unset (not Unconfined)';

export default defineControl({
  id: 'PSS-seccomp-baseline',
  title: 'Seccomp is not disabled for any container',
  section: BASELINE,
  severity: 'medium',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa'],
  refs: { pss: 'seccompProfile_baseline', nsa: NSA.hardening, kubescape: ['C-0055'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A seccomp profile filters the system calls a container can make; an explicit Unconfined profile opens the whole kernel interface, including calls used by known escapes. The annotations seccomp.security.alpha.kubernetes.io/pod and container.seccomp.security.alpha.kubernetes.io/<name> are read where the field is unset, in manifests and on clusters before 1.27, as those API servers copied them into the fields; on 1.27 and later they have no effect and are ignored.',
  remediation: 'Remove seccompProfile settings of type Unconfined (and seccomp annotations with the value unconfined) from the pod and its containers; use the seccompProfile field with RuntimeDefault or a Localhost profile.',
  // The deprecated annotations count where their field is unset, on clusters before 1.27 and in
  // manifests (EvalContext.legacySeccompAnnotations): PodSecurity policy 1.0-1.18 forbade
  // `unconfined` in them, and the API server turned them into the fields.
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) => {
      const verdicts = containersOf(s).map((c) => {
        const eff = effectiveSeccomp(s, c, ctx.legacySeccompAnnotations);
        return eff.type !== undefined && !validSeccompType(eff.type) ? fail(c.resource, eff.path, eff.type, EXPECTED) : pass(c.resource);
      });
      const pod = s.spec.securityContext?.seccompProfile;
      const podPath = `${s.specPath}.securityContext.seccompProfile.type`;
      return [...verdicts, ...podLevelFail(s, podLevelResidue(verdicts, podPath, pod?.type, !!pod && !validSeccompType(pod.type)), EXPECTED)];
    }),
});
