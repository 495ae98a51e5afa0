import { defineDataControl } from '../data/define-data.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';


/** The runtime's default capability set minus NET_RAW: what baseline lets a container add. */
const ALLOWED: readonly string[] = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

export default defineDataControl({
  id: 'PSS-capabilities-baseline',
  title: 'Containers add no capability beyond the default set',
  section: BASELINE,
  severity: 'high',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa'],
  refs: { pss: 'capabilities_baseline', nsa: NSA.escalation, kubescape: ['C-0046', 'C-0199'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or NET_RAW give a container kernel powers (mounts, network reconfiguration, tracing, packet forging) that are the usual first step of a container escape. Entries are compared exactly, as PodSecurity admission does: add ["all"] or ["sys_admin"] fails (the runtime grants them whatever the case), and so does ["chown"], which admission rejects though the runtime would read it as CHOWN.',
  remediation: `Remove every entry of securityContext.capabilities.add that is not one of ${ALLOWED.join(', ')}; NET_RAW in particular is not allowed.`,
  rule: {
    on: 'container',
    field: ['securityContext', 'capabilities', 'add'],
    require: { subsetOf: ALLOWED },
    expected: `unset, or only: ${ALLOWED.join(', ')}`,
  },
});
