import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import type { ClusterScan } from '../core/types.js';
import {
  byteCompare,
  controlCountsAt,
  controlResultsAt,
  countsSeries,
  frameworkCountsSeries,
  currentOpenEpisodes,
  diffRuns,
  episodesAtRun,
  orderBytewise,
  remediatedBetween,
  resolvedBetween,
} from './history-reads.js';
import { nextSeq, recordClusterIn } from './record.js';
import { isPostgresDb } from './packed-rows.js';
import { pruneEvidence } from './retention.js';
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
  ChainReport,
  ClusterRiskPoint,
  ClusterResult,
  ControlResult,
  CountsPoint,
  FinalRunStatus,
  FindingEpisode,
  Remediated,
  FindingFilter,
  PruneResult,
  RecordClusterOptions,
  Run,
  RunDiff,
  RunStatus,
  StoredFinding,
  StoredGap,
  StoredWorkloadRisk,
} from './run-types.js';
import { riskSeries, risksAtRun } from './risk-spans.js';
import { StoreError, causeMessage, isForeignKeyViolation, isUniqueViolation } from './store-error.js';
import { verifyChain } from './verify.js';

export type * from './run-types.js';

/**
 * Runs and their results. Writing a run: beginRun, then recordCluster once per cluster
 * (each atomic), heartbeat while it lasts, finishRun at the end.
 *
 * Findings are kept as lifecycles (episodes: first seen, last seen, resolved, reopened), not
 * as a copy per run, and counts as spans that last while they do not change, so an unchanged
 * scan adds one row per cluster. Each cluster's scans form a hash chain (verifyChain).
 */
export interface RunStore {
  beginRun(input: BeginRunInput): Promise<string>;
  /**
   * One transaction: the cluster is recorded whole or not at all. Twice for one run is an error.
   * Applies its finding lifecycles (see lifecycle.ts) unless the cluster failed.
   */
  recordCluster(runId: string, scan: ClusterScan, options?: RecordClusterOptions): Promise<void>;
  /** Ends a running run; an error if the run is unknown or no longer running. */
  finishRun(runId: string, status: FinalRunStatus, now: Date): Promise<void>;
  /** Returns false when the run is no longer running (finished, or taken over as interrupted). */
  heartbeat(runId: string, now: Date): Promise<boolean>;
  /** Running runs whose heartbeat is older than staleAfterMs become interrupted; returns their ids. */
  markAbandonedRuns(now: Date, staleAfterMs: number): Promise<string[]>;
  /**
   * Take a scheduled job's slot for `owner` unless another owner took it first (daemons
   * sharing one database run each slot once). Returns who owns the slot; claims older than
   * `keepMs` (default 35 days) are dropped on the way.
   */
  claimSlot(job: string, slot: Date, owner: string, now: Date, keepMs?: number): Promise<{ claimed: boolean; owner: string }>;

  getRun(id: string): Promise<Run | undefined>;
  /** The most recently started complete or partial run (complete only if asked); never a running one. */
  latestRun(options?: { completeOnly?: boolean }): Promise<Run | undefined>;
  /** Most recently started first, whatever their status. */
  listRuns(limit: number): Promise<Run[]>;
  clusterResults(runId: string): Promise<ClusterResult[]>;
  controlResults(runId: string, cluster?: string): Promise<ControlResult[]>;
  /** Non-pass findings open at that run (by default: those it observed), with the state they had then. */
  findings(runId: string, filter?: FindingFilter): Promise<StoredFinding[]>;
  gaps(runId: string): Promise<StoredGap[]>;

