import { defineDataControl } from '../data/define-data.js';
import { POD_SPEC_EVIDENCE, RESTRICTED } from './common.js';

/** Volume sources restricted allows: ephemeral or API-provided data, or storage behind a claim. */
const ALLOWED = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

/** Every field of core/v1 Volume: its name and each volume source the API knows. */
const VOLUME_FIELDS = [
  'name',
  ...ALLOWED,
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'gitRepo',
  'glusterfs',
  'hostPath',
  'iscsi',
  'nfs',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
];

export default defineDataControl({
  id: 'PSS-restricted-volumes',
  title: 'Pods use only ephemeral, projected or claimed volume types',
  section: RESTRICTED,
  severity: 'low',
  frameworks: ['pss-restricted'],
  refs: { pss: 'restrictedVolumes', kubescape: ['C-0048'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Inline volume sources (hostPath, nfs, iscsi, rbd, gitRepo, cloud disks...) let a pod reach storage directly, bypassing the PersistentVolume permissions that administrators control.',
  remediation: `Use only ${ALLOWED.join(', ')} volumes; reach network or cloud storage through a PersistentVolumeClaim or a CSI driver.`,
  // A volume without any source is defaulted to emptyDir by the API server, so it passes; a
  // key the API does not know fails in the scan (admission never sees one: it is dropped).
  rule: {
    on: 'pod',
    items: { list: 'volumes', key: 'name' },
    field: [],
    require: { keysAmong: ['name', ...ALLOWED], known: VOLUME_FIELDS },
    expected: `volume sources only of: ${ALLOWED.join(', ')}`,
  },
});
