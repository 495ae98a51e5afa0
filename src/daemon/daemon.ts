/**
 * The daemon as an object: scheduled scans, report jobs and retention over one store, started
 * and stopped by whoever holds it (the CLI, a test). Time comes from an injected clock and
 * slots from an injected scheduler, so tests drive schedules and catch-up with a fake clock;
 * the scan and the report writers are injected too (the composition root builds them).
 */
import type { Logger } from '../core/log.js';
import { errorMessage } from '../core/errors.js';
import type { HistoryReader, RunWriter, ScheduleClaims, StoreIntegrity } from '../store/run-store.js';
import type { LeaseOutcome } from '../store/schedule-claims.js';
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
  /** This daemon's name in slot leases (replicas on one database run each slot once). */
  owner: string;
  /**
   * Slot leases (ADR 0023): held for `durationMs` past each renewal, renewed every `renewMs`
   * while a job runs; replicas look for lapsed scan leases as often, and take those slots over.
   * @default 60 s and 15 s
   */
  lease?: { durationMs: number; renewMs: number };
  /** Scan a missed slot at start. @default true */
  catchUp?: boolean;
  clock?: Clock;
  /** What fires the jobs at their slots. @default node-cron on the wall clock */
  triggers?: TriggerFactory;
  /**
   * One scan of the fleet; `onStart` is called with the run id once it is recorded (and awaited).
   * With `adopt`, the scan finishes that run of a dead daemon instead of beginning one.
   */
  scan(args: { signal: AbortSignal; onStart: (runId: string) => Promise<void>; adopt?: string }): Promise<ScanOutcome>;
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

/** A lapsed scan lease is taken over within this many lease lengths of lapsing, not later. */
const TAKEOVER_WITHIN_LEASES = 10;

export class Daemon {
  private readonly scheduler: Scheduler;
  private readonly clock: Clock;
  private readonly scanJob: ScheduledJob;
  private current: string | undefined;
  private lastScan: DaemonStatus['lastScan'];
  private state: 'new' | 'running' | 'stopped' = 'new';
  private catchingUp: Promise<void> | undefined;
  private readonly lease: { durationMs: number; renewMs: number };
  /** Looks for lapsed scan leases of other daemons, every renewal period. */
  private watch: NodeJS.Timeout | undefined;
  private takingOver: Promise<void> | undefined;
  /** The slots this daemon holds now, by job: released when stopping. */
  private readonly held = new Map<string, Date>();

  constructor(private readonly o: DaemonOptions) {
    this.clock = o.clock ?? systemClock;
    this.lease = o.lease ?? { durationMs: 60_000, renewMs: 15_000 };
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
          const name = `report:${job.name}`;
          if (await this.claim(name, slot)) await this.holding(name, slot, new AbortController(), () => this.reportJob(job.name));
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
    this.watch = setInterval(() => this.lookForLapsedLeases(), this.lease.renewMs);
    this.watch.unref();
    this.lookForLapsedLeases();
    log.info({ owner: this.o.owner, next: this.scheduler.nextRuns() }, 'daemon started');
  }

  /**
   * A scan slot whose holder stopped renewing its lease (it died mid-scan) is taken over here,
   * when this daemon is not scanning itself: its run is finished (ADR 0023).
   */
  private lookForLapsedLeases(): void {
    if (this.state !== 'running' || this.takingOver || this.scheduler.isBusy('scan')) return;
    this.takingOver = (async () => {
      // Slots that lapsed long ago are left as they are (their run interrupted): a scan now
      // would not be that slot's any more.
      const now = this.clock.now();
      const lapsed = await this.o.store.claims.lapsedLeases('scan', now, 1, new Date(now.getTime() - TAKEOVER_WITHIN_LEASES * this.lease.durationMs));
      const slot = lapsed[0]?.slot;
      if (slot && this.state === 'running' && !this.scheduler.isBusy('scan')) await this.scheduler.runNow(this.scanJob, slot);
    })()
      .catch((err: unknown) => this.o.log.warn({ err: errorMessage(err) }, 'could not look for lapsed slot leases'))
      .finally(() => {
        this.takingOver = undefined;
      });
  }

