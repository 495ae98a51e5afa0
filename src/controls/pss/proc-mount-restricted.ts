import { defineDataControl } from '../data/define-data.js';
import { POD_SPEC_EVIDENCE, RESTRICTED } from './common.js';

export default defineDataControl({
  id: 'PSS-proc-mount-restricted',
  title: 'Containers keep the default masked /proc, even in a user namespace',
  section: RESTRICTED,
  severity: 'low',
  frameworks: ['pss-restricted'],
  refs: { pss: 'procMount_restricted' },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Restricted keeps the /proc masks for every pod: a user namespace limits what an unmasked /proc exposes, but does not remove it.',
  remediation: 'Remove securityContext.procMount or set it to Default on every container, init container and ephemeral container.',
  rule: { on: 'container', field: ['securityContext', 'procMount'], require: { unsetOr: ['Default'] }, expected: 'Default or unset' },
});
