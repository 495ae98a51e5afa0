import { defineDataControl } from '../data/define-data.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';


export default defineDataControl({
  id: 'PSS-host-pid',
  title: 'Pods do not share the host process namespace',
  section: BASELINE,
  severity: 'critical',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.3', pss: 'hostNamespaces', nsa: NSA.hostAccess, kubescape: ['C-0038', 'C-0275'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'With hostPID a container sees every process of the node, can read their environment and signal them, and with ptrace or a privileged helper can enter them: a short path to the node.',
  remediation: 'Remove spec.hostPID or set it to false; use a debug container or node-level tooling for process inspection.',
  rule: { on: 'pod', field: ['hostPID'], require: { not: true }, expected: 'false or unset' },
});
