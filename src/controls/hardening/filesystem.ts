import { defineDataControl } from '../data/define-data.js';
import { NSA_THEME, SECTION, WORKLOAD_EVIDENCE } from './common.js';


export const readOnlyRootFilesystem = defineDataControl({
  id: 'HARD-read-only-root-filesystem',
  title: 'Containers run with a read-only root filesystem',
  section: SECTION.containers,
  severity: 'medium',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.immutable, kubescape: ['C-0017'] },
  needs: WORKLOAD_EVIDENCE,
  rationale:
    'The NSA/CISA guide asks for immutable container filesystems: an attacker who cannot write to the image\'s filesystem cannot drop tools or change binaries and configuration, and what a container writes goes to volumes that are declared and visible. Every container is judged, init and ephemeral included (Kubescape judges ephemeral containers of bare Pods only, Trivy KSV014 containers and init containers, Polaris no ephemeral ones). Only the container field counts: PodSecurityContext has no readOnlyRootFilesystem (the API server drops it), though Polaris (notReadOnlyRootFilesystem) accepts it on the pod. Windows pods are not applicable: Windows containers do not support the setting.',
  remediation: 'Set securityContext.readOnlyRootFilesystem: true on every container and mount an emptyDir where the program must write (/tmp, caches).',
  rule: {
    on: 'container',
    field: ['securityContext', 'readOnlyRootFilesystem'],
    require: { equals: true },
    expected: 'true',
    windowsExempt: 'readOnlyRootFilesystem is not supported for Windows containers',
  },
});
