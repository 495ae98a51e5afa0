/**
 * Score series from stored per-control counts: one point per run for the fleet, one per
 * cluster scan for each cluster. Pure: the store reads the counts, this folds them.
 */
import type { StatusCounts } from '../core/status.js';
import { complianceScore } from '../score/compliance.js';
import type { CountsItem, CountsPoint } from '../store/run-types.js';

export interface ScorePoint {
  runId: string;
  /** The run's start. */
  at: string;
  /** Severity-weighted compliance score 0..100; null when nothing was decided. */
  score: number | null;
  counts: StatusCounts;
  /** Clusters whose scans the point folds (1 for a cluster series). */
  clusters: number;
}

export type ControlFilter = (controlId: string) => boolean;

const everything: ControlFilter = () => true;

function pointOf(runId: string, at: string, scans: readonly CountsPoint[], keep: ControlFilter): ScorePoint {
  const items: CountsItem[] = [];
  for (const s of scans) for (const i of s.items) if (keep(i.key)) items.push(i);
  const score = complianceScore(items.map((i) => ({ controlId: i.key, severity: i.severity, counts: i.counts })));
  return { runId, at, score: score.score, counts: score.counts, clusters: scans.length };
}

/** The fleet's score per run: every cluster assessed in the run, folded together. */
export function fleetScoreSeries(points: readonly CountsPoint[], keep: ControlFilter = everything): ScorePoint[] {
  const byRun = new Map<string, CountsPoint[]>();
  for (const p of points) {
    const list = byRun.get(p.runId) ?? [];
    if (list.length === 0) byRun.set(p.runId, list);
    list.push(p);
  }
  return [...byRun.values()]
    .map((scans) => scans[0] && pointOf(scans[0].runId, scans[0].runStartedAt, scans, keep))
    .filter((p): p is ScorePoint => p !== undefined)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Each cluster's score per scan, clusters in name order. */
export function clusterScoreSeries(points: readonly CountsPoint[], keep: ControlFilter = everything): Map<string, ScorePoint[]> {
  const out = new Map<string, ScorePoint[]>();
  for (const p of [...points].sort((a, b) => a.seq - b.seq)) {
    const list = out.get(p.cluster) ?? [];
    if (list.length === 0) out.set(p.cluster, list);
    list.push(pointOf(p.runId, p.runStartedAt, [p], keep));
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Sum of counts of the kept controls, per control id, over a set of cluster scans. */
export function failingByControl(scans: readonly CountsPoint[], keep: ControlFilter = everything): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of scans) for (const i of s.items) if (keep(i.key)) out.set(i.key, (out.get(i.key) ?? 0) + i.counts.fail);
  return out;
}

/** Each cluster's first and last point by seq (the same point when it has one). */
export function rangeEnds<P extends { cluster: string; seq: number }>(points: readonly P[]): { first: Map<string, P>; last: Map<string, P> } {
  const first = new Map<string, P>();
  const last = new Map<string, P>();
  for (const p of points) {
    const f = first.get(p.cluster);
    if (!f || p.seq < f.seq) first.set(p.cluster, p);
    const l = last.get(p.cluster);
    if (!l || p.seq > l.seq) last.set(p.cluster, p);
  }
  return { first, last };
}

export interface Regression {
  controlId: string;
  severity: string;
  /** Failing resources at the start and at the end of the range (clusters assessed at both ends). */
  before: number;
  after: number;
  delta: number;
}

/**
 * The controls whose failing count grew most between the first and the last scan of each
 * cluster in the range, summed over the fleet; worst first (ties by
 * control id). Clusters with a single scan in the range have no change to report.
 */
export function topRegressions(points: readonly CountsPoint[], keep: ControlFilter = everything, limit = 10): Regression[] {
  const { first, last } = rangeEnds(points);
  const firstScans = [...first.entries()].filter(([c, p]) => last.get(c) !== p).map(([, p]) => p);
  const lastScans = firstScans.map((p) => last.get(p.cluster)).filter((p): p is CountsPoint => p !== undefined);
  const before = failingByControl(firstScans, keep);
  const after = failingByControl(lastScans, keep);
  const severity = new Map<string, string>();
  for (const s of [...firstScans, ...lastScans]) for (const i of s.items) severity.set(i.key, i.severity);
  const out: Regression[] = [];
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(id) ?? 0;
    const a = after.get(id) ?? 0;
    if (a > b) out.push({ controlId: id, severity: severity.get(id) ?? 'info', before: b, after: a, delta: a - b });
  }
  return out.sort((x, y) => y.delta - x.delta || (x.controlId < y.controlId ? -1 : 1)).slice(0, limit);
}
