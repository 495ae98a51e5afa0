/**
 * The part of a report that looks back over a period ending at the reported run: scores and
 * their change, trend series, top risks, new/resolved findings, time to remediate, and the
 * hash-chain entries the figures rest on. Built from the store only, like the rest of the
 * report, and from nothing that depends on the clock (the period ends at the run's start).
 */
import type { Framework } from '../core/control.js';
import type { Severity } from '../core/types.js';
import { controlFilter, remediation, trend, type Scope } from '../history/history.js';
import type { AgeBucket } from '../history/remediation.js';
import { complianceScore } from '../score/compliance.js';
import { riskWithExceptions } from '../score/exceptions.js';
import type { ClusterResult, ControlResult, FindingEpisode, HistoryReader, Run, StoredWorkloadRisk } from '../store/run-store.js';

export interface ScoreChange {
  /** At the reported run. */
  score: number | null;
  /** At the first run of the period (null when there was none, or nothing was decided). */
  first: number | null;
  /** Risk as measured. */
  risk: number | null;
  firstRisk: number | null;
  /** Risk with the failures accepted by exceptions in force left out (null when risk was not recorded). */
  riskWithExceptions: number | null;
}

export interface TrendPoint {
  runId: string;
  at: string;
  score: number | null;
  risk: number | null;
}

export interface ChainEntry {
  cluster: string;
  runId: string;
  seq: number;
  snapshotHash?: string;
  resultsHash: string;
  prevChainHash: string;
  chainHash: string;
}

import type { ReportException } from './exceptions-register.js';
import type { DirectedExposure } from '../core/network.js';
export type { ReportException };

export interface PeriodSection {
  from: string;
  to: string;
  /** Finished runs started in the period (the reported one included). */
  runs: number;
  firstRunId?: string;
  fleet: ScoreChange;
  clusters: Array<{ cluster: string } & ScoreChange>;
  trend: { fleet: TrendPoint[]; clusters: Array<{ cluster: string; points: TrendPoint[] }> };
  /** Between the first run of the period and the reported one, over clusters assessed in both. */
  changes: { new: number; reopened: number; resolved: number; stillOpen: number; compared: boolean };
  remediation: {
    resolved: number;
    fixed: number;
    resourceGone: number;
    meanDays: number | null;
    medianDays: number | null;
    bySeverity: Array<{ severity: string; resolved: number; medianDays: number | null }>;
    open: Record<AgeBucket, number>;
  };
  topRisks: StoredWorkloadRisk[];
  integrity: { chain: ChainEntry[]; runIds: string[] };
  exceptions: ReportException[];
  /** Per cluster whose connectivity changed in the period: the counts and the new exposure (absent: nothing to compare). */
  network?: PeriodNetwork[];
}

