import type { Knex } from 'knex';

/**
 * 004: each scan's compliance counts per framework kept as spans, so a score trend reads a
 * handful of rows per change instead of every control's spans.
 *
 * `score_spans`: per cluster, status counts per framework (`framework`: a framework id, or
 * `*` for every control evaluated) and severity, summed over the controls that belonged to
 * the framework when the scan was recorded; valid for the assessed rows of the cluster with
 * from_seq <= seq < to_seq (to_seq NULL: still current). A scan whose sums do not change
 * writes nothing.
 * `run_clusters.scores_recorded`: 1 when the scan's score spans were written (and are
 * covered by its results hash); NULL before 004, so a series over older scans falls back
 * to the control spans instead of showing gaps.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('run_clusters', (t) => {
    t.integer('scores_recorded').nullable();
  });
  await knex.schema.createTable('score_spans', (t) => {
    t.increments('id').primary();
    t.text('cluster').notNullable();
    t.text('framework').notNullable();
    t.enu('severity', SEVERITIES).notNullable();
    for (const c of ['pass', 'fail', 'manual', 'not_applicable', 'unknown', 'error']) {
      t.integer(`${c}_count`).notNullable().defaultTo(0);
    }
    t.integer('from_seq').notNullable();
    t.integer('to_seq').nullable();
    t.index(['cluster', 'to_seq'], 'score_spans_cluster_to_idx');
    t.index(['framework', 'cluster', 'from_seq'], 'score_spans_framework_from_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('score_spans');
  await knex.schema.alterTable('run_clusters', (t) => {
    t.dropColumn('scores_recorded');
  });
}
