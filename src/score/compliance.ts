import type { Severity } from '../core/types.js';
import { emptyCounts, type StatusCounts } from '../core/status.js';
import { SEVERITY_WEIGHT } from './weights.js';

/** The per-control counts a score is computed from (one control, one cluster, one run). */
export interface ControlCounts {
  controlId: string;
  severity: Severity;
  counts: StatusCounts;
}

export interface ComplianceScore {
  /**
   * Severity-weighted share of decided checks that passed, 0..100:
   *   100 × Σ w(severity) × pass  /  Σ w(severity) × (pass + fail)
   * null when nothing was decided. Unknown, manual, not-applicable and error results are
   * never counted as passed; they are reported beside the score.
   */
  score: number | null;
  counts: StatusCounts;
  weightedPass: number;
  weightedDecided: number;
}

export function complianceScore(rows: Iterable<ControlCounts>): ComplianceScore {
  const counts = emptyCounts();
  let weightedPass = 0;
  let weightedDecided = 0;
  for (const r of rows) {
    const w = SEVERITY_WEIGHT[r.severity];
    weightedPass += w * r.counts.pass;
    weightedDecided += w * (r.counts.pass + r.counts.fail);
    for (const k of Object.keys(counts) as Array<keyof StatusCounts>) counts[k] += r.counts[k];
  }
  return { score: weightedDecided === 0 ? null : (100 * weightedPass) / weightedDecided, counts, weightedPass, weightedDecided };
}
