import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ClusterScan } from '../core/types.js';
import type { SqlDialect } from './dialect.js';
import { recordClusterIn } from './record.js';
import { ownerIsGone, processOwner } from './run-owner.js';
import { RUNS, RUN_CLUSTERS, isoTimestamp } from './run-rows.js';
import type { BeginRunInput, FinalRunStatus, RecordClusterOptions, RunStatus } from './run-types.js';
import { StoreError, attempt, causeMessage, isForeignKeyViolation, isUniqueViolation } from './store-error.js';

/**
 * Writing runs: beginRun, then recordCluster once per cluster (each atomic), heartbeat while
 * it lasts, finishRun at the end.
 *
 * Findings are kept as lifecycles (episodes: first seen, last seen, resolved, reopened), not
 * as a copy per run, and counts as spans that last while they do not change, so an unchanged
 * scan adds one row per cluster. Each cluster's scans form a hash chain.
 */
export interface RunWriter {
  beginRun(input: BeginRunInput): Promise<string>;
  /**
   * One transaction: the cluster is recorded whole or not at all. Twice for one run is an error.
   * Applies its finding lifecycles (see lifecycle.ts) unless the cluster failed.
   */
  recordCluster(runId: string, scan: ClusterScan, options?: RecordClusterOptions): Promise<void>;
  /** Ends a running run (of `owner`, when given); an error if the run is unknown, no longer running or another's. */
  finishRun(runId: string, status: FinalRunStatus, now: Date, owner?: string): Promise<void>;
  /** Returns false when the run is no longer running (finished, or taken over as interrupted). */
  heartbeat(runId: string, now: Date): Promise<boolean>;
  /**
   * Running runs that will never be finished become interrupted, with their last heartbeat as
   * end: those whose owner is provably gone (`ownerGone`, by default a dead pid of this PID
   * space, see run-owner.ts) and those whose heartbeat is older than staleAfterMs (the lease,
   * for owners elsewhere). Returns their ids.
   */
  markAbandonedRuns(now: Date, staleAfterMs: number, ownerGone?: (owner: string) => boolean): Promise<string[]>;
  /**
   * A daemon that took a slot over makes the run of the slot's dead holder its own (ADR 0023):
   * the run, running or interrupted (its holder found gone), runs again under `owner` with a
   * fresh heartbeat, and the clusters it already recorded are returned so that only the others
   * are scanned. A run that ended otherwise is left as it is: its status is returned.
   */
  adoptRun(runId: string, owner: string, now: Date): Promise<AdoptedRun>;
}

/** What adoptRun found: the run taken on with the clusters it holds, or the status it ended with. */
export type AdoptedRun = { adopted: true; recorded: Array<{ cluster: string; status: ClusterScan['status'] }> } | { adopted: false; status: RunStatus | 'missing' };

export { processOwner } from './run-owner.js';

export class KnexRunWriter implements RunWriter {
  /** Heartbeats still waiting (behind a long recordCluster, say): a new beat joins its run's. */
  private readonly beating = new Map<string, Promise<boolean>>();

  constructor(
    private readonly db: Knex,
    private readonly dialect: SqlDialect,
  ) {}

  async beginRun(input: BeginRunInput): Promise<string> {
    const id = randomUUID();
    const now = isoTimestamp(input.now, 'now');
    await attempt('cannot begin run', () =>
      this.db.transaction(async (trx) => {
        await trx(RUNS).insert({
          id,
          seq: await this.dialect.nextSeq(trx),
          started_at: now,
          finished_at: null,
          status: 'running' satisfies RunStatus,
          trigger: input.trigger,
          catalog_version: input.catalogVersion,
          complyd_version: input.complydVersion,
          cluster_count: input.clusterCount,
          owner: input.owner,
          heartbeat_at: now,
          exceptions_digest: input.exceptionsDigest ?? null,
        });
      }),
    );
    return id;
  }

  async recordCluster(runId: string, scan: ClusterScan, options: RecordClusterOptions = {}): Promise<void> {
    const where = `cluster ${scan.cluster} of run ${runId}`;
    try {
      await this.db.transaction((trx) => recordClusterIn(trx, this.dialect, runId, scan, options));
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (isUniqueViolation(err)) {
        throw new StoreError(`cannot record ${where}: already recorded`, { cause: err });
      }
      if (isForeignKeyViolation(err)) {
        throw new StoreError(`cannot record ${where}: no such run`, { cause: err });
      }
      throw new StoreError(`cannot record ${where}: ${causeMessage(err)}`, { cause: err });
    }
  }

  async finishRun(runId: string, status: FinalRunStatus, now: Date, owner?: string): Promise<void> {
    const at = isoTimestamp(now, 'now');
    const updated = await attempt(`cannot finish run ${runId}`, () =>
      this.db(RUNS)
        .where({ id: runId, status: 'running', ...(owner !== undefined ? { owner } : {}) })
        .update({ status, finished_at: at, heartbeat_at: at }),
    );
    if (updated === 1) return;
    const run = await attempt(`cannot finish run ${runId}`, () => this.db(RUNS).select('status', 'owner').where({ id: runId }).first<{ status: RunStatus; owner: string } | undefined>());
    if (run?.status === 'running') throw new StoreError(`cannot finish run ${runId} as ${status}: it was taken over by ${run.owner}`);
    throw new StoreError(
      run ? `cannot finish run ${runId} as ${status}: it is already ${run.status}` : `cannot finish run ${runId}: no such run`,
    );
  }

