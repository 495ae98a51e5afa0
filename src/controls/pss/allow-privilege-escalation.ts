import { defineControl } from '../define.js';
import { containersOf, isWindowsPod } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED, windowsExempt } from './common.js';

export default defineControl({
  id: 'PSS-allow-privilege-escalation',
  title: 'Containers explicitly forbid privilege escalation',
  section: RESTRICTED,
  severity: 'high',
  frameworks: ['pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.6', pss: 'allowPrivilegeEscalation', nsa: NSA.escalation, kubescape: ['C-0016', 'C-0197'] },
  // CIS 5.2.6 judged as PSS restricted does: unset fails, since the runtime then allows escalation.
  // kube-bench passes an unset field (only an explicit true fails); complyd follows PSS.
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent through setuid binaries or file capabilities; the runtime default allows it.',
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral container (unset is not enough).',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) =>
      containersOf(s).map((c) => {
        if (isWindowsPod(s)) return windowsExempt(c.resource, s);
        const value = c.container.securityContext?.allowPrivilegeEscalation;
        return value === false
          ? pass(c.resource)
          : fail(c.resource, `${c.path}.securityContext.allowPrivilegeEscalation`, value, 'false, set explicitly');
      }),
    ),
});
