import { defineControl } from '../define.js';
import { containersOf } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';

/** The runtime's default capability set minus NET_RAW: what baseline lets a container add. */
const ALLOWED = [
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
const ALLOWED_SET = new Set(ALLOWED);

export default defineControl({
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
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c) => {
      const add = c.container.securityContext?.capabilities?.add ?? [];
      return add.some((cap) => !ALLOWED_SET.has(cap))
        ? fail(c.resource, `${c.path}.securityContext.capabilities.add`, add, `unset, or only: ${ALLOWED.join(', ')}`)
        : pass(c.resource);
    }),
});
