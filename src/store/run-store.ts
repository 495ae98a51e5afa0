import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import type { ClusterScan } from '../core/types.js';
import { countStatuses } from '../evaluate/evaluate.js';
import {
  CONTROL_RESULTS,
  CONTROL_RESULT_COLUMNS,
  FINDINGS,
  FINDING_COLUMNS,
  GAPS,
  GAP_COLUMNS,
  RUNS,
  RUN_CLUSTERS,
  RUN_CLUSTER_COLUMNS,
  RUN_COLUMNS,
  aggregateControls,
  countsToRow,
  findingToRow,
  insertChunked,
  isoTimestamp,
  rowToClusterResult,
  rowToControlResult,
  rowToFinding,
  rowToGap,
  rowToRun,
  type ControlResultRow,
  type FindingRow,
  type GapRow,
  type RunClusterRow,
  type RunRow,
} from './run-rows.js';
import type {
  BeginRunInput,
  ClusterResult,
  ControlResult,
  FinalRunStatus,
  FindingFilter,
  Run,
  RunStatus,
  StoredFinding,
  StoredGap,
} from './run-types.js';
import { StoreError, causeMessage, isForeignKeyViolation, isUniqueViolation } from './store-error.js';

export type * from './run-types.js';

/**
 * Runs and their results. Writing a run: beginRun, then recordCluster once per cluster
 * (each atomic), heartbeat while it lasts, finishRun at the end. Only passes are not kept
 * as findings: they are counted in control and cluster results.
 */
export interface RunStore {
  beginRun(input: BeginRunInput): Promise<string>;
  /** One transaction: the cluster is recorded whole or not at all. Twice for one run is an error. */
  recordCluster(runId: string, scan: ClusterScan): Promise<void>;
  /** Ends a running run; an error if the run is unknown or no longer running. */
  finishRun(runId: string, status: FinalRunStatus, now: Date): Promise<void>;
  /** Returns false when the run is no longer running (finished, or taken over as interrupted). */
  heartbeat(runId: string, now: Date): Promise<boolean>;
  /** Running runs whose heartbeat is older than staleAfterMs become interrupted; returns their ids. */
  markAbandonedRuns(now: Date, staleAfterMs: number): Promise<string[]>;

  getRun(id: string): Promise<Run | undefined>;
  /** The most recently started complete or partial run (complete only if asked); never a running one. */
  latestRun(options?: { completeOnly?: boolean }): Promise<Run | undefined>;
  /** Most recently started first, whatever their status. */
  listRuns(limit: number): Promise<Run[]>;
  clusterResults(runId: string): Promise<ClusterResult[]>;
  controlResults(runId: string, cluster?: string): Promise<ControlResult[]>;
  /** Non-pass findings only. */
  findings(runId: string, filter?: FindingFilter): Promise<StoredFinding[]>;
  gaps(runId: string): Promise<StoredGap[]>;
  close(): Promise<void>;
}

