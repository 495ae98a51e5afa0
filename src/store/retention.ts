/**
 * Retention: evidence text is raw data from the clusters and may be dropped after a while;
 * aggregates, lifecycles and the chain stay (the evidence hash stays too, so pruning does
 * not break verification).
 */
import type { Knex } from 'knex';
import { EPISODES, REVISIONS } from './history-rows.js';
import { FINDINGS, RUNS, RUN_CLUSTERS, isoTimestamp } from './run-rows.js';
import type { PruneResult } from './run-types.js';

/**
 * Blanks observed / expected / message (the field path stays) of:
 * - episodes resolved before `olderThan` (open episodes keep their current evidence),
 * - superseded states (revisions) replaced by a scan that started before `olderThan`,
 * - per-run findings of runs started before `olderThan` and recorded before migration 002
 *   (there the path goes too, as those rows have no flag to say the text was pruned).
 */
export async function pruneEvidence(db: Knex, olderThan: Date): Promise<PruneResult> {
  const cutoff = isoTimestamp(olderThan, 'olderThan');
  const blank = { observed: null, expected: null, message: null, evidence_pruned: 1 };
  return db.transaction(async (trx) => {
    const episodes = await trx(EPISODES).where('evidence_pruned', 0).andWhere('resolved_at', '<', cutoff).update(blank);
    const revisions = await trx(REVISIONS)
      .where('evidence_pruned', 0)
      .whereIn('to_seq', (q) => void q.select('seq').from(RUN_CLUSTERS).where('started_at', '<', cutoff).whereNotNull('seq'))
      .update(blank);
    const legacyFindings = await trx(FINDINGS)
      .whereIn('run_id', (q) => void q.select('id').from(RUNS).where('started_at', '<', cutoff))
      .andWhere((w) => void w.whereNotNull('evidence_path').orWhereNotNull('observed').orWhereNotNull('expected').orWhereNotNull('message'))
      .update({ evidence_path: null, observed: null, expected: null, message: null });
    return { episodes, revisions, legacyFindings };
  });
}