  heartbeat(runId: string, now: Date): Promise<boolean> {
    // While recordCluster holds the write lock (SQLite) or the run row (PostgreSQL), a beat
    // waits; beats that come meanwhile would only queue more writes of the same row behind it.
    const pending = this.beating.get(runId);
    if (pending) return pending;
    const at = isoTimestamp(now, 'now');
    const beat = attempt(`cannot record heartbeat of run ${runId}`, () =>
      this.db(RUNS)
        .where({ id: runId, status: 'running' })
        .update({ heartbeat_at: this.db.raw('CASE WHEN heartbeat_at > ? THEN heartbeat_at ELSE ? END', [at, at]) }),
    )
      .then((updated) => updated === 1)
      .finally(() => this.beating.delete(runId));
    this.beating.set(runId, beat);
    return beat;
  }

  async markAbandonedRuns(now: Date, staleAfterMs: number, ownerGone: (owner: string) => boolean = ownerIsGone): Promise<string[]> {
    const cutoff = isoTimestamp(new Date(now.getTime() - staleAfterMs), 'now - staleAfterMs');
    const what = 'cannot mark abandoned runs';
    const self = processOwner();
    // This process's own runs are alive by definition: a run it is writing (a long recordCluster
    // holds back its heartbeats) is never taken over by itself.
    const running = ((await attempt(what, () => this.db(RUNS).select('id', 'owner').where({ status: 'running' }))) as Array<{ id: string; owner: string }>).filter(
      (r) => r.owner !== self,
    );
    // A daemon's run whose slot lease lapsed unreleased has a holder that is gone (ADR 0023): it
    // is interrupted now, and reopened by the replica that takes the slot over. A live lease
    // proves its holder alive, whatever the run's heartbeat says.
    // Write only when there is something to close: `history` calls this, and on SQLite an
    // update would wait behind a scan's write (and fail after the busy timeout).
    if (running.length === 0) return [];
    const leased = await this.leasedRuns(now);
    const gone = running.filter((r) => leased.lapsed.has(r.id) || ownerGone(r.owner)).map((r) => r.id);
    const held = [...leased.held].filter((id) => !gone.includes(id));
    if (gone.length === 0 && !(await attempt(what, () => this.db(RUNS).first('id').where({ status: 'running' }).whereNot({ owner: self }).whereNotIn('id', held).andWhere('heartbeat_at', '<', cutoff)))) return [];
    // One statement, still conditional on `running`: a heartbeat racing with it either saves
    // its run or comes too late, and a run that finished meanwhile is left as it ended.
    const rows = await attempt(what, () =>
      this.db(RUNS)
        .where({ status: 'running' })
        .whereNot({ owner: self })
        .whereNotIn('id', held)
        .andWhere((q) => void q.where('heartbeat_at', '<', cutoff).orWhereIn('id', gone))
        .update({ status: 'interrupted' satisfies RunStatus, finished_at: this.db.ref('heartbeat_at') }, ['id']),
    );
    return (rows as Array<{ id: string }>).map((r) => r.id).sort();
  }

  /** Runs tied to an unreleased slot lease: held (lease live) or lapsed. */
  private async leasedRuns(now: Date): Promise<{ held: Set<string>; lapsed: Set<string> }> {
    const rows = (await attempt('cannot read slot leases', () =>
      this.db(SCHEDULE_CLAIMS).select('run_id', 'expires_at', 'lease_ms').whereNotNull('run_id').whereNull('released_at'),
    )) as Array<{ run_id: string; expires_at: string | null; lease_ms: number | null }>;
    const held = new Set<string>();
    const lapsed = new Set<string>();
    for (const r of rows) {
      const expires = r.expires_at === null ? Number.NaN : Date.parse(r.expires_at);
      if (Number.isFinite(expires) && now.getTime() <= expires) held.add(r.run_id);
      else lapsed.add(r.run_id);
    }
    return { held, lapsed };
  }

  async adoptRun(runId: string, owner: string, now: Date): Promise<AdoptedRun> {
    const what = `cannot adopt run ${runId}`;
    // An interrupted run is reopened: it was closed because its holder was gone, which the
    // lapsed lease this taker holds now also says.
    const updated = await attempt(what, () =>
      this.db(RUNS)
        .where({ id: runId })
        .whereIn('status', ['running', 'interrupted'] satisfies RunStatus[])
        .update({ owner, status: 'running' satisfies RunStatus, finished_at: null, heartbeat_at: isoTimestamp(now, 'now') }),
    );
    if (updated !== 1) {
      const run = (await attempt(what, () => this.db(RUNS).select('status').where({ id: runId }).first())) as { status: RunStatus } | undefined;
      return { adopted: false, status: run?.status ?? 'missing' };
    }
    const recorded = (await attempt(what, () => this.db(RUN_CLUSTERS).select('cluster', 'status').where({ run_id: runId }).orderBy('cluster'))) as Array<{ cluster: string; status: ClusterScan['status'] }>;
    return { adopted: true, recorded };
  }
}

/** The leases of schedule-claims.ts, read here to spare the runs their slots hold. */
const SCHEDULE_CLAIMS = 'schedule_claims';
