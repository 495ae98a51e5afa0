import { defineDataControl } from '../data/define-data.js';
import { BASELINE, POD_SPEC_EVIDENCE } from './common.js';

const EXPECTED = 'false or unset, on the pod and on every container';

export default defineDataControl({
  id: 'PSS-windows-host-process',
  title: 'Windows pods do not run as HostProcess containers',
  section: BASELINE,
  severity: 'critical',
  frameworks: ['pss-baseline', 'pss-restricted', 'cis-1.12'],
  refs: { cis: '5.2.10', pss: 'windowsHostProcess', kubescape: ['C-0202'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A Windows HostProcess container runs directly on the node as a host process, with the host\'s network and filesystem: the Windows equivalent of a privileged container.',
  remediation:
    'Remove securityContext.windowsOptions.hostProcess or set it to false on the pod and on every container; run node-management tools in an exempted namespace.',
  rule: {
    on: 'container',
    field: ['securityContext', 'windowsOptions', 'hostProcess'],
    require: { not: true },
    // Windows options are merged field by field: a container's own hostProcess wins.
    inheritFromPod: ['securityContext', 'windowsOptions', 'hostProcess'],
    expected: EXPECTED,
  },
});