  /** Runs started in [from, to] (of any status), oldest first; only those that recorded `cluster`, if given. */
  runsBetween(from: Date, to: Date, cluster?: string): Promise<Run[]>;
  /** Per-control counts of every assessed cluster scan of the runs started in [from, to], in order (for score series). */
  controlCountsSeries(cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[]>;
  /** Per namespace and severity counts, like controlCountsSeries. */
  namespaceCountsSeries(cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[]>;
  /**
   * Per severity counts of one framework (`*`: every control), like controlCountsSeries but
   * from the score spans: a few rows per change. Undefined when a scan in the range was
   * recorded without score spans.
   */
  frameworkCountsSeries(framework: string, cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[] | undefined>;
  /** Per-control counts at the given cluster scans (points of a series). */
  controlCountsAt(scans: ReadonlyArray<Omit<CountsPoint, 'items'>>): Promise<CountsPoint[]>;
  /**
   * New, reopened, resolved and still-open findings between two runs, per cluster assessed in
   * both. `known`: episodes already read with openEpisodes({ runId }) for either run, by run id.
   */
  diff(runA: string, runB: string, known?: ReadonlyMap<string, readonly FindingEpisode[]>, options?: { withoutEvidence?: boolean }): Promise<RunDiff>;
  /** Episodes resolved in [from, to), with their last state and evidence. */
  resolvedEpisodes(from: Date, to: Date, cluster?: string): Promise<FindingEpisode[]>;
  /** Failing episodes resolved in [from, to), without evidence: what time to remediate is computed from. */
  remediated(from: Date, to: Date, cluster?: string): Promise<Remediated[]>;
  /** Episodes open now, or at a run (with the state they had then, observed or not). */
  openEpisodes(options?: { runId?: string; cluster?: string; withoutEvidence?: boolean }): Promise<FindingEpisode[]>;
  /** Workload risks as they stood at a run (scans recorded with risk only), highest first. */
  workloadRisks(runId: string, cluster?: string): Promise<StoredWorkloadRisk[]>;
  /** Total risk of every assessed cluster scan (recorded with risk) of the runs started in [from, to], in order. */
  riskSeries(cluster: string | undefined, from: Date, to: Date): Promise<ClusterRiskPoint[]>;
  /** Recompute every cluster's hash chain and list the rows that no longer match. */
  verifyChain(): Promise<ChainReport>;
  /** Blank the evidence text of findings resolved (or superseded) before `olderThan`. Aggregates are kept. */
  pruneEvidence(olderThan: Date): Promise<PruneResult>;
  close(): Promise<void>;
}

/** The `owner` of runs started by this process. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}`;
}

// ---------------------------------------------------------------------------------------
// Implementation

const SCHEDULE_CLAIMS = 'schedule_claims';

export class KnexRunStore implements RunStore {
  constructor(private readonly db: Knex) {}

  private get isPostgres(): boolean {
    return isPostgresDb(this.db);
  }

  /** ORDER BY in byte order on both databases (PostgreSQL would otherwise use its collation). */
  private orderBytewise<Q extends Knex.QueryBuilder>(qb: Q, columns: readonly string[]): Q {
    return orderBytewise(qb, columns, this.isPostgres);
  }

  async beginRun(input: BeginRunInput): Promise<string> {
    const id = randomUUID();
    const now = isoTimestamp(input.now, 'now');
    try {
      await this.db.transaction(async (trx) => {
        const seq = await nextSeq(trx, this.isPostgres);
        await trx(RUNS).insert({
          id,
          seq,
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
      });
    } catch (err) {
      throw new StoreError(`cannot begin run: ${causeMessage(err)}`, { cause: err });
    }
    return id;
  }

  async recordCluster(runId: string, scan: ClusterScan, options: RecordClusterOptions = {}): Promise<void> {
    const where = `cluster ${scan.cluster} of run ${runId}`;
    try {
      await this.db.transaction((trx) => recordClusterIn(trx, this.isPostgres, runId, scan, options));
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

  async claimSlot(job: string, slot: Date, owner: string, now: Date, keepMs = 35 * 86_400_000): Promise<{ claimed: boolean; owner: string }> {
    const key = { job, slot: isoTimestamp(new Date(Math.floor(slot.getTime() / 1000) * 1000), 'slot') };
    return this.attempt(`cannot claim slot ${key.slot} of ${job}`, async () => {
      await this.db(SCHEDULE_CLAIMS)
        .where({ job })
        .andWhere('claimed_at', '<', isoTimestamp(new Date(now.getTime() - keepMs), 'now - keepMs'))
        .delete();
      // The primary key (job, slot) lets exactly one insert through; the others read its owner.
      await this.db(SCHEDULE_CLAIMS)
        .insert({ ...key, owner, claimed_at: isoTimestamp(now, 'now') })
        .onConflict(['job', 'slot'])
        .ignore();
      const row = (await this.db(SCHEDULE_CLAIMS).select('owner').where(key).first()) as { owner: string } | undefined;
      const holder = row?.owner ?? owner;
      return { claimed: holder === owner, owner: holder };
    });
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
    const [legacy, spans] = await this.attempt(`cannot read control results of run ${runId}`, () => {
      const q = this.db(CONTROL_RESULTS).select(CONTROL_RESULT_COLUMNS).where({ run_id: runId });
      if (cluster !== undefined) void q.andWhere({ cluster });
      return Promise.all([q as Promise<ControlResultRow[]>, controlResultsAt(this.db, runId, cluster)]);
    });
    return [...legacy.map(rowToControlResult), ...spans].sort((a, b) => byteCompare(a.cluster, b.cluster) || byteCompare(a.controlId, b.controlId));
  }

  async findings(runId: string, filter: FindingFilter = {}): Promise<StoredFinding[]> {
    const [legacy, episodes] = await this.attempt(`cannot read findings of run ${runId}`, () => {
      const q = this.db(FINDINGS).select(FINDING_COLUMNS).where({ run_id: runId });
      if (filter.cluster !== undefined) void q.andWhere({ cluster: filter.cluster });
      if (filter.status !== undefined) void q.andWhere({ status: filter.status });
      if (filter.controlId !== undefined) void q.andWhere({ control_id: filter.controlId });
      return Promise.all([this.orderBytewise(q, ['cluster', 'control_id']).orderBy('id') as Promise<FindingRow[]>, episodesAtRun(this.db, this.isPostgres, runId, filter)]);
    });
    return [
      ...legacy.map(rowToFinding),
      ...episodes.map(({ cluster, controlId, severity, status, resource, evidence, message, fingerprint, episode, firstSeen, seen, evidencePruned }) => ({
        runId,
        cluster,
        controlId,
        fingerprint,
        status,
        severity,
        resource,
        ...(evidence && { evidence }),
        ...(message !== undefined && { message }),
        episode,
        firstSeenAt: firstSeen.at,
        ...(filter.includeUnseen && { seen }),
        ...(evidencePruned && { evidencePruned }),
      })),
    ];
  }

  async gaps(runId: string): Promise<StoredGap[]> {
    const rows = await this.attempt(`cannot read gaps of run ${runId}`, () =>
      this.orderBytewise(this.db(GAPS).select(GAP_COLUMNS).where({ run_id: runId }), ['cluster']).orderBy('id'),
    );
    return (rows as GapRow[]).map(rowToGap);
  }

  async runsBetween(from: Date, to: Date, cluster?: string): Promise<Run[]> {
    const rows = await this.attempt('cannot list runs', () => {
      const q = this.db(RUNS)
        .select(RUN_COLUMNS)
        .where('started_at', '>=', isoTimestamp(from, 'from'))
        .andWhere('started_at', '<=', isoTimestamp(to, 'to'))
        .orderBy('seq');
      if (cluster !== undefined) void q.whereIn('id', (sub) => void sub.select('run_id').from(RUN_CLUSTERS).where({ cluster }));
      return q as Promise<RunRow[]>;
    });
    return rows.map(rowToRun);
  }

  controlCountsSeries(cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[]> {
    return this.attempt('cannot read control counts', () => countsSeries(this.db, 'control', cluster, from, to));
  }

  namespaceCountsSeries(cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[]> {
    return this.attempt('cannot read namespace counts', () => countsSeries(this.db, 'namespace', cluster, from, to));
  }

  frameworkCountsSeries(framework: string, cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[] | undefined> {
    return this.attempt(`cannot read the score counts of ${framework === '*' ? 'all controls' : framework}`, () => frameworkCountsSeries(this.db, framework, cluster, from, to));
  }

  controlCountsAt(scans: ReadonlyArray<Omit<CountsPoint, 'items'>>): Promise<CountsPoint[]> {
    return this.attempt('cannot read control counts', () => controlCountsAt(this.db, scans));
  }

  async diff(runA: string, runB: string, known?: ReadonlyMap<string, readonly FindingEpisode[]>, options: { withoutEvidence?: boolean } = {}): Promise<RunDiff> {
    const [a, b] = await Promise.all([this.getRun(runA), this.getRun(runB)]);
    if (!a || !b) throw new StoreError(`cannot compare runs ${runA} and ${runB}: no such run ${a ? runB : runA}`);
    return this.attempt(`cannot compare runs ${runA} and ${runB}`, () => diffRuns(this.db, this.isPostgres, a, b, known, options));
  }

  resolvedEpisodes(from: Date, to: Date, cluster?: string): Promise<FindingEpisode[]> {
    return this.attempt('cannot read resolved findings', () => resolvedBetween(this.db, this.isPostgres, from, to, cluster));
  }

  remediated(from: Date, to: Date, cluster?: string): Promise<Remediated[]> {
    return this.attempt('cannot read resolved findings', () => remediatedBetween(this.db, this.isPostgres, from, to, cluster));
  }

  openEpisodes(options: { runId?: string; cluster?: string; withoutEvidence?: boolean } = {}): Promise<FindingEpisode[]> {
    const { runId, cluster, withoutEvidence = false } = options;
    return this.attempt(runId ? `cannot read open findings of run ${runId}` : 'cannot read open findings', () =>
      runId !== undefined
        ? episodesAtRun(this.db, this.isPostgres, runId, { includeUnseen: true, withoutEvidence, ...(cluster !== undefined && { cluster }) })
        : currentOpenEpisodes(this.db, this.isPostgres, cluster, withoutEvidence),
    );
  }

  workloadRisks(runId: string, cluster?: string): Promise<StoredWorkloadRisk[]> {
    return this.attempt(`cannot read workload risks of run ${runId}`, () => risksAtRun(this.db, runId, cluster));
  }

  riskSeries(cluster: string | undefined, from: Date, to: Date): Promise<ClusterRiskPoint[]> {
    return this.attempt('cannot read risk series', () => riskSeries(this.db, cluster, from, to));
  }

  verifyChain(): Promise<ChainReport> {
    return this.attempt('cannot verify the hash chain', () => verifyChain(this.db));
  }

  pruneEvidence(olderThan: Date): Promise<PruneResult> {
    return this.attempt('cannot prune evidence', () => pruneEvidence(this.db, olderThan));
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
