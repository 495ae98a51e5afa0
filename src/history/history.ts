/**
 * The history questions users ask, answered from the store: score and risk trends, the runs
 * with their scores, time to remediate. Each reads what it needs and folds it with the pure
 * functions beside it; nothing here writes.
 */
import { enforcementSeries, type EnforcementPoint } from './enforcement.js';
import { controlsFor } from '../controls/index.js';
import type { Framework } from '../core/control.js';
import type { StatusCounts } from '../core/status.js';
import type { ClusterRiskPoint, FindingEpisode, HistoryReader, Run } from '../store/run-store.js';
import type { CountsPoint } from '../store/run-types.js';
import { ALL_CONTROLS } from '../core/control.js';
import { openByAge, timeToRemediate, type AgeBucket, type RemediationStat } from './remediation.js';
import { clusterScoreSeries, fleetScoreSeries, rangeEnds, topRegressions, type ControlFilter, type Regression, type ScorePoint } from './score-series.js';
import type { Severity } from '../core/types.js';

export interface Scope {
  /** Only this cluster. */
  cluster?: string;
  /** Only these clusters (a report's scope). */
  clusters?: readonly string[];
  /** Only the controls of this framework. */
  framework?: Framework;
  /** The profile `clusters` are the group of: named in the output. */
  profile?: { name: string; selector: string; frameworks: readonly string[] };
}

export interface Window {
  from: Date;
  to: Date;
}

export function controlFilter(framework: Framework | undefined): ControlFilter {
  if (!framework) return () => true;
  const ids = new Set(controlsFor(framework).map((c) => c.id));
  return (id) => ids.has(id);
}

export interface RiskPoint {
  runId: string;
  at: string;
  risk: number;
  workloads: number;
  clusters: number;
}

function fleetRisk(points: readonly ClusterRiskPoint[]): RiskPoint[] {
  const byRun = new Map<string, RiskPoint>();
  for (const p of points) {
    const r = byRun.get(p.runId) ?? { runId: p.runId, at: p.runStartedAt, risk: 0, workloads: 0, clusters: 0 };
    byRun.set(p.runId, r);
    r.risk += p.risk;
    r.workloads += p.workloads;
    r.clusters += 1;
  }
  return [...byRun.values()].map((r) => ({ ...r, risk: Math.round(r.risk * 1000) / 1000 })).sort((a, b) => (a.at < b.at ? -1 : 1));
}

export interface Trend {
  from: string;
  to: string;
  framework?: string;
  cluster?: string;
  /** The profile the trend is cut to (its clusters only). */
  profile?: Scope['profile'];
  /** The fleet (or the one cluster asked for) per run. */
  score: ScorePoint[];
  risk: RiskPoint[];
  /**
   * Per cluster, when the whole fleet was asked for; with the profile and frameworks its last
   * scan in the window was evaluated with (absent for scans recorded before profiles).
   */
  clusters: Array<{ cluster: string; profile?: string; frameworks?: string[]; score: ScorePoint[]; risk: RiskPoint[] }>;
  regressions: Regression[];
  /** Enforcement coverage at admission per run (runs recorded with a posture only; ADR 0020). */
  enforcement: EnforcementPoint[];
}

const inClusters = (scope: Scope) => {
  const only = scope.clusters ? new Set(scope.clusters) : undefined;
  return <T extends { cluster: string }>(rows: T[]): T[] => (only ? rows.filter((r) => only.has(r.cluster)) : rows);
};

export async function trend(store: HistoryReader, window: Window, scope: Scope = {}): Promise<Trend> {
  const scoped = inClusters(scope);
  const [scores, risks] = await Promise.all([scoreInputs(store, window, scope), store.riskSeries(scope.cluster, window.from, window.to).then(scoped)]);
  const perCluster = clusterScoreSeries(scores.series, scores.keep);
  const heldTo = await lastHeldTo(store, perCluster);
  const clusters = [...perCluster.entries()].map(([cluster, score]) => ({ cluster, ...heldTo.get(cluster), score, risk: fleetRisk(risks.filter((r) => r.cluster === cluster)) }));
  const fleet = fleetScoreSeries(scores.series, scores.keep);
  const only = scope.clusters ? new Set(scope.clusters) : undefined;
  const enforcement = await enforcementSeries(store, fleet, (c) => (scope.cluster ? c === scope.cluster : !only || only.has(c)));
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    ...(scope.framework ? { framework: scope.framework } : {}),
    ...(scope.cluster ? { cluster: scope.cluster } : {}),
    ...(scope.profile ? { profile: scope.profile } : {}),
    score: fleet,
    risk: fleetRisk(risks),
    clusters: scope.cluster ? [] : clusters,
    regressions: scores.regressions,
    enforcement,
  };
}

/** Each cluster's profile and frameworks at its last scan of the series (read once per distinct run). */
async function lastHeldTo(store: HistoryReader, series: ReadonlyMap<string, readonly ScorePoint[]>): Promise<Map<string, { profile?: string; frameworks?: string[] }>> {
  const lastRun = new Map<string, string>();
  for (const [cluster, points] of series) {
    const last = points[points.length - 1];
    if (last) lastRun.set(cluster, last.runId);
  }
  const held = new Map<string, { profile?: string; frameworks?: string[] }>();
  for (const runId of new Set(lastRun.values())) {
    for (const row of await store.clusterResults(runId)) {
      if (lastRun.get(row.cluster) !== runId) continue;
      held.set(row.cluster, { ...(row.profile !== undefined ? { profile: row.profile } : {}), ...(row.frameworks !== undefined ? { frameworks: row.frameworks } : {}) });
    }
  }
  return held;
}

