import type { Knex } from 'knex';

/**
 * 011: each cluster scan's connectivity (issue 17, ADR 0017).
 * - `network_blobs`: one row per distinct analysis (connections and exposure), addressed by
 *   the SHA-256 of its canonical JSON and kept gzipped, so an unchanged cluster adds no blob.
 *   `size` is the JSON's length in bytes, before compression.
 * - `run_clusters.network_digest`: the blob of the scan's connectivity; NULL before 011, for
 *   failed scans and when it was not kept. From 011 on it is part of the row's chain hash
 *   (rows without it hash as before). Retention may delete an old blob; the digest stays.
 * - `run_clusters.network_note`: why an assessed scan has no connectivity (evidence missing,
 *   over the size cap). Not hashed: it explains an absence, it is no result.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('network_blobs', (t) => {
    t.string('digest', 64).primary();
    t.integer('size').notNullable();
    t.binary('body').notNullable();
    t.text('created_at').notNullable();
  });
  await knex.schema.alterTable('run_clusters', (t) => {
    t.string('network_digest', 64).nullable();
    t.text('network_note').nullable();
    t.index(['network_digest']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('run_clusters', (t) => {
    t.dropIndex(['network_digest']);
    t.dropColumn('network_note');
    t.dropColumn('network_digest');
  });
  await knex.schema.dropTableIfExists('network_blobs');
}
