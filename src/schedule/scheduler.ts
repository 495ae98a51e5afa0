import cron, { type ScheduledTask } from 'node-cron';
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

/**
 * Owns time: runs jobs on their cron expressions, never overlapping a job with itself (a run
 * still going when the next slot comes is skipped and logged), and stops gracefully: no new
 * run starts, the run in flight is told to stop and awaited.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly busy = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly log: Logger) {}

  add(job: ScheduledJob): void {
    const task = cron.createTask(job.cron, (ctx) => this.runNow(job, ctx.date), { name: job.name, timezone: job.timezone });
    this.tasks.push(task);
    void task.start();
    this.log.info({ job: job.name, cron: job.cron, next: task.getNextRun()?.toISOString() }, 'job scheduled');
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

  /** Resolves once the named job is not running (at once if it is not). Errors are the job's own business. */
  async idle(name: string): Promise<void> {
    for (let p = this.busy.get(name); p; p = this.busy.get(name)) await p;
  }

  nextRuns(): Array<{ name: string; next: Date | null }> {
    return this.tasks.map((t) => ({ name: t.name ?? t.id, next: t.getNextRun() }));
  }

  /** Stop scheduling, signal running jobs, and wait for them (at most graceMs). Returns true if all finished. */
  async stop(graceMs: number): Promise<boolean> {
    for (const t of this.tasks) await t.stop();
    this.stopping.abort();
    const all = Promise.all([...this.inFlight]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), graceMs);
    });
    const finished = await Promise.race([all, timeout]);
    clearTimeout(timer);
    for (const t of this.tasks) await t.destroy();
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
