/**
 * Liveness and readiness. /healthz: the process answers. /readyz: the store answers a read
 * and, in a daemon, the scheduler runs and the latest successful scan is not older than
 * `readySlots` scan slots (a daemon younger than that is given the time to scan).
 */
import { previousSlot } from '../schedule/scheduler.js';
import { errorMessage } from '../core/errors.js';
import type { HistoryReader } from '../store/run-store.js';

export interface SchedulerHealth {
  /** Whether the daemon is started and not stopped. */
  running(): boolean;
  startedAt: Date;
  schedule: { scan: string; timezone: string };
  readySlots: number;
}

export interface Check {
  name: string;
  ok: boolean;
  message: string;
}

/** The start of the `n`th scan slot back from `now` (1: the latest slot), if within 8 days each. */
export function slotsBack(schedule: { scan: string; timezone: string }, now: Date, n: number): Date | undefined {
  let at: Date | undefined = now;
  for (let i = 0; i < n && at; i++) {
    const slot: Date | undefined = previousSlot(schedule.scan, schedule.timezone, at);
    at = slot && i < n - 1 ? new Date(slot.getTime() - 1000) : slot;
  }
  return at;
}

export async function readiness(history: HistoryReader, now: Date, scheduler: SchedulerHealth | undefined, timed: <T>(read: () => Promise<T>) => Promise<T>): Promise<{ ready: boolean; checks: Check[] }> {
  const checks: Check[] = [];
  let latest: string | undefined;
  try {
    latest = (await timed(() => history.latestRun()))?.startedAt;
    checks.push({ name: 'store', ok: true, message: 'the store answers' });
  } catch (err) {
    checks.push({ name: 'store', ok: false, message: `the store does not answer: ${errorMessage(err)}` });
  }
  if (scheduler) {
    const running = scheduler.running();
    checks.push({ name: 'scheduler', ok: running, message: running ? 'the scheduler runs' : 'the scheduler is stopped' });
    const oldest = slotsBack(scheduler.schedule, now, scheduler.readySlots);
    if (oldest && scheduler.startedAt < oldest && (latest === undefined || Date.parse(latest) < oldest.getTime())) {
      checks.push({ name: 'last-scan', ok: false, message: `no successful scan since ${oldest.toISOString()} (${scheduler.readySlots} slots of "${scheduler.schedule.scan}"); the latest: ${latest ?? 'none'}` });
    } else checks.push({ name: 'last-scan', ok: true, message: latest ? `latest successful scan started ${latest}` : 'no scan yet; the daemon is younger than the slots allowed' });
  }
  return { ready: checks.every((c) => c.ok), checks };
}
