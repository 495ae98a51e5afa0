import { defineDataControl } from '../data/define-data.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED } from './common.js';

const EXPECTED = 'non-zero or unset, on the pod and every container (any value when spec.hostUsers is false)';

export default defineDataControl({
  id: 'PSS-run-as-user',
  title: 'Containers do not set user ID 0',
  section: RESTRICTED,
  severity: 'medium',
  frameworks: ['pss-restricted', 'nsa'],
  refs: { pss: 'runAsUser', nsa: NSA.nonRoot, kubescape: ['C-0013', 'C-0198'] },
  needs: POD_SPEC_EVIDENCE,
  rationale: 'runAsUser: 0 runs the container as root whatever the image says, and defeats runAsNonRoot\'s purpose.',
  remediation: 'Set runAsUser to a non-zero UID (or remove it) on the pod and every container, or run the pod with spec.hostUsers: false.',
  rule: {
    on: 'container',
    field: ['securityContext', 'runAsUser'],
    require: { not: 0 },
    inheritFromPod: ['securityContext', 'runAsUser'],
    expected: EXPECTED,
    userNamespaceAllows: true,
  },
});
