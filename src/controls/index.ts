import type { CatalogControl } from './define.js';
import type { Framework } from '../core/control.js';
import { CONTROL_PLANE_CONTROLS } from './cis/control-plane/index.js';
import { NODE_CONTROLS } from './cis/node/index.js';
import { NODE_FILE_CONTROLS } from './cis/node-files/index.js';
import { POLICY_CONTROLS } from './cis/policies/index.js';
import { HARDENING_CONTROLS, RELIABILITY_CONTROLS } from './hardening/index.js';
import hostNetwork from './pss/host-network.js';
import hostPid from './pss/host-pid.js';
import hostIpc from './pss/host-ipc.js';
import privileged from './pss/privileged.js';
import capabilitiesBaseline from './pss/capabilities-baseline.js';
import hostPathVolumes from './pss/host-path-volumes.js';
import hostPorts from './pss/host-ports.js';
import windowsHostProcess from './pss/windows-host-process.js';
import apparmor from './pss/apparmor.js';
import selinux from './pss/selinux.js';
import procMount from './pss/proc-mount.js';
import seccompBaseline from './pss/seccomp-baseline.js';
import sysctls from './pss/sysctls.js';
import hostProbes from './pss/host-probes.js';
import restrictedVolumes from './pss/restricted-volumes.js';
import allowPrivilegeEscalation from './pss/allow-privilege-escalation.js';
import runAsNonRoot from './pss/run-as-non-root.js';
import runAsUser from './pss/run-as-user.js';
import seccompRestricted from './pss/seccomp-restricted.js';
import capabilitiesRestricted from './pss/capabilities-restricted.js';
import procMountRestricted from './pss/proc-mount-restricted.js';

/**
 * The explicit, ordered registry of controls. Adding a control is adding a file and a line
 * here; the registry test checks ids are unique and every control has fixtures.
 */
export const CONTROLS: readonly CatalogControl[] = [
  // CIS Kubernetes Benchmark v1.12 items that are not a Pod Security Standards check, by section.
  ...NODE_FILE_CONTROLS,
  ...CONTROL_PLANE_CONTROLS,
  ...NODE_CONTROLS,
  ...POLICY_CONTROLS,
  // Pod Security Standards: baseline, in the order of the standard.
  hostNetwork,
  hostPid,
  hostIpc,
  privileged,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  windowsHostProcess,
  apparmor,
  selinux,
  procMount,
  seccompBaseline,
  sysctls,
  hostProbes,
  // Pod Security Standards: restricted.
  restrictedVolumes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccompRestricted,
  capabilitiesRestricted,
  procMountRestricted,
  // Hardening beyond CIS and PSS, then reliability.
  ...HARDENING_CONTROLS,
  ...RELIABILITY_CONTROLS,
];

/** Version of the catalog, recorded with every run so a report names what judged it. */
export const CATALOG_VERSION = '2026.12-4';

export function controlsFor(framework?: Framework): readonly CatalogControl[] {
  return framework ? CONTROLS.filter((c) => c.frameworks.includes(framework)) : CONTROLS;
}
