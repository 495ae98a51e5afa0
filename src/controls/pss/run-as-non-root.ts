import { defineControl } from '../define.js';
import { containersOf, effectiveSetting, inUserNamespace } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED, podLevelFail, podLevelResidue, userNamespacePass } from './common.js';

const EXPECTED = 'true on the container, or on the pod and not false on the container (any value when spec.hostUsers is false)';

export default defineControl({
  id: 'PSS-run-as-non-root',
  title: 'Containers must run as a non-root user',
  section: RESTRICTED,
  severity: 'medium',
  frameworks: ['pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.7', pss: 'runAsNonRoot', nsa: NSA.nonRoot, kubescape: ['C-0013', 'C-0198'] },
  level: 'L2',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'runAsNonRoot makes the kubelet refuse to start a container whose user is root; without it an image that runs as root does so, one kernel bug away from root on the node.',
  remediation:
    'Set spec.securityContext.runAsNonRoot: true (or on every container) and do not set it to false anywhere; build images with a non-root USER, or run the pod with spec.hostUsers: false.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) => {
      const userNs = inUserNamespace(s);
      const verdicts = containersOf(s).map((c) => {
        const eff = effectiveSetting(s, c, 'runAsNonRoot');
        if (eff.value === true) return pass(c.resource);
        return userNs ? userNamespacePass(c.resource, s, EXPECTED) : fail(c.resource, eff.path, eff.value, EXPECTED);
      });
      const pod = s.spec.securityContext?.runAsNonRoot;
      const podPath = `${s.specPath}.securityContext.runAsNonRoot`;
      return [...verdicts, ...podLevelFail(s, podLevelResidue(verdicts, podPath, pod, pod === false && !userNs), EXPECTED)];
    }),
});
