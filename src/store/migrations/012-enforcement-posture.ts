import type { Knex } from 'knex';

/**
 * 012: each cluster scan's enforcement posture (ADR 0020).
 * - `run_clusters.posture`: JSON of the scan's posture: per control its state at admission,
 *   what enforces it, namespace coverage, what its profile expected and whether it drifts;
 *   the other engines seen; and the PolicyReports found in the cluster under their source
 *   (their own counts, not re-judged). NULL for scans recorded before 012, failed scans, and
 *   callers that assess no posture. From 012 on it is part of the row's chain hash (rows
 *   without it hash as before).
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('run_clusters', (t) => {
    t.text('posture').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('run_clusters', (t) => {
    t.dropColumn('posture');
  });
}
