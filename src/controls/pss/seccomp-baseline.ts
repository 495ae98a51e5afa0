import { defineControl } from '../define.js';
import { containersOf, effectiveSetting } from '../../evaluate/pod-specs.js';
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
    'A seccomp profile filters the system calls a container can make; an explicit Unconfined profile opens the whole kernel interface, including calls used by known escapes.',
  remediation: 'Remove seccompProfile settings of type Unconfined from the pod and its containers; use RuntimeDefault or a Localhost profile.',
  // Deprecated seccomp annotations are not read: current API servers and kubelets ignore them,
  // and PodSecurity policy 1.19+ judges the fields only.
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) => {
      const verdicts = containersOf(s).map((c) => {
        const eff = effectiveSetting(s, c, 'seccompProfile');
        return eff.value && !validSeccompType(eff.value.type)
          ? fail(c.resource, `${eff.path}.type`, eff.value.type, EXPECTED)
          : pass(c.resource);
      });
      const pod = s.spec.securityContext?.seccompProfile;
      const podPath = `${s.specPath}.securityContext.seccompProfile.type`;
      return [...verdicts, ...podLevelFail(s, podLevelResidue(verdicts, podPath, pod?.type, !!pod && !validSeccompType(pod.type)), EXPECTED)];
    }),
});
