import { defineControl } from '../define.js';
import { pass } from '../verdicts.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE, failFields } from './common.js';

export default defineControl({
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
  evaluate: (ctx) =>
    ctx.podSubjects.map((s) => {
      const offenders = (s.spec.volumes ?? [])
        .filter((v) => v.hostPath !== undefined && v.hostPath !== null)
        .map((v) => ({ path: `${s.specPath}.volumes[${v.name}].hostPath`, value: v.hostPath }));
      return offenders.length > 0 ? failFields(s.resource, offenders, 'no hostPath volume') : pass(s.resource);
    }),
});
