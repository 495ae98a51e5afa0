import type { Knex } from 'knex';
import type { SqlDialect } from './dialect.js';
import {
  byteCompare,
  controlCountsAt,
  controlResultsAt,
  countsSeries,
  currentOpenEpisodes,
  diffRuns,
  episodePagesAtRun,
  episodesAtRun,
  frameworkCountsSeries,
  remediatedBetween,
  resolvedBetween,
} from './history-reads.js';
import { riskSeries, risksAtRun } from './risk-spans.js';
import { GAPS, GAP_COLUMNS, RUNS, RUN_CLUSTERS, RUN_CLUSTER_COLUMNS, RUN_COLUMNS, isoTimestamp, rowToClusterResult, rowToGap, rowToRun, type GapRow, type RunClusterRow, type RunRow } from './run-rows.js';
import type {
  ClusterResult,
  ClusterRiskPoint,
  ControlResult,
  CountsPoint,
  FindingEpisode,
  FindingFilter,
  Remediated,
  Run,
  RunDiff,
  RunStatus,
  StoredFinding,
  StoredGap,
  StoredNetwork,
  StoredWorkloadRisk,
} from './run-types.js';
import { networkAt, networkSince } from './network-blobs.js';
import { StoreError, attempt } from './store-error.js';

/**
 * Reading the history: runs, what each observed, count and risk series, finding episodes and
 * diffs. Read-only: what reports, the history commands and an HTTP API depend on.
 */
export interface HistoryReader {
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
  /**
   * The episodes open at a run (observed or not, as openEpisodes({ runId }) gives them), a page
   * at a time in the order they were stored (not by cluster and control): for a reader that
   * keeps only what it needs of each.
   */
  openEpisodePages(runId: string): AsyncIterable<FindingEpisode[]>;
  /** Workload risks as they stood at a run (scans recorded with risk only), highest first. */
  workloadRisks(runId: string, cluster?: string): Promise<StoredWorkloadRisk[]>;
  /** Total risk of every assessed cluster scan (recorded with risk) of the runs started in [from, to], in order. */
  riskSeries(cluster: string | undefined, from: Date, to: Date): Promise<ClusterRiskPoint[]>;
  /**
   * A cluster's connectivity at a run (its scan's row: the analysis, or a note why there is
   * none), or by default its newest scan that holds one. Undefined: no such scan.
   */
  network(cluster: string, runId?: string): Promise<StoredNetwork | undefined>;
  /**
   * The connectivity a period starting at `from` compares against: the newest held at or
   * before `from`, else the oldest after it and started before `before` (an ISO time).
   */
  networkSince(cluster: string, from: Date, before?: string): Promise<StoredNetwork | undefined>;
}

export class KnexHistoryReader implements HistoryReader {
  constructor(
    private readonly db: Knex,
    private readonly dialect: SqlDialect,
  ) {}

  async getRun(id: string): Promise<Run | undefined> {
    const row = await attempt(`cannot read run ${id}`, () => this.db(RUNS).select(RUN_COLUMNS).where({ id }).first<RunRow | undefined>());
    return row ? rowToRun(row) : undefined;
  }

  async latestRun(options: { completeOnly?: boolean } = {}): Promise<Run | undefined> {
    const statuses: RunStatus[] = options.completeOnly ? ['complete'] : ['complete', 'partial'];
    const row = await attempt('cannot read the latest run', () =>
      this.db(RUNS).select(RUN_COLUMNS).whereIn('status', statuses).orderBy('started_at', 'desc').orderBy('id', 'desc').first<RunRow | undefined>(),
    );
    return row ? rowToRun(row) : undefined;
  }

