import { defineDataControl } from '../data/define-data.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';

/** Policy 1.31 added container_engine_t to the types of 1.0. */
const ALLOWED_TYPES = ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

const EXPECTED = `type unset, empty or one of ${ALLOWED_TYPES.join(', ')}; user and role unset or empty`;

const OPTIONS = ['securityContext', 'seLinuxOptions'];

export default defineDataControl({
  id: 'PSS-selinux',
  title: 'SELinux options keep containers in a container domain',
  section: BASELINE,
  severity: 'medium',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa'],
  refs: { pss: 'seLinuxOptions', nsa: NSA.hardening, kubescape: ['C-0055'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'SELinux confines a container through its type; a custom type (spc_t, unconfined_t), user or role can lift that confinement on nodes that enforce SELinux.',
  remediation: `Leave seLinuxOptions unset, or set only type to one of ${ALLOWED_TYPES.join(', ')} (and level, which is allowed); never set user or role.`,
  rule: {
    on: 'container',
    field: [...OPTIONS, 'type'],
    require: { unsetOr: ['', ...ALLOWED_TYPES] },
    also: [
      { field: [...OPTIONS, 'user'], require: { unsetOr: [''] } },
      { field: [...OPTIONS, 'role'], require: { unsetOr: [''] } },
    ],
    // The container's seLinuxOptions replace the pod's as a whole, as the kubelet applies them.
    inheritFromPod: OPTIONS,
    expected: EXPECTED,
  },
});
