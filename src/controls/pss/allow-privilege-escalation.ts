import { defineDataControl } from '../data/define-data.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED } from './common.js';


export default defineDataControl({
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
  rule: {
    on: 'container',
    field: ['securityContext', 'allowPrivilegeEscalation'],
    require: { equals: false },
    expected: 'false, set explicitly',
    windowsExempt: 'this check does not apply to Windows pods (policy 1.25+)',
  },
});
