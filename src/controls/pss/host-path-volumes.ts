import { defineDataControl } from '../data/define-data.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';


export default defineDataControl({
  id: 'PSS-host-path-volumes',
  title: 'Pods mount no hostPath volumes',
  section: BASELINE,
  severity: 'high',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.11', pss: 'hostPathVolumes', nsa: NSA.hostAccess, kubescape: ['C-0048', 'C-0203'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A hostPath volume exposes the node\'s filesystem to the container: the container runtime socket, kubelet credentials or /etc are each enough to take over the node.',
  remediation:
    'Replace hostPath volumes with emptyDir, configMap, secret, projected or persistentVolumeClaim volumes; node agents that truly need the host belong in a dedicated, exempted namespace.',
  rule: { on: 'pod', items: { list: 'volumes', key: 'name' }, field: ['hostPath'], require: { unsetOr: [] }, expected: 'no hostPath volume' },
});
