import { defineDataControl } from '../data/define-data.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';


export default defineDataControl({
  id: 'PSS-host-ipc',
  title: 'Pods do not share the host IPC namespace',
  section: BASELINE,
  severity: 'high',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.4', pss: 'hostNamespaces', nsa: NSA.hostAccess, kubescape: ['C-0038', 'C-0276'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'With hostIPC a container can read and write the shared memory segments and message queues of every process on the node, including other tenants\' data.',
  remediation: 'Remove spec.hostIPC or set it to false; share memory between containers of one pod through an emptyDir with medium Memory.',
  rule: { on: 'pod', field: ['hostIPC'], require: { not: true }, expected: 'false or unset' },
});
