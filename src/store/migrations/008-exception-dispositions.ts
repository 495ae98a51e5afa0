import type { Knex } from 'knex';

/**
 * 008: exceptions in the history.
 * - `runs.exceptions_digest`: SHA-256 of the exception set the run applied (canonical JSON,
 *   see core/exception.ts). NULL for runs recorded before; from 008 on it is part of the
 *   chain hash of every cluster row of the run.
 * - `disposition_spans`: per finding episode (cluster, fingerprint, episode), its disposition
 *   (`excepted` or `expired`) and the exception that gave it, valid for the cluster's
 *   assessed rows with from_seq <= seq < to_seq (to_seq NULL: still current). An open failure
 *   has no row. An unchanged disposition writes nothing; the spans of a run with a digest are
 *   covered by its results hash.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.string('exceptions_digest', 64).nullable();
  });
  await knex.schema.createTable('disposition_spans', (t) => {
    t.increments('id').primary();
    t.text('cluster').notNullable();
    t.string('fingerprint', 32).notNullable();
    t.integer('episode').notNullable();
    t.string('disposition', 16).notNullable();
    t.text('exception_id').notNullable();
    t.integer('from_seq').notNullable();
    t.integer('to_seq').nullable();
    t.index(['cluster', 'to_seq'], 'disposition_spans_cluster_to_idx');
    t.index(['cluster', 'fingerprint', 'episode'], 'disposition_spans_episode_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('disposition_spans');
  await knex.schema.alterTable('runs', (t) => {
    t.dropColumn('exceptions_digest');
  });
}
