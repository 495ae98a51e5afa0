import { defineDataControl } from '../data/define-data.js';
import { POD_SPEC_EVIDENCE } from './common.js';

export default defineDataControl({
  id: 'PSS-privileged',
  title: 'Containers do not run privileged',
  section: 'Pod Security Standards: baseline',
  severity: 'critical',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.2', pss: 'privileged', nsa: 'Pod security: privileged containers', kubescape: ['C-0057', 'C-0193'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A privileged container has every capability of the host and can reach its devices; one compromised process is a compromised node.',
  remediation: 'Remove securityContext.privileged or set it to false on every container, init container and ephemeral container.',
  rule: { on: 'container', field: ['securityContext', 'privileged'], require: { not: true }, expected: 'false or unset' },
});
