import type { Knex } from 'knex';

/**
 * 010: what each cluster scan was held to.
 * - `run_clusters.profile`: the name of the profile the cluster belonged to when scanned;
 *   NULL for a cluster in no profile (the defaults) and for scans recorded before 010.
 * - `run_clusters.frameworks`: the frameworks whose controls were evaluated, as a JSON array
 *   in catalog order; NULL for scans recorded before 010. From 010 on both are part of the
 *   row's chain hash (rows without them hash as before).
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('run_clusters', (t) => {
    t.text('profile').nullable();
    t.text('frameworks').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('run_clusters', (t) => {
    t.dropColumn('frameworks');
    t.dropColumn('profile');
  });
}
