import { defineDataControl } from '../data/define-data.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';


export default defineDataControl({
  id: 'PSS-host-ports',
  title: 'Containers do not bind host ports',
  section: BASELINE,
  severity: 'high',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.12', pss: 'hostPorts', nsa: NSA.hostAccess, kubescape: ['C-0044', 'C-0204'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A hostPort opens the container on the node\'s own address, outside Services and most NetworkPolicy setups, and limits scheduling to one such pod per node.',
  remediation: 'Remove ports[].hostPort (or set it to 0) and expose the port through a Service of type ClusterIP, NodePort or LoadBalancer.',
  rule: { on: 'container', items: { list: 'ports', key: 'index' }, field: ['hostPort'], require: { unsetOr: [0] }, expected: 'unset or 0' },
});
