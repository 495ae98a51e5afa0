import { defineDataControl } from '../data/define-data.js';
import { BASELINE, POD_SPEC_EVIDENCE } from './common.js';

const EXPECTED = 'Default or unset (any value when spec.hostUsers is false)';

export default defineDataControl({
  id: 'PSS-proc-mount',
  title: 'Containers keep the default masked /proc',
  section: BASELINE,
  severity: 'low',
  frameworks: ['pss-baseline', 'pss-restricted'],
  refs: { pss: 'procMount' },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'The runtime masks and makes read-only parts of /proc that expose kernel and host details; procMount Unmasked removes those masks, which matters unless the pod has its own user namespace.',
  remediation: 'Remove securityContext.procMount or set it to Default; if an unmasked /proc is required, also set spec.hostUsers: false.',
  rule: { on: 'container', field: ['securityContext', 'procMount'], require: { unsetOr: ['Default'] }, expected: EXPECTED, userNamespaceAllows: true },
});
