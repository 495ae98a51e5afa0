/**
 * The daemon as an object: scheduled scans, report jobs and retention over one store, started
 * and stopped by whoever holds it (the CLI, a test). Time comes from an injected clock and
 * slots from an injected scheduler, so tests drive schedules and catch-up with a fake clock;
 * the scan and the report writers are injected too (the composition root builds them).
 */
import type { Logger } from '../core/log.js';
import { errorMessage } from '../core/errors.js';
import type { HistoryReader, RunWriter, ScheduleClaims, StoreIntegrity } from '../store/run-store.js';
import { Scheduler, previousSlot, type ScheduledJob, type TriggerFactory } from '../schedule/scheduler.js';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** What a scan round reports back: its run and how it ended. */
export interface ScanOutcome {
  runId: string;
  status: 'complete' | 'partial' | 'failed' | 'interrupted';
}

export interface DaemonStore {
  readonly runs: RunWriter;
  readonly history: HistoryReader;
  readonly claims: ScheduleClaims;
  readonly integrity: StoreIntegrity;
}

export interface DaemonOptions {
  schedule: { scan: string; timezone: string };
  /** Report jobs by name; those without a cron run after every scheduled scan. */
  reportJobs: ReadonlyArray<{ name: string; cron?: string | undefined }>;
  /** Blank evidence resolved longer ago than this, after each scan. */
  retentionMs?: number | undefined;
  store: DaemonStore;
  log: Logger;
  /** This daemon's name in slot claims (replicas on one database run each slot once). */
  owner: string;
  /** Scan a missed slot at start. @default true */
  catchUp?: boolean;
  clock?: Clock;
  /** What fires the jobs at their slots. @default node-cron on the wall clock */
  triggers?: TriggerFactory;
  /** One scan of the fleet; `onStart` is called with the run id once it is recorded. */
  scan(args: { signal: AbortSignal; onStart: (runId: string) => void }): Promise<ScanOutcome>;
  /** The reports of `output.formats` for a finished scan. */
  writeOutputReports(runId: string): Promise<void>;
  /** One report job by name; false when there was no finished run to report. */
  writeReportJob(name: string): Promise<boolean>;
  /** Told of each scan round that ended (for metrics), with its duration. */
  onScan?: (outcome: ScanOutcome, durationMs: number) => void;
}

export interface DaemonStatus {
  /** Started and not stopped: the scheduler is alive. */
  running: boolean;
  /** The run in flight, if any. */
  currentRun?: string;
  lastScan?: ScanOutcome & { finishedAt: string };
  next: Array<{ name: string; next: string | null }>;
}

export class Daemon {
  private readonly scheduler: Scheduler;
  private readonly clock: Clock;
  private readonly scanJob: ScheduledJob;
  private current: string | undefined;
  private lastScan: DaemonStatus['lastScan'];
  private state: 'new' | 'running' | 'stopped' = 'new';
  private catchingUp: Promise<void> | undefined;

  constructor(private readonly o: DaemonOptions) {
    this.clock = o.clock ?? systemClock;
    this.scheduler = new Scheduler(o.log, o.triggers);
    this.scanJob = { name: 'scan', cron: o.schedule.scan, timezone: o.schedule.timezone, run: (signal, slot) => this.scanRound(signal, slot) };
  }

