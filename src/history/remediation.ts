/**
 * Time to remediate and the age of what is still open, from finding episodes. Pure.
 *
 * Only failing findings count: an `unknown` that becomes readable or a `manual` item is not
 * a remediation. An episode is remediated when it was resolved, either because the resource
 * passed (`fixed`) or because the resource was deleted (`resource-gone`); both are counted,
 * and reported apart.
 */
import type { Severity } from '../core/types.js';
import { groupBy } from '../core/group-by.js';
import type { FindingEpisode, Remediated } from '../store/run-types.js';

const DAY_MS = 86_400_000;

export interface RemediationStat {
  /** The group: a control id, a cluster, a severity, or 'all'. */
  key: string;
  resolved: number;
  fixed: number;
  resourceGone: number;
  /** Days from first seen to resolved. */
  meanDays: number;
  medianDays: number;
  maxDays: number;
}

export type RemediationGroup = 'control' | 'cluster' | 'severity';

export const AGE_BUCKETS = ['0-7', '8-30', '31-90', '>90'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** Days between two ISO instants. */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / DAY_MS;
}

export function median(sorted: ArrayLike<number>): number {
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** `days[i]`: days to resolve `done[i]`; a group is a list of indexes into both. */
function stat(key: string, done: readonly Remediated[], days: Float64Array, group: readonly number[]): RemediationStat {
  const sorted = Float64Array.from(group, (i) => days[i] ?? NaN).sort();
  const sum = sorted.reduce((s, d) => s + d, 0);
  const fixed = group.reduce((n, i) => n + (done[i]?.resolution === 'fixed' ? 1 : 0), 0);
  return {
    key,
    resolved: group.length,
    fixed,
    resourceGone: group.length - fixed,
    meanDays: sorted.length ? sum / sorted.length : NaN,
    medianDays: median(sorted),
    maxDays: sorted.length ? (sorted[sorted.length - 1] ?? NaN) : NaN,
  };
}

/**
 * An episode as a remediation, when it is one: failing at its end, and resolved. The store's
 * `remediated()` read applies the same rule in SQL.
 */
export function remediationOf(e: FindingEpisode): Remediated | undefined {
  if (e.status !== 'fail' || !e.resolved) return undefined;
  return { cluster: e.cluster, controlId: e.controlId, severity: e.severity, firstSeenAt: e.firstSeen.at, resolvedAt: e.resolved.at, resolution: e.resolved.resolution };
}

function groupKey(r: Remediated, by: RemediationGroup): string {
  return by === 'control' ? r.controlId : by === 'cluster' ? r.cluster : r.severity;
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** Overall, and per group (most resolved first; severities in severity order). */
export function timeToRemediate(done: readonly Remediated[], by: RemediationGroup): { all: RemediationStat; groups: RemediationStat[] } {
  const days = Float64Array.from(done, (r) => daysBetween(r.firstSeenAt, r.resolvedAt));
  const groups = groupBy(done.keys(), (i) => groupKey(done[i] as Remediated, by));
  const stats = [...groups.entries()].map(([k, list]) => stat(k, done, days, list));
  stats.sort(
    by === 'severity'
      ? (a, b) => (SEVERITY_ORDER[a.key as Severity] ?? 9) - (SEVERITY_ORDER[b.key as Severity] ?? 9)
      : (a, b) => b.resolved - a.resolved || (a.key < b.key ? -1 : 1),
  );
  return { all: stat('all', done, days, done.map((_, i) => i)), groups: stats };
}

export function ageBucket(days: number): AgeBucket {
  return days <= 7 ? '0-7' : days <= 30 ? '8-30' : days <= 90 ? '31-90' : '>90';
}

/** Open failing findings by age (days since first seen, at `now`), per severity and in total. */
export function openByAge(episodes: Iterable<FindingEpisode>, now: Date): { total: Record<AgeBucket, number>; bySeverity: Record<Severity, Record<AgeBucket, number>>; oldestDays: number | null } {
  const empty = (): Record<AgeBucket, number> => ({ '0-7': 0, '8-30': 0, '31-90': 0, '>90': 0 });
  const total = empty();
  const bySeverity = { critical: empty(), high: empty(), medium: empty(), low: empty(), info: empty() } satisfies Record<Severity, Record<AgeBucket, number>>;
  let oldest: number | null = null;
  for (const e of episodes) {
    // Episodes open at a past point may carry their later resolution: still open at `now`.
    if (e.status !== 'fail' || (e.resolved && Date.parse(e.resolved.at) <= now.getTime())) continue;
    const days = (now.getTime() - Date.parse(e.firstSeen.at)) / DAY_MS;
    const b = ageBucket(days);
    total[b] += 1;
    bySeverity[e.severity][b] += 1;
    oldest = oldest === null ? days : Math.max(oldest, days);
  }
  return { total, bySeverity, oldestDays: oldest };
}
