/**
 * Who is writing a run, and whether that process is provably gone.
 *
 * A run's owner is `host:pid@space`: `space` names the PID space the pid belongs to (on
 * Linux the boot and the PID namespace, so containers, or machines, that share a host name
 * are told apart). A process of the same space can ask the kernel whether that pid still
 * exists; if not, the run will never be finished and can be closed at once. Owners it
 * cannot place (another space, written before owners had one, no space known) are left to
 * the heartbeat lease.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname, uptime } from 'node:os';

const OWNER = /^(.*):(\d+)@([0-9a-f]{16})$/;

let space: { id: string | undefined } | undefined;

/** This process's PID space, or undefined when it cannot be told apart from others. */
export function pidSpace(): string | undefined {
  space ??= { id: computePidSpace() };
  return space.id;
}

function computePidSpace(): string | undefined {
  let parts: string[];
  if (process.platform === 'linux') {
    try {
      parts = [readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), readlinkSync('/proc/self/ns/pid')];
    } catch {
      // Without them two containers named alike would read each other's pids.
      return undefined;
    }
  } else {
    // No PID namespaces: the host and its boot (to the minute; a mismatch only means the lease decides).
    parts = [hostname(), String(Math.round((Date.now() / 1000 - uptime()) / 60))];
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/** The `owner` of runs started by this process. */
export function processOwner(): string {
  const id = pidSpace();
  return `${hostname()}:${process.pid}${id ? `@${id}` : ''}`;
}

/**
 * True only when the owner's process provably no longer exists: same PID space and the
 * kernel says no such process. A live process of another user (EPERM) counts as alive, and
 * so does a recycled pid (the lease then decides).
 */
export function ownerIsGone(owner: string): boolean {
  const m = OWNER.exec(owner);
  const here = pidSpace();
  if (!m || here === undefined || m[3] !== here) return false;
  const pid = Number(m[2]);
  // 0 and negative pids would signal process groups.
  if (!(pid > 0 && pid < 2 ** 31) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