  /** Schedule the scan and the report jobs; catch up a slot missed while no daemon ran. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`daemon already ${this.state}`);
    this.state = 'running';
    const { log, schedule } = this.o;
    this.scheduler.add(this.scanJob);
    for (const job of this.o.reportJobs) {
      if (job.cron === undefined) continue;
      this.scheduler.add({
        name: `report:${job.name}`,
        cron: job.cron,
        timezone: schedule.timezone,
        // Never in the middle of a scan: the job reports the run that scan finishes.
        run: async (_signal, slot) => {
          await this.scheduler.idle('scan');
          if (await this.claim(`report:${job.name}`, slot)) await this.reportJob(job.name);
        },
      });
    }
    if (this.o.catchUp ?? true) {
      const last = (await this.o.store.history.listRuns(1))[0];
      const slot = previousSlot(schedule.scan, schedule.timezone, this.clock.now());
      if (slot && (!last || Date.parse(last.startedAt) < slot.getTime())) {
        log.info({ missedSlot: slot.toISOString(), lastRun: last?.startedAt ?? null }, 'catching up a missed scan');
        this.catchingUp = this.scheduler.runNow(this.scanJob, slot);
      }
    }
    log.info({ owner: this.o.owner, next: this.scheduler.nextRuns() }, 'daemon started');
  }

  /**
   * Stop scheduling and let the scan in flight finish within `graceMs`; a scan still going
   * then is recorded as interrupted. The store stays open: its owner closes it.
   */
  async stop(graceMs: number): Promise<{ finished: boolean }> {
    if (this.state !== 'running') return { finished: true };
    this.state = 'stopped';
    const finished = await this.scheduler.stop(graceMs);
    const current = this.current;
    if (!finished && current) {
      await this.o.store.runs.finishRun(current, 'interrupted', this.clock.now()).catch((err: unknown) => this.o.log.error({ err: errorMessage(err) }, 'could not mark run interrupted'));
      this.o.log.warn({ runId: current }, 'scan did not finish within the grace period; recorded as interrupted');
    }
    return { finished };
  }

  /** Resolves once no scan or report job is running (the catch-up scan included). */
  async idle(): Promise<void> {
    await this.catchingUp;
    await this.scheduler.idle('scan');
    for (const job of this.o.reportJobs) if (job.cron !== undefined) await this.scheduler.idle(`report:${job.name}`);
  }

  /** The run being written now, for a crash handler that must close it. */
  currentRun(): string | undefined {
    return this.current;
  }

  status(): DaemonStatus {
    return {
      running: this.state === 'running',
      ...(this.current ? { currentRun: this.current } : {}),
      ...(this.lastScan ? { lastScan: this.lastScan } : {}),
      next: this.scheduler.nextRuns().map((r) => ({ name: r.name, next: r.next?.toISOString() ?? null })),
    };
  }

  private async claim(job: string, slot: Date): Promise<boolean> {
    const c = await this.o.store.claims.claimSlot(job, slot, this.o.owner, this.clock.now());
    if (!c.claimed) this.o.log.info({ job, slot: slot.toISOString(), owner: c.owner }, 'slot taken by another daemon; skipped here');
    return c.claimed;
  }

  private async reportJob(name: string): Promise<void> {
    const done = await this.o.writeReportJob(name);
    if (!done) this.o.log.warn({ job: name }, 'report job skipped: no finished run in the store yet');
  }

  private async scanRound(signal: AbortSignal, slot: Date): Promise<void> {
    const { log, store } = this.o;
    if (!(await this.claim('scan', slot))) return;
    const began = this.clock.now().getTime();
    // A round that throws is logged by the scheduler and the next slot runs as usual; its run
    // is closed by the scan itself, so it must not stay `current` for a later crash.
    const result = await this.o
      .scan({
        signal,
        onStart: (id) => {
          this.current = id;
        },
      })
      .finally(() => {
        this.current = undefined;
      });
    this.lastScan = { ...result, finishedAt: this.clock.now().toISOString() };
    this.o.onScan?.(result, this.clock.now().getTime() - began);
    const finished = result.status !== 'interrupted' && result.status !== 'failed';
    if (finished) await this.o.writeOutputReports(result.runId);
    // Jobs without a cron of their own run after every scheduled scan.
    for (const job of this.o.reportJobs.filter((j) => j.cron === undefined)) {
      if (!finished || signal.aborted) break;
      await this.reportJob(job.name).catch((err: unknown) => log.error({ job: job.name, err: errorMessage(err) }, 'report job failed'));
    }
    if (this.o.retentionMs !== undefined) {
      const pruned = await store.integrity.pruneEvidence(new Date(this.clock.now().getTime() - this.o.retentionMs));
      log.info({ ...pruned }, 'evidence past retention.evidence pruned');
    }
  }
}