/** A cluster's connectivity over the period, as the period section lists it. */
export interface PeriodNetwork {
  cluster: string;
  /** The scan compared with the run's: the newest at the period's start, else the oldest in it. */
  since: string;
  added: number;
  removed: number;
  changed: number;
  /** Exposure lines at the run that the earlier scan did not have, the first NEW_EXPOSURE_SHOWN of them. */
  newExposure: DirectedExposure[];
  /** How many there are in all. */
  newExposureCount: number;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

function* seenOf(episodes: Iterable<FindingEpisode>): Generator<FindingEpisode> {
  for (const e of episodes) if (e.seen) yield e;
}

export interface PeriodInput {
  store: HistoryReader;
  run: Run;
  sinceMs: number;
  clusterRows: readonly ClusterResult[];
  controlRows: readonly ControlResult[];
  clusters?: readonly string[];
  framework?: Framework;
  topRisks?: number;
  /**
   * Episodes open at the run (openEpisodes({ runId })), when the caller has read them: iterated
   * a few times, each time afresh (a report keeps them in columns and builds them as they go).
   */
  openAtRun?: Iterable<FindingEpisode>;
}

export async function buildPeriod(input: PeriodInput): Promise<PeriodSection> {
  const { store, run } = input;
  const to = new Date(run.startedAt);
  const from = new Date(to.getTime() - input.sinceMs);
  const scope: Scope = { ...(input.clusters ? { clusters: input.clusters } : {}), ...(input.framework ? { framework: input.framework } : {}) };
  const finished = (await store.runsBetween(from, to)).filter((x) => x.status !== 'running');
  const firstRun = finished[0]?.id !== run.id ? finished[0] : undefined;
  // Asked for together: on SQLite one query runs while the rows of another are unpacked.
  const [t, r, risks, d] = await Promise.all([
    trend(store, { from, to }, scope),
    remediation(store, { from, to }, scope, run.id, input.openAtRun),
    store.workloadRisks(run.id),
    // Only counted: the first run's episodes are read without their evidence.
    firstRun ? store.diff(firstRun.id, run.id, input.openAtRun ? new Map([[run.id, [...input.openAtRun]]]) : undefined, { withoutEvidence: true }) : undefined,
  ]);
  const inScope = (c: string) => !input.clusters || input.clusters.includes(c);

  const riskAt = (points: ReadonlyArray<{ runId: string; risk: number }>, runId: string | undefined) => (runId ? (points.find((p) => p.runId === runId)?.risk ?? null) : null);
  const scoreAt = (points: ReadonlyArray<{ runId: string; score: number | null }>, runId: string | undefined) => (runId ? (points.find((p) => p.runId === runId)?.score ?? null) : null);
  // The reported run's scores come from its own control results (always present), not from the series.
  const scoreOf = (rows: readonly ControlResult[]) => complianceScore(rows.map((x) => ({ controlId: x.controlId, severity: x.severity, counts: x.counts }))).score;
  const acceptedRisk = riskWithExceptions(risks, seenOf(input.openAtRun ?? []));
  const clusterRisk = new Map<string, number>();
  for (const w of risks) if (inScope(w.cluster)) clusterRisk.set(w.cluster, (clusterRisk.get(w.cluster) ?? 0) + w.risk);
  const riskRecorded = t.risk.some((p) => p.runId === run.id);
  const fleetRisk = riskRecorded ? [...clusterRisk.values()].reduce((a, b) => a + b, 0) : null;

  const clusters = input.clusterRows
    .filter((c) => inScope(c.cluster) && c.status !== 'failed')
    .map((c) => {
      const series = t.clusters.find((x) => x.cluster === c.cluster);
      return {
        cluster: c.cluster,
        score: scoreOf(input.controlRows.filter((x) => x.cluster === c.cluster)),
        first: scoreAt(series?.score ?? [], firstRun?.id),
        risk: riskRecorded ? (clusterRisk.get(c.cluster) ?? 0) : null,
        firstRisk: riskAt(series?.risk ?? [], firstRun?.id),
        riskWithExceptions: riskRecorded ? (acceptedRisk.get(c.cluster) ?? 0) : null,
      };
    });

  let changes: PeriodSection['changes'] = { new: 0, reopened: 0, resolved: 0, stillOpen: 0, compared: false };
  if (d) {
    changes = { new: 0, reopened: 0, resolved: 0, stillOpen: 0, compared: true };
    const control = controlFilter(input.framework);
    // Failing findings only: an unknown that became readable is not a change of posture.
    const keep = <T extends { controlId: string; status: string }>(l: T[]) => l.filter((e) => e.status === 'fail' && control(e.controlId));
    for (const c of d.clusters.filter((x) => inScope(x.cluster))) {
      changes.new += keep(c.new).length;
      changes.reopened += keep(c.reopened).length;
      changes.resolved += keep(c.resolved).length;
      changes.stillOpen += keep(c.stillOpen).length;
    }
  }

  const riskByRun = new Map(t.risk.map((p) => [p.runId, p.risk]));
  const points = (score: ReadonlyArray<{ runId: string; at: string; score: number | null }>, risk: Map<string, number>): TrendPoint[] =>
    score.map((p) => ({ runId: p.runId, at: p.at, score: p.score, risk: risk.get(p.runId) ?? null }));

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    runs: finished.length,
    ...(firstRun ? { firstRunId: firstRun.id } : {}),
    fleet: {
      score: scoreOf(input.controlRows.filter((x) => inScope(x.cluster))),
      first: scoreAt(t.score, firstRun?.id),
      risk: fleetRisk,
      firstRisk: riskAt(t.risk, firstRun?.id),
      riskWithExceptions: riskRecorded ? Math.round([...acceptedRisk].filter(([c]) => inScope(c)).reduce((sum, [, r]) => sum + r, 0) * 1000) / 1000 : null,
    },
    clusters,
    trend: {
      fleet: points(t.score, riskByRun),
      clusters: t.clusters.map((c) => ({ cluster: c.cluster, points: points(c.score, new Map(c.risk.map((p) => [p.runId, p.risk]))) })),
    },
    changes,
    remediation: {
      resolved: r.all.resolved,
      fixed: r.all.fixed,
      resourceGone: r.all.resourceGone,
      meanDays: finite(r.all.meanDays),
      medianDays: finite(r.all.medianDays),
      bySeverity: r.bySeverity.map((s) => ({ severity: s.key as Severity, resolved: s.resolved, medianDays: finite(s.medianDays) })),
      open: r.open.total,
    },
    topRisks: risks.filter((w) => inScope(w.cluster)).slice(0, input.topRisks ?? 10),
    integrity: {
      chain: input.clusterRows
        .filter((c) => inScope(c.cluster) && c.chain)
        .map((c) => ({
          cluster: c.cluster,
          runId: c.runId,
          seq: c.chain?.seq ?? 0,
          ...(c.snapshotHash ? { snapshotHash: c.snapshotHash } : {}),
          resultsHash: c.chain?.resultsHash ?? '',
          prevChainHash: c.chain?.prevChainHash ?? '',
          chainHash: c.chain?.chainHash ?? '',
        })),
      runIds: [...new Set([...(firstRun ? [firstRun.id] : []), run.id])],
    },
    exceptions: [],
  };
}
