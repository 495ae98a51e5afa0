import type { Knex } from 'knex';

/**
 * 001: runs and what each run observed per cluster.
 *
 * A run is written in steps that are each atomic: `runs` row first (status running), then
 * one transaction per cluster (run_clusters + gaps + control_results + findings), then the
 * final status. A crash leaves a `running` run whose heartbeat goes stale; it is later
 * marked `interrupted`, so a run is either recorded whole or visibly incomplete.
 *
 * Conventions, identical on SQLite and PostgreSQL:
 * - timestamps are ISO-8601 UTC strings (`Date#toISOString`), stored as text, so they
 *   compare and sort the same everywhere;
 * - booleans are integers 0/1; JSON is text;
 * - closed vocabularies are CHECK constraints (knex `enu`), open ones (trigger) are text.
 *
 * `findings` holds per-run observations of non-pass results. Finding lifecycles (first
 * seen, last seen, resolved) are meant to come as an additive migration: a new table keyed
 * by `fingerprint` (e.g. `finding_lifecycles`), backfilled from this one.
 *
 * This file is frozen once released: table and column names are spelled out here, not
 * imported, so later code changes cannot alter what this migration did.
 */

const RUN_STATUSES = ['running', 'complete', 'partial', 'failed', 'interrupted'];
const CLUSTER_STATUSES = ['complete', 'partial', 'failed'];
const RESULT_STATUSES = ['pass', 'fail', 'manual', 'not-applicable', 'unknown', 'error'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

function statusCounts(t: Knex.CreateTableBuilder): void {
  for (const c of ['pass', 'fail', 'manual', 'not_applicable', 'unknown', 'error']) {
    t.integer(`${c}_count`).notNullable().defaultTo(0);
  }
}

/** A child of run_clusters: deleted with it, impossible without it. */
function clusterChild(t: Knex.CreateTableBuilder): void {
  t.string('run_id', 36).notNullable();
  t.text('cluster').notNullable();
  t.foreign(['run_id', 'cluster']).references(['run_id', 'cluster']).inTable('run_clusters').onDelete('CASCADE');
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('runs', (t) => {
    t.string('id', 36).primary();
    t.text('started_at').notNullable();
    t.text('finished_at').nullable();
    t.enu('status', RUN_STATUSES).notNullable();
    t.text('trigger').notNullable();
    t.text('catalog_version').notNullable();
    t.text('complyd_version').notNullable();
    t.integer('cluster_count').notNullable();
    t.text('owner').notNullable();
    t.text('heartbeat_at').notNullable();
    t.index(['status', 'started_at'], 'runs_status_started_at_idx');
  });

  await knex.schema.createTable('run_clusters', (t) => {
    t.string('run_id', 36).notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.text('cluster').notNullable();
    t.text('labels').notNullable();
    t.enu('status', CLUSTER_STATUSES).notNullable();
    t.text('started_at').notNullable();
    t.text('finished_at').notNullable();
    t.text('provider').nullable();
    t.text('server_version').nullable();
    t.text('object_counts').notNullable();
    t.integer('object_total').notNullable();
    t.text('snapshot_hash').nullable();
    t.text('error').nullable();
    statusCounts(t);
    t.primary(['run_id', 'cluster']);
  });

  await knex.schema.createTable('gaps', (t) => {
    t.bigIncrements('id').primary();
    clusterChild(t);
    t.text('evidence').notNullable();
    t.text('reason').notNullable();
    t.text('message').notNullable();
    t.index(['run_id', 'cluster'], 'gaps_run_cluster_idx');
  });

  await knex.schema.createTable('control_results', (t) => {
    clusterChild(t);
    t.text('control_id').notNullable();
    t.enu('severity', SEVERITIES).notNullable();
    t.enu('status', RESULT_STATUSES).notNullable();
    statusCounts(t);
    t.primary(['run_id', 'cluster', 'control_id']);
  });

  await knex.schema.createTable('findings', (t) => {
    t.bigIncrements('id').primary();
    clusterChild(t);
    t.text('control_id').notNullable();
    t.string('fingerprint', 64).notNullable();
    t.enu('status', RESULT_STATUSES).notNullable();
    t.enu('severity', SEVERITIES).notNullable();
    t.text('kind').notNullable();
    t.text('namespace').nullable();
    t.text('name').notNullable();
    t.text('container').nullable();
    t.text('evidence_path').nullable();
    t.text('observed').nullable();
    t.text('expected').nullable();
    t.text('message').nullable();
    t.index(['run_id', 'cluster'], 'findings_run_cluster_idx');
    t.index(['fingerprint'], 'findings_fingerprint_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['findings', 'control_results', 'gaps', 'run_clusters', 'runs']) {
    await knex.schema.dropTableIfExists(table);
  }
}
