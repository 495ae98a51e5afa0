import { defineDataControl } from '../data/define-data.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';


export default defineDataControl({
  id: 'PSS-host-network',
  title: 'Pods do not share the host network namespace',
  section: BASELINE,
  severity: 'critical',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.5', pss: 'hostNamespaces', nsa: NSA.hostAccess, kubescape: ['C-0041'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A pod on the host network sees every interface of the node, can listen on its ports and reach services bound to the node\'s localhost (kubelet, node agents), and is not isolated by NetworkPolicy.',
  remediation: 'Remove spec.hostNetwork or set it to false; publish the workload through a Service instead of a node port.',
  rule: { on: 'pod', field: ['hostNetwork'], require: { not: true }, expected: 'false or unset' },
});
