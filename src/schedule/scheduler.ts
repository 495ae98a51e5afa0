import cron from 'node-cron';
import type { Logger } from '../core/log.js';
import { errorMessage } from '../core/errors.js';

export interface ScheduledJob {
  name: string;
  cron: string;
  timezone: string;
  /**
   * The job's work. Receives a signal that is aborted on shutdown, and the slot: the
   * scheduled time it runs for (the same in every daemon sharing the schedule).
   */
  run: (signal: AbortSignal, slot: Date) => Promise<void>;
}

/** What fires a job at its slots: node-cron in production, a fake clock in tests. */
export interface Trigger {
  /** The next slot it will fire, if known. */
  next(): Date | null;
  stop(): Promise<void>;
}
export type TriggerFactory = (job: ScheduledJob, fire: (slot: Date) => void) => Trigger;

/** Wall-clock triggers: node-cron tasks on the job's expression and time zone. */
export const cronTriggers: TriggerFactory = (job, fire) => {
  const task = cron.createTask(job.cron, (ctx) => fire(ctx.date), { name: job.name, timezone: job.timezone });
  void task.start();
  return {
    next: () => task.getNextRun(),
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
  };
};

/** Whether a time is one of the expression's slots (to the second for 6-field expressions, else to the minute). */
export function slotMatcher(expression: string, timezone: string): (at: Date) => boolean {
  const task = cron.createTask(expression, () => undefined, { timezone });
  return (at) => task.match(at);
}

/**
 * Owns time: runs jobs on their cron expressions, never overlapping a job with itself (a run
 * still going when the next slot comes is skipped and logged), and stops gracefully: no new
 * run starts, the run in flight is told to stop and awaited.
 */
export class Scheduler {
  private readonly triggers: Array<{ name: string; trigger: Trigger }> = [];
  private readonly busy = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly log: Logger,
    private readonly triggerFor: TriggerFactory = cronTriggers,
  ) {}

  add(job: ScheduledJob): void {
    const trigger = this.triggerFor(job, (slot) => void this.runNow(job, slot));
    this.triggers.push({ name: job.name, trigger });
    this.log.info({ job: job.name, cron: job.cron, next: trigger.next()?.toISOString() }, 'job scheduled');
  }

  /** Run a job now (its slot came, or to catch up at start-up); skipped if it is already running. */
  async runNow(job: ScheduledJob, slot: Date = new Date()): Promise<void> {
    if (this.stopping.signal.aborted) return;
    if (this.busy.has(job.name)) {
      this.log.warn({ job: job.name }, 'previous run still in progress; slot skipped');
      return;
    }
    const p = job
      .run(this.stopping.signal, slot)
      .catch((err: unknown) => this.log.error({ job: job.name, err: errorMessage(err) }, 'job failed'))
      .finally(() => this.busy.delete(job.name));
    this.busy.set(job.name, p);
    this.inFlight.add(p);
    try {
      await p;
    } finally {
      this.inFlight.delete(p);
    }
  }

  /** Whether the named job is running now. */
  isBusy(name: string): boolean {
    return this.busy.has(name);
  }

  /** Resolves once the named job is not running (at once if it is not). Errors are the job's own business. */
  async idle(name: string): Promise<void> {
    for (let p = this.busy.get(name); p; p = this.busy.get(name)) await p;
  }

  nextRuns(): Array<{ name: string; next: Date | null }> {
    return this.triggers.map((t) => ({ name: t.name, next: t.trigger.next() }));
  }

  /** Stop scheduling, signal running jobs, and wait for them (at most graceMs). Returns true if all finished. */
  async stop(graceMs: number): Promise<boolean> {
    for (const t of this.triggers) await t.trigger.stop();
    this.stopping.abort();
    const all = Promise.all([...this.inFlight]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), graceMs);
    });
    const finished = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return finished;
  }
}

/**
 * The most recent time at or before `now` that matches the cron expression, searched minute
 * by minute over `lookbackMs`. Used to decide whether a slot was missed while the daemon was down.
 */
export function previousSlot(expression: string, timezone: string, now: Date, lookbackMs = 8 * 86_400_000): Date | undefined {
  const task = cron.createTask(expression, () => undefined, { timezone });
  try {
    const t = new Date(now);
    t.setUTCSeconds(0, 0);
    for (let ms = t.getTime(); ms >= now.getTime() - lookbackMs; ms -= 60_000) {
      const d = new Date(ms);
      if (task.match(d)) return d;
    }
    return undefined;
  } finally {
    void task.destroy();
  }
}