/**
 * What the score series are folded from. When every scan in the window was recorded with
 * score spans, their per-framework sums (a few rows per change) and the control counts at
 * each cluster's first and last scan only, for the regressions; otherwise every control's
 * counts at every scan, filtered to the framework. Both give the same scores.
 */
async function scoreInputs(store: HistoryReader, window: Window, scope: Scope): Promise<{ series: CountsPoint[]; keep: ControlFilter; regressions: Regression[] }> {
  const scoped = inClusters(scope);
  const keep = controlFilter(scope.framework);
  const sums = await store.frameworkCountsSeries(scope.framework ?? ALL_CONTROLS, scope.cluster, window.from, window.to);
  if (sums) {
    const series = scoped(sums);
    const { first, last } = rangeEnds(series);
    const ends = await store.controlCountsAt([...new Set([...first.values(), ...last.values()])].map(({ items: _items, ...scan }) => scan));
    return { series, keep: () => true, regressions: topRegressions(ends, keep) };
  }
  const series = scoped(await store.controlCountsSeries(scope.cluster, window.from, window.to));
  return { series, keep, regressions: topRegressions(series, keep) };
}

export interface RunHistoryEntry {
  run: Run;
  score: number | null;
  counts: StatusCounts;
  /** Clusters assessed in the run. */
  assessed: number;
  risk: number | null;
}

/**
 * The most recent runs of any status, newest first, each with its fleet score and risk over
 * the clusters it recorded (so far, for a running one; before it stopped, for an interrupted one).
 */
export async function runHistory(store: HistoryReader, limit: number, scope: Scope = {}): Promise<RunHistoryEntry[]> {
  const runs = await store.listRuns(limit);
  if (runs.length === 0) return [];
  const from = new Date(Math.min(...runs.map((r) => Date.parse(r.startedAt))));
  const to = new Date(Math.max(...runs.map((r) => Date.parse(r.startedAt))));
  const window = await trend(store, { from, to }, scope);
  const scores = new Map(window.score.map((p) => [p.runId, p]));
  const risks = new Map(window.risk.map((p) => [p.runId, p]));
  return runs.map((run) => {
    const s = scores.get(run.id);
    return {
      run,
      score: s?.score ?? null,
      counts: s?.counts ?? { pass: 0, fail: 0, manual: 0, 'not-applicable': 0, unknown: 0, error: 0 },
      assessed: s?.clusters ?? 0,
      risk: risks.get(run.id)?.risk ?? null,
    };
  });
}

export interface RemediationReport {
  from: string;
  to: string;
  cluster?: string;
  framework?: string;
  all: RemediationStat;
  bySeverity: RemediationStat[];
  byCluster: RemediationStat[];
  byControl: RemediationStat[];
  open: { total: Record<AgeBucket, number>; bySeverity: Record<Severity, Record<AgeBucket, number>>; oldestDays: number | null };
}

/**
 * Time to remediate failing findings resolved in the window, and the age of those still open
 * at its end: now, or at `atRunId` (a report of a past run) with the state they had then.
 */
export async function remediation(
  store: HistoryReader,
  window: Window,
  scope: Scope = {},
  atRunId?: string,
  /** The episodes open at `atRunId`, when the caller has read them already (iterated once). */
  openAtRun?: Iterable<FindingEpisode>,
): Promise<RemediationReport> {
  const keep = controlFilter(scope.framework);
  const scoped = inClusters(scope);
  const only = scope.clusters ? new Set(scope.clusters) : undefined;
  const cluster = (e: FindingEpisode) => (scope.cluster === undefined || e.cluster === scope.cluster) && (!only || only.has(e.cluster));
  const [resolved, open] = await Promise.all([
    store.remediated(window.from, window.to, scope.cluster).then(scoped),
    openAtRun ??
      store
        // Only aged, by first sighting: their evidence is not needed.
        .openEpisodes({ withoutEvidence: true, ...(scope.cluster !== undefined ? { cluster: scope.cluster } : {}), ...(atRunId !== undefined ? { runId: atRunId } : {}) }),
  ]);
  const inScope = resolved.filter((e) => keep(e.controlId));
  const bySeverity = timeToRemediate(inScope, 'severity');
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    ...(scope.cluster ? { cluster: scope.cluster } : {}),
    ...(scope.framework ? { framework: scope.framework } : {}),
    all: bySeverity.all,
    bySeverity: bySeverity.groups,
    byCluster: timeToRemediate(inScope, 'cluster').groups,
    byControl: timeToRemediate(inScope, 'control').groups,
    open: openByAge(keptOf(open, (e) => cluster(e) && keep(e.controlId)), window.to),
  };
}

function* keptOf<T>(items: Iterable<T>, keep: (item: T) => boolean): Generator<T> {
  for (const item of items) if (keep(item)) yield item;
}
