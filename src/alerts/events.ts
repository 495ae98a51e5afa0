/**
 * Alert events: pure. What changed between a cluster's previous scan and the new one, and
 * which exceptions lapsed or came near their expiry since the previous run. The facts are
 * read from the store by facts.ts; nothing here reads a clock or does I/O.
 */

export const ALERT_KINDS = ['score-drop', 'new-critical', 'cluster-not-assessed', 'exception-expired', 'exception-expiring', 'enforcement-drift'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** A critical failing finding, named without its evidence (evidence text never leaves in an alert). */
export interface CriticalFailure {
  fingerprint: string;
  controlId: string;
  /** `Kind/namespace/name` (and `[container]`). */
  resource: string;
  /** An exception in force accepted it: not alerted as new. */
  excepted: boolean;
}

/** One cluster's scan as alerts see it. */
export interface ClusterFacts {
  cluster: string;
  runId: string;
  startedAt: string;
  /** `failed` means the cluster could not be assessed at all. */
  status: 'complete' | 'partial' | 'failed';
  error?: string;
  /** Compliance score as measured, 0..100; null when nothing was decided. */
  score: number | null;
  critical: readonly CriticalFailure[];
  /**
   * Controls whose enforcement at admission is weaker than the profile expects (ADR 0020);
   * absent when the posture was not assessed (then nothing is compared).
   */
  drift?: readonly DriftFact[];
}

/** One control's enforcement drift: what the profile expects and what the cluster does. */
export interface DriftFact {
  controlId: string;
  expected: string;
  state: string;
}

export interface ExceptionFacts {
  id: string;
  owner: string;
  expires: string;
  controls: readonly string[];
}

export interface AlertInput {
  run: { id: string; startedAt: string };
  /** The clusters of the new run. */
  clusters: readonly ClusterFacts[];
  /** Each cluster's latest earlier scan that assessed it, when there is one. */
  previous: ReadonlyMap<string, ClusterFacts>;
  /** When the run before this one started: exception expiries are announced once, in (previousRunAt, now]. */
  previousRunAt?: string;
  exceptions: readonly ExceptionFacts[];
  now: Date;
  thresholds: { scoreDrop: number; expiringWithinMs: number; maxFindings: number };
}

export type AlertEvent =
  | { kind: 'score-drop'; cluster: string; score: number; previousScore: number; drop: number; previousRunId: string }
  | { kind: 'new-critical'; cluster: string; count: number; findings: Array<Pick<CriticalFailure, 'fingerprint' | 'controlId' | 'resource'>> }
  | { kind: 'cluster-not-assessed'; cluster: string; reason: string; lastAssessedAt?: string }
  | { kind: 'exception-expired'; exception: string; owner: string; expires: string; controls: readonly string[] }
  | { kind: 'exception-expiring'; exception: string; owner: string; expires: string; controls: readonly string[] }
  | { kind: 'enforcement-drift'; cluster: string; count: number; controls: DriftFact[] };

/** Scores compared to two decimals: a float's last digit is not a drop. */
const round2 = (n: number): number => Math.round(n * 100) / 100;

export function alertEvents(input: AlertInput): AlertEvent[] {
  const events: AlertEvent[] = [];
  for (const now of input.clusters) {
    const before = input.previous.get(now.cluster);
    if (now.status === 'failed') {
      events.push({ kind: 'cluster-not-assessed', cluster: now.cluster, reason: now.error ?? 'not recorded', ...(before ? { lastAssessedAt: before.startedAt } : {}) });
      continue;
    }
    if (before && before.score !== null && now.score !== null) {
      const drop = round2(before.score - now.score);
      if (drop > input.thresholds.scoreDrop) {
        events.push({ kind: 'score-drop', cluster: now.cluster, score: round2(now.score), previousScore: round2(before.score), drop, previousRunId: before.runId });
      }
    }
    // New: failing now, open (not excepted), and not failing at the previous assessed scan.
    // A cluster seen for the first time has every open critical failure new.
    const known = new Set(before?.critical.map((f) => f.fingerprint) ?? []);
    const fresh = now.critical.filter((f) => !f.excepted && !known.has(f.fingerprint));
    if (fresh.length > 0) {
      const listed = [...fresh].sort((a, b) => a.controlId.localeCompare(b.controlId) || a.resource.localeCompare(b.resource)).slice(0, input.thresholds.maxFindings);
      events.push({ kind: 'new-critical', cluster: now.cluster, count: fresh.length, findings: listed.map(({ fingerprint, controlId, resource }) => ({ fingerprint, controlId, resource })) });
    }
  }
  for (const now of input.clusters) {
    const drift = driftEvent(now, input.previous.get(now.cluster), input.thresholds.maxFindings);
    if (drift) events.push(drift);
  }
  events.push(...exceptionEvents(input));
  return events;
}

/**
 * Controls that drift now and did not at the previous scan whose posture was assessed (all of
 * them for a cluster assessed first): a binding deleted, a namespace relabelled. Without a
 * posture on either side nothing is compared: unknown is not drift.
 */
function driftEvent(now: ClusterFacts, before: ClusterFacts | undefined, max: number): AlertEvent | undefined {
  if (now.status === 'failed' || now.drift === undefined) return undefined;
  const known = new Set(before?.drift?.map((d) => d.controlId) ?? []);
  const fresh = now.drift.filter((d) => !known.has(d.controlId)).sort((a, b) => a.controlId.localeCompare(b.controlId));
  if (fresh.length === 0) return undefined;
  return { kind: 'enforcement-drift', cluster: now.cluster, count: fresh.length, controls: fresh.slice(0, max).map(({ controlId, expected, state }) => ({ controlId, expected, state })) };
}

/**
 * Each expiry is announced once: `expired` when it passed since the previous run, `expiring`
 * when it came within the window since the previous run. Without a previous run, every
 * expired or expiring exception is announced.
 */
function exceptionEvents(input: AlertInput): AlertEvent[] {
  const now = input.now.getTime();
  const since = input.previousRunAt !== undefined ? Date.parse(input.previousRunAt) : Number.NEGATIVE_INFINITY;
  const within = input.thresholds.expiringWithinMs;
  const out: AlertEvent[] = [];
  for (const e of [...input.exceptions].sort((a, b) => a.expires.localeCompare(b.expires) || a.id.localeCompare(b.id))) {
    const expires = Date.parse(e.expires);
    if (Number.isNaN(expires)) continue;
    const fields = { exception: e.id, owner: e.owner, expires: new Date(expires).toISOString(), controls: e.controls };
    if (expires <= now) {
      if (expires > since) out.push({ kind: 'exception-expired', ...fields });
    } else if (expires - within <= now && expires - within > since) {
      out.push({ kind: 'exception-expiring', ...fields });
    }
  }
  return out;
}
