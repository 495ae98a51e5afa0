import { defineDataControl } from '../data/define-data.js';
import { BASELINE, POD_SPEC_EVIDENCE } from './common.js';

/**
 * Namespaced sysctls isolated from other pods, as allowed by the latest policy version, 1.37
 * (the steps 1.0 + 1.27 + 1.29 + 1.32 + 1.37). complyd judges against the latest policy only,
 * as PodSecurity does with `latest`: a pod using a 1.37 sysctl passes here even though a
 * namespace pinned to an older version (pod-security.kubernetes.io/enforce-version) rejects it.
 */
const ALLOWED = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
];

export default defineDataControl({
  id: 'PSS-sysctls',
  title: 'Pods set only safe sysctls',
  section: BASELINE,
  severity: 'low',
  frameworks: ['pss-baseline', 'pss-restricted'],
  refs: { pss: 'sysctls' },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Sysctls outside the safe set are not isolated per pod: they can weaken kernel protections or change behaviour for every workload on the node. Kubelets refuse them unless an administrator allowed them.',
  remediation: `Remove spec.securityContext.sysctls entries other than ${ALLOWED.join(', ')}; tune node-wide settings on the node itself.`,
  rule: {
    on: 'pod',
    items: { list: 'securityContext.sysctls', key: 'list' },
    field: ['name'],
    require: { oneOf: ALLOWED },
    expected: `names only from: ${ALLOWED.join(', ')}`,
  },
});
