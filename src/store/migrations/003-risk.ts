import type { Knex } from 'knex';

/**
 * 003: workload risk kept as spans, like the count spans of 002.
 *
 * `risk_spans`: per cluster, one row per workload with a failing finding (`workload` =
 * `Kind/namespace/name`), its risk, the severity and exposure it is the product of, and its
 * factors (JSON: factor, contribution, reason), valid for the assessed rows of the cluster
 * with from_seq <= seq < to_seq (to_seq NULL: still current). A scan that changes nothing
 * about a workload's risk writes nothing.
 * `run_clusters.risk_recorded`: 1 when the scan's risk was recorded; NULL before 003 (and
 * for scans recorded without it), so a risk series never shows a false zero.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('run_clusters', (t) => {
    t.integer('risk_recorded').nullable();
  });
  await knex.schema.createTable('risk_spans', (t) => {
    t.increments('id').primary();
    t.text('cluster').notNullable();
    t.text('workload').notNullable();
    t.text('kind').notNullable();
    t.text('namespace').nullable();
    t.text('name').notNullable();
    t.double('risk').notNullable();
    t.double('severity').notNullable();
    t.double('exposure').notNullable();
    t.integer('failing').notNullable();
    t.text('factors').notNullable();
    t.integer('from_seq').notNullable();
    t.integer('to_seq').nullable();
    t.index(['cluster', 'to_seq'], 'risk_spans_cluster_to_idx');
    t.index(['cluster', 'from_seq'], 'risk_spans_cluster_from_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('risk_spans');
  await knex.schema.alterTable('run_clusters', (t) => {
    t.dropColumn('risk_recorded');
  });
}
