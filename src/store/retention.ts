/**
 * Retention: evidence text and connectivity are raw data from the clusters and may be dropped
 * after a while; aggregates, lifecycles and the chain stay (the evidence hash and the
 * connectivity digest stay too, so pruning does not break verification).
 */
import type { Knex } from 'knex';
import { EPISODES, REVISIONS } from './history-rows.js';
import { RUN_CLUSTERS, isoTimestamp } from './run-rows.js';
import type { PruneResult } from './run-types.js';
import { pruneNetworkBlobs } from './network-blobs.js';

/**
 * Blanks observed / expected / message (the field path stays) of:
 * - episodes resolved before `olderThan` (open episodes keep their current evidence),
 * - superseded states (revisions) replaced by a scan that started before `olderThan`;
 * and deletes the connectivity blobs only scans older than that refer to (never a cluster's newest).
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
    const networkBlobs = await pruneNetworkBlobs(trx, cutoff);
    return { episodes, revisions, networkBlobs };
  });
}