  /**
   * Stop scheduling and let the scan in flight finish within `graceMs`; a scan still going
   * then is recorded as interrupted. The store stays open: its owner closes it.
   */
  async stop(graceMs: number): Promise<{ finished: boolean }> {
    if (this.state !== 'running') return { finished: true };
    this.state = 'stopped';
    clearInterval(this.watch);
    const finished = await this.scheduler.stop(graceMs);
    const current = this.current;
    if (!finished && current) {
      await this.o.store.runs.finishRun(current, 'interrupted', this.clock.now()).catch((err: unknown) => this.o.log.error({ err: errorMessage(err) }, 'could not mark run interrupted'));
      this.o.log.warn({ runId: current }, 'scan did not finish within the grace period; recorded as interrupted');
    }
    // A stopped daemon's slots are done with: its run is closed above, nobody is to take it over.
    for (const [job, slot] of this.held) await this.release(job, slot);
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

  /** The slot's lease, or false when another daemon holds it. */
  private async claim(job: string, slot: Date): Promise<LeaseOutcome | false> {
    const c = await this.o.store.claims.acquireLease(job, slot, this.o.owner, this.clock.now(), this.lease.durationMs);
    if (!c.acquired) {
      this.o.log.info({ job, slot: slot.toISOString(), owner: c.owner }, 'slot taken by another daemon; skipped here');
      return false;
    }
    if (c.takeover) this.o.log.warn({ job, slot: slot.toISOString(), from: c.takeover.from, runId: c.takeover.runId ?? null }, 'slot taken over from a daemon whose lease lapsed');
    return c;
  }

  /**
   * Runs `work` while holding the slot: the lease is renewed every renewMs, and released when
   * the work ends. A renewal that finds the lease gone (this daemon stalled past it and another
   * took the slot over) aborts `control`, so no more clusters are started here.
   */
  private async holding<T>(job: string, slot: Date, control: AbortController, work: () => Promise<T>): Promise<T> {
    const { claims } = this.o.store;
    this.held.set(job, slot);
    const renew = setInterval(() => {
      claims
        .renewLease(job, slot, this.o.owner, this.clock.now(), this.lease.durationMs)
        .then((held) => {
          if (held || control.signal.aborted) return;
          this.o.log.error({ job, slot: slot.toISOString() }, 'slot lease lost to another daemon; stopping here');
          control.abort();
        })
        // One line: the next renewal may well succeed, and the slot is only lost once the lease lapses.
        .catch((err: unknown) => this.o.log.warn({ job, err: errorMessage(err) }, 'slot lease not renewed'));
    }, this.lease.renewMs);
    renew.unref();
    try {
      return await work();
    } finally {
      clearInterval(renew);
      if (this.held.get(job) === slot) await this.release(job, slot);
    }
  }

  private async release(job: string, slot: Date): Promise<void> {
    this.held.delete(job);
    await this.o.store.claims.releaseLease(job, slot, this.o.owner, this.clock.now()).catch((err: unknown) => this.o.log.warn({ job, err: errorMessage(err) }, 'slot lease not released; it lapses on its own'));
  }

  private async reportJob(name: string): Promise<void> {
    const done = await this.o.writeReportJob(name);
    if (!done) this.o.log.warn({ job: name }, 'report job skipped: no finished run in the store yet');
  }

  private async scanRound(signal: AbortSignal, slot: Date): Promise<void> {
    const { log, store } = this.o;
    const lease = await this.claim('scan', slot);
    if (!lease) return;
    const inherited = lease.takeover?.runId;
    const inheritedStatus = inherited !== undefined ? (await store.history.getRun(inherited))?.status : undefined;
    if (inherited !== undefined && inheritedStatus !== 'running' && inheritedStatus !== 'interrupted') {
      // The run ended before its daemon died (it was releasing the slot): nothing to finish.
      log.info({ runId: inherited, slot: slot.toISOString() }, 'slot taken over, but its run had already ended; nothing to finish');
      await this.release('scan', slot);
      return;
    }
    const began = this.clock.now().getTime();
    const control = new AbortController();
    const stopping = () => control.abort();
    if (signal.aborted) control.abort();
    else signal.addEventListener('abort', stopping, { once: true });
    const adopt = inherited;
    // A round that throws is logged by the scheduler and the next slot runs as usual; its run
    // is closed by the scan itself, so it must not stay `current` for a later crash.
    const result = await this.holding('scan', slot, control, () =>
      this.o.scan({
        signal: control.signal,
        onStart: async (id) => {
          this.current = id;
          // Tied to the slot before any cluster is read, so a taker finishes this very run.
          if (id !== adopt) await store.claims.attachRun('scan', slot, this.o.owner, id).catch((err: unknown) => log.warn({ runId: id, err: errorMessage(err) }, 'run not tied to its slot lease'));
        },
        ...(adopt !== undefined ? { adopt } : {}),
      }),
    ).finally(() => {
      this.current = undefined;
      signal.removeEventListener('abort', stopping);
    });
    this.lastScan = { ...result, finishedAt: this.clock.now().toISOString() };
    this.o.onScan?.(result, this.clock.now().getTime() - began);
    const finished = result.status !== 'interrupted' && result.status !== 'failed';
    if (finished) await this.o.writeOutputReports(result.runId);
    // Jobs without a cron of their own run after every scheduled scan.
    for (const job of this.o.reportJobs.filter((j) => j.cron === undefined)) {
      if (!finished || control.signal.aborted) break;
      await this.reportJob(job.name).catch((err: unknown) => log.error({ job: job.name, err: errorMessage(err) }, 'report job failed'));
    }
    if (this.o.retentionMs !== undefined) {
      const pruned = await store.integrity.pruneEvidence(new Date(this.clock.now().getTime() - this.o.retentionMs));
      log.info({ ...pruned }, 'evidence past retention.evidence pruned');
    }
  }
}
