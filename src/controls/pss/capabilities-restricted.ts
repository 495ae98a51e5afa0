import { defineDataControl } from '../data/define-data.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED } from './common.js';

const EXPECTED = 'drop includes ALL; add unset or only NET_BIND_SERVICE';

export default defineDataControl({
  id: 'PSS-capabilities-restricted',
  title: 'Containers drop all capabilities and add at most NET_BIND_SERVICE',
  section: RESTRICTED,
  severity: 'high',
  frameworks: ['pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.9', pss: 'capabilities_restricted', nsa: NSA.escalation, kubescape: ['C-0046', 'C-0201'] },
  // L1 as in the v1.12 transcription; the v1.10 and v2.0.1 transcriptions say L2.
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Even the runtime\'s default capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW...) widen what a compromised process can do; almost no workload needs more than binding low ports. Names are compared exactly, as PodSecurity admission compares them: drop ["all"] does not count as dropping ALL and add ["net_bind_service"] is not NET_BIND_SERVICE, though containerd and CRI-O would read both case-insensitively; admission rejects such pods in a restricted namespace, so complyd fails them (see CIS-5.2.8 for the catalog-wide rule).',
  remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container and add back only NET_BIND_SERVICE where a port below 1024 is needed.',
  rule: {
    on: 'container',
    field: ['securityContext', 'capabilities', 'drop'],
    require: { containsAny: ['ALL'] },
    also: [{ field: ['securityContext', 'capabilities', 'add'], require: { subsetOf: ['NET_BIND_SERVICE'] } }],
    expected: EXPECTED,
    windowsExempt: 'this check does not apply to Windows pods (policy 1.25+)',
  },
});