/** The `owner` of runs started by this process. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}`;
}

// ---------------------------------------------------------------------------------------
// Implementation

export class KnexRunStore implements RunStore {
  constructor(private readonly db: Knex) {}

  private get isPostgres(): boolean {
    return this.db.client.config.client === 'pg';
  }

  /** ORDER BY in byte order on both databases (PostgreSQL would otherwise use its collation). */
  private orderBytewise<Q extends Knex.QueryBuilder>(qb: Q, columns: readonly string[]): Q {
    for (const c of columns) {
      if (this.isPostgres) qb.orderByRaw('?? collate "C"', [c]);
      else qb.orderBy(c);
    }
    return qb;
  }

  async beginRun(input: BeginRunInput): Promise<string> {
    const id = randomUUID();
    const now = isoTimestamp(input.now, 'now');
    try {
      await this.db(RUNS).insert({
        id,
        started_at: now,
        finished_at: null,
        status: 'running' satisfies RunStatus,
        trigger: input.trigger,
        catalog_version: input.catalogVersion,
        complyd_version: input.complydVersion,
        cluster_count: input.clusterCount,
        owner: input.owner,
        heartbeat_at: now,
      });
    } catch (err) {
      throw new StoreError(`cannot begin run: ${causeMessage(err)}`, { cause: err });
    }
    return id;
  }

  async recordCluster(runId: string, scan: ClusterScan): Promise<void> {
    const cluster = scan.cluster;
    const where = `cluster ${cluster} of run ${runId}`;
    const counts = countStatuses(scan.findings);
    const clusterRow = {
      run_id: runId,
      cluster,
      labels: JSON.stringify(scan.labels),
      status: scan.status,
      started_at: isoTimestamp(scan.startedAt, `${where}: startedAt`),
      finished_at: isoTimestamp(scan.finishedAt, `${where}: finishedAt`),
      provider: scan.provider ?? null,
      server_version: scan.serverVersion ?? null,
      object_counts: JSON.stringify(scan.objectCounts),
      object_total: Object.values(scan.objectCounts).reduce((sum, n) => sum + (n ?? 0), 0),
      snapshot_hash: scan.snapshotHash ?? null,
      error: scan.error ?? null,
      ...countsToRow(counts),
    };
    const gapRows: GapRow[] = scan.gaps.map((g) => ({
      run_id: runId,
      cluster,
      evidence: g.evidence,
      reason: g.reason,
      message: g.message,
    }));
    const controlRows = aggregateControls(runId, cluster, scan.findings);
    const findingRows = scan.findings.filter((f) => f.status !== 'pass').map((f) => findingToRow(runId, cluster, f));

    try {
      await this.db.transaction(async (trx) => {
        // A write first: on SQLite it takes the write lock before anything is read.
        await trx(RUN_CLUSTERS).insert(clusterRow);
        // Then hold the run (PostgreSQL: against a concurrent takeover) and check it still runs.
        const runQuery = trx(RUNS).select('status').where({ id: runId });
        const run = (await (this.isPostgres ? runQuery.forShare() : runQuery).first()) as Pick<RunRow, 'status'> | undefined;
        if (!run) throw new StoreError(`cannot record ${where}: no such run`);
        if (run.status !== 'running') throw new StoreError(`cannot record ${where}: the run is ${run.status}, not running`);
        await insertChunked(trx, GAPS, GAP_COLUMNS.length, gapRows);
        await insertChunked(trx, CONTROL_RESULTS, CONTROL_RESULT_COLUMNS.length, controlRows);
        await insertChunked(trx, FINDINGS, FINDING_COLUMNS.length, findingRows);
      });
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

  async finishRun(runId: string, status: FinalRunStatus, now: Date): Promise<void> {
    const at = isoTimestamp(now, 'now');
    const updated = await this.attempt(`cannot finish run ${runId}`, () =>
      this.db(RUNS)
        .where({ id: runId, status: 'running' })
        .update({ status, finished_at: at, heartbeat_at: at }),
    );
    if (updated === 1) return;
    const run = await this.getRun(runId);
    throw new StoreError(
      run ? `cannot finish run ${runId} as ${status}: it is already ${run.status}` : `cannot finish run ${runId}: no such run`,
    );
  }

  async heartbeat(runId: string, now: Date): Promise<boolean> {
    const at = isoTimestamp(now, 'now');
    const updated = await this.attempt(`cannot record heartbeat of run ${runId}`, () =>
      this.db(RUNS).where({ id: runId, status: 'running' }).update({ heartbeat_at: at }),
    );
    return updated === 1;
  }

  async markAbandonedRuns(now: Date, staleAfterMs: number): Promise<string[]> {
    const cutoff = isoTimestamp(new Date(now.getTime() - staleAfterMs), 'now - staleAfterMs');
    // One statement, so a heartbeat racing with it either saves its run or comes too late.
    const rows = await this.attempt('cannot mark abandoned runs', () =>
      this.db(RUNS)
        .where({ status: 'running' })
        .andWhere('heartbeat_at', '<', cutoff)
        .update({ status: 'interrupted' satisfies RunStatus, finished_at: this.db.ref('heartbeat_at') }, ['id']),
    );
    return (rows as Array<{ id: string }>).map((r) => r.id).sort();
  }

  async getRun(id: string): Promise<Run | undefined> {
    const row = await this.attempt(`cannot read run ${id}`, () =>
      this.db(RUNS).select(RUN_COLUMNS).where({ id }).first<RunRow | undefined>(),
    );
    return row ? rowToRun(row) : undefined;
  }

  async latestRun(options: { completeOnly?: boolean } = {}): Promise<Run | undefined> {
    const statuses: RunStatus[] = options.completeOnly ? ['complete'] : ['complete', 'partial'];
    const row = await this.attempt('cannot read the latest run', () =>
      this.db(RUNS)
        .select(RUN_COLUMNS)
        .whereIn('status', statuses)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .first<RunRow | undefined>(),
    );
    return row ? rowToRun(row) : undefined;
  }

  async listRuns(limit: number): Promise<Run[]> {
    const rows = await this.attempt('cannot list runs', () =>
      this.db(RUNS).select(RUN_COLUMNS).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit),
    );
    return (rows as RunRow[]).map(rowToRun);
  }

  async clusterResults(runId: string): Promise<ClusterResult[]> {
    const rows = await this.attempt(`cannot read cluster results of run ${runId}`, () =>
      this.orderBytewise(this.db(RUN_CLUSTERS).select(RUN_CLUSTER_COLUMNS).where({ run_id: runId }), ['cluster']),
    );
    return (rows as Array<RunClusterRow>).map(rowToClusterResult);
  }

  async controlResults(runId: string, cluster?: string): Promise<ControlResult[]> {
    const rows = await this.attempt(`cannot read control results of run ${runId}`, () => {
      const q = this.db(CONTROL_RESULTS).select(CONTROL_RESULT_COLUMNS).where({ run_id: runId });
      if (cluster !== undefined) q.andWhere({ cluster });
      return this.orderBytewise(q, ['cluster', 'control_id']);
    });
    return (rows as Array<ControlResultRow>).map(rowToControlResult);
  }

  async findings(runId: string, filter: FindingFilter = {}): Promise<StoredFinding[]> {
    const rows = await this.attempt(`cannot read findings of run ${runId}`, () => {
      const q = this.db(FINDINGS).select(FINDING_COLUMNS).where({ run_id: runId });
      if (filter.cluster !== undefined) q.andWhere({ cluster: filter.cluster });
      if (filter.status !== undefined) q.andWhere({ status: filter.status });
      if (filter.controlId !== undefined) q.andWhere({ control_id: filter.controlId });
      return this.orderBytewise(q, ['cluster', 'control_id']).orderBy('id');
    });
    return (rows as FindingRow[]).map(rowToFinding);
  }

  async gaps(runId: string): Promise<StoredGap[]> {
    const rows = await this.attempt(`cannot read gaps of run ${runId}`, () =>
      this.orderBytewise(this.db(GAPS).select(GAP_COLUMNS).where({ run_id: runId }), ['cluster']).orderBy('id'),
    );
    return (rows as GapRow[]).map(rowToGap);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Runs one query; a driver error becomes a StoreError saying what was being done. */
  private async attempt<T>(what: string, query: () => PromiseLike<T>): Promise<T> {
    try {
      return await query();
    } catch (err) {
      throw new StoreError(`${what}: ${causeMessage(err)}`, { cause: err });
    }
  }
}
