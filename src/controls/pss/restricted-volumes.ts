import { defineControl } from '../define.js';
import { pass } from '../verdicts.js';
import { POD_SPEC_EVIDENCE, RESTRICTED, failFields, type Offender } from './common.js';

/** Volume sources restricted allows: ephemeral or API-provided data, or storage behind a claim. */
const ALLOWED = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const ALLOWED_SET = new Set(ALLOWED);

export default defineControl({
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
  evaluate: (ctx) =>
    ctx.podSubjects.map((s) => {
      const offenders: Offender[] = [];
      for (const v of s.spec.volumes ?? []) {
        // A volume without any source is defaulted to emptyDir by the API server.
        for (const [source, value] of Object.entries(v)) {
          if (source === 'name' || value === undefined || value === null || ALLOWED_SET.has(source)) continue;
          offenders.push({ path: `${s.specPath}.volumes[${v.name}].${source}`, value });
        }
      }
      return offenders.length > 0 ? failFields(s.resource, offenders, `volume sources only of: ${ALLOWED.join(', ')}`) : pass(s.resource);
    }),
});