  async listRuns(limit: number): Promise<Run[]> {
    const rows = await attempt('cannot list runs', () => this.db(RUNS).select(RUN_COLUMNS).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit));
    return (rows as RunRow[]).map(rowToRun);
  }

  async clusterResults(runId: string): Promise<ClusterResult[]> {
    const rows = await attempt(`cannot read cluster results of run ${runId}`, () =>
      this.dialect.orderBytewise(this.db(RUN_CLUSTERS).select(RUN_CLUSTER_COLUMNS).where({ run_id: runId }), ['cluster']),
    );
    return (rows as RunClusterRow[]).map(rowToClusterResult);
  }

  async controlResults(runId: string, cluster?: string): Promise<ControlResult[]> {
    const results = await attempt(`cannot read control results of run ${runId}`, () => controlResultsAt(this.db, runId, cluster));
    return results.sort((a, b) => byteCompare(a.cluster, b.cluster) || byteCompare(a.controlId, b.controlId));
  }

  async findings(runId: string, filter: FindingFilter = {}): Promise<StoredFinding[]> {
    const episodes = await attempt(`cannot read findings of run ${runId}`, () => episodesAtRun(this.db, this.dialect, runId, filter));
    return episodes.map(({ cluster, controlId, severity, status, resource, evidence, message, fingerprint, episode, firstSeen, seen, evidencePruned, disposition }) => ({
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
      ...(disposition && { disposition }),
    }));
  }

  async gaps(runId: string): Promise<StoredGap[]> {
    const rows = await attempt(`cannot read gaps of run ${runId}`, () =>
      this.dialect.orderBytewise(this.db(GAPS).select(GAP_COLUMNS).where({ run_id: runId }), ['cluster']).orderBy('id'),
    );
    return (rows as GapRow[]).map(rowToGap);
  }

  async runsBetween(from: Date, to: Date, cluster?: string): Promise<Run[]> {
    const rows = await attempt('cannot list runs', () => {
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
    return attempt('cannot read control counts', () => countsSeries(this.db, this.dialect, 'control', cluster, from, to));
  }

  namespaceCountsSeries(cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[]> {
    return attempt('cannot read namespace counts', () => countsSeries(this.db, this.dialect, 'namespace', cluster, from, to));
  }

  frameworkCountsSeries(framework: string, cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[] | undefined> {
    return attempt(`cannot read the score counts of ${framework === '*' ? 'all controls' : framework}`, () =>
      frameworkCountsSeries(this.db, this.dialect, framework, cluster, from, to),
    );
  }

  controlCountsAt(scans: ReadonlyArray<Omit<CountsPoint, 'items'>>): Promise<CountsPoint[]> {
    return attempt('cannot read control counts', () => controlCountsAt(this.db, scans));
  }

  async diff(runA: string, runB: string, known?: ReadonlyMap<string, readonly FindingEpisode[]>, options: { withoutEvidence?: boolean } = {}): Promise<RunDiff> {
    const [a, b] = await Promise.all([this.getRun(runA), this.getRun(runB)]);
    if (!a || !b) throw new StoreError(`cannot compare runs ${runA} and ${runB}: no such run ${a ? runB : runA}`);
    return attempt(`cannot compare runs ${runA} and ${runB}`, () => diffRuns(this.db, this.dialect, a, b, known, options));
  }

  resolvedEpisodes(from: Date, to: Date, cluster?: string): Promise<FindingEpisode[]> {
    return attempt('cannot read resolved findings', () => resolvedBetween(this.db, this.dialect, from, to, cluster));
  }

  remediated(from: Date, to: Date, cluster?: string): Promise<Remediated[]> {
    return attempt('cannot read resolved findings', () => remediatedBetween(this.db, this.dialect, from, to, cluster));
  }

  openEpisodes(options: { runId?: string; cluster?: string; withoutEvidence?: boolean } = {}): Promise<FindingEpisode[]> {
    const { runId, cluster, withoutEvidence = false } = options;
    return attempt(runId ? `cannot read open findings of run ${runId}` : 'cannot read open findings', () =>
      runId !== undefined
        ? episodesAtRun(this.db, this.dialect, runId, { includeUnseen: true, withoutEvidence, ...(cluster !== undefined && { cluster }) })
        : currentOpenEpisodes(this.db, this.dialect, cluster, withoutEvidence),
    );
  }

  async *openEpisodePages(runId: string): AsyncGenerator<FindingEpisode[]> {
    const pages = episodePagesAtRun(this.db, this.dialect, runId, { includeUnseen: true });
    for (;;) {
      const next = await attempt(`cannot read open findings of run ${runId}`, () => pages.next());
      if (next.done) return;
      yield next.value;
    }
  }

  workloadRisks(runId: string, cluster?: string): Promise<StoredWorkloadRisk[]> {
    return attempt(`cannot read workload risks of run ${runId}`, () => risksAtRun(this.db, runId, cluster));
  }

  riskSeries(cluster: string | undefined, from: Date, to: Date): Promise<ClusterRiskPoint[]> {
    return attempt('cannot read risk series', () => riskSeries(this.db, cluster, from, to));
  }

  network(cluster: string, runId?: string): Promise<StoredNetwork | undefined> {
    return attempt(`cannot read the connectivity of cluster ${cluster}${runId ? ` at run ${runId}` : ''}`, () => networkAt(this.db, cluster, runId));
  }

  networkSince(cluster: string, from: Date, before?: string): Promise<StoredNetwork | undefined> {
    return attempt(`cannot read the connectivity of cluster ${cluster} since ${from.toISOString()}`, () => networkSince(this.db, cluster, from, before));
  }
}
