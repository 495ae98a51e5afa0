import { defineControl } from '../define.js';
import { containersOf, effectiveSetting, inUserNamespace } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED, podLevelFail, podLevelResidue, userNamespacePass } from './common.js';

const EXPECTED = 'non-zero or unset, on the pod and every container (any value when spec.hostUsers is false)';

export default defineControl({
  id: 'PSS-run-as-user',
  title: 'Containers do not set user ID 0',
  section: RESTRICTED,
  severity: 'medium',
  frameworks: ['pss-restricted', 'nsa'],
  refs: { pss: 'runAsUser', nsa: NSA.nonRoot, kubescape: ['C-0013', 'C-0198'] },
  needs: POD_SPEC_EVIDENCE,
  rationale: 'runAsUser: 0 runs the container as root whatever the image says, and defeats runAsNonRoot\'s purpose.',
  remediation: 'Set runAsUser to a non-zero UID (or remove it) on the pod and every container, or run the pod with spec.hostUsers: false.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) => {
      const userNs = inUserNamespace(s);
      const verdicts = containersOf(s).map((c) => {
        const eff = effectiveSetting(s, c, 'runAsUser');
        if (eff.value !== 0) return pass(c.resource);
        return userNs ? userNamespacePass(c.resource, s, EXPECTED) : fail(c.resource, eff.path, 0, EXPECTED);
      });
      const pod = s.spec.securityContext?.runAsUser;
      const podPath = `${s.specPath}.securityContext.runAsUser`;
      return [...verdicts, ...podLevelFail(s, podLevelResidue(verdicts, podPath, pod, pod === 0 && !userNs), EXPECTED)];
    }),
});
