/**
 * Enforcement coverage over time: per run, the controls enforced at admission over the
 * controls considered, summed over the clusters in scope that recorded a posture (ADR 0020).
 */
import type { ClusterPosture } from '../core/admission.js';
import type { HistoryReader } from '../store/run-store.js';

export interface EnforcementPoint {
  runId: string;
  at: string;
  /** Clusters with a recorded posture in this run. */
  clusters: number;
  enforced: number;
  considered: number;
  /** enforced / considered, 0..100; null when nothing was considered. */
  coverage: number | null;
  /** Controls expected by a profile and weaker in the cluster. */
  drift: number;
}

/** Sums of a set of postures: what the fleet view and the trend show. */
export function sumPostures(postures: readonly ClusterPosture[]): Omit<EnforcementPoint, 'runId' | 'at'> {
  let enforced = 0;
  let considered = 0;
  let drift = 0;
  for (const p of postures) {
    enforced += p.counts.enforced;
    considered += Object.values(p.counts).reduce((a, b) => a + b, 0);
    drift += p.drift;
  }
  return { clusters: postures.length, enforced, considered, coverage: considered === 0 ? null : (100 * enforced) / considered, drift };
}

/** One point per run given (in that order); a run without any posture in scope gives none. */
export async function enforcementSeries(store: HistoryReader, runs: ReadonlyArray<{ runId: string; at: string }>, keep: (cluster: string) => boolean): Promise<EnforcementPoint[]> {
  const points: EnforcementPoint[] = [];
  for (const r of runs) {
    const postures = (await store.clusterResults(r.runId)).filter((c) => keep(c.cluster)).flatMap((c) => c.posture ?? []);
    if (postures.length > 0) points.push({ runId: r.runId, at: r.at, ...sumPostures(postures) });
  }
  return points;
}
