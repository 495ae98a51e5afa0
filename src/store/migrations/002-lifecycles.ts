import type { Knex } from 'knex';

/**
 * 002: finding lifecycles, aggregate spans and the per-cluster hash chain.
 *
 * Additive: 001's tables stay, and what they hold stays readable (the store reads a run
 * recorded before 002 from `findings` / `control_results`, one recorded after it from the
 * tables below). Runs recorded from now on write no `findings` / `control_results` rows.
 * Lifecycles start with the first run recorded after 002: findings that were already
 * failing before it are "first seen" in that run (their older per-run rows stay readable).
 *
 * - `runs.seq`, `run_clusters.seq`: one increasing sequence, shared by both tables. A run
 *   takes its number when it begins, a cluster's part of a run when it is recorded, so the
 *   order of a cluster's rows is the order in which their lifecycle changes were applied.
 *   Backfilled here in `started_at` order.
 * - `run_clusters.results_hash / prev_chain_hash / chain_hash`: the hash chain, per cluster.
 *   NULL on rows recorded before 002 (outside the chain).
 * - `cluster_heads`: one row per cluster: its newest row in the chain and its newest
 *   assessed row. Locked while a cluster is recorded (PostgreSQL: FOR UPDATE), so two
 *   replicas never append to one cluster's chain or lifecycles at the same time.
 * - `finding_episodes`: one row per (fingerprint, episode). The current state (status,
 *   severity, evidence) since `state_seq`; `seen` = observed in the cluster's latest
 *   assessed row. Open while `resolved_seq` is NULL.
 * - `finding_revisions`: superseded states of an episode, for [from_seq, to_seq).
 * - `count_spans`: per cluster, status counts per control (dim 'control', key = control id)
 *   and per namespace and severity (dim 'namespace'), valid for the assessed rows of the
 *   cluster with from_seq <= seq < to_seq (to_seq NULL: still current).
 * - `complyd_sequence` (SQLite) / sequence `complyd_seq` (PostgreSQL): the next seq.
 *
 * Frozen once released, like 001: names are spelled out, nothing is imported.
 */

const RESULT_STATUSES = ['pass', 'fail', 'manual', 'not-applicable', 'unknown', 'error'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

function statusCounts(t: Knex.CreateTableBuilder): void {
  for (const c of ['pass', 'fail', 'manual', 'not_applicable', 'unknown', 'error']) {
    t.integer(`${c}_count`).notNullable().defaultTo(0);
  }
}

/** Status, severity and evidence of an episode at some point, and the hash of that evidence. */
function findingState(t: Knex.CreateTableBuilder): void {
  t.integer('seen').notNullable();
  t.enu('status', RESULT_STATUSES).notNullable();
  t.enu('severity', SEVERITIES).notNullable();
  t.text('evidence_path').nullable();
  t.text('observed').nullable();
  t.text('expected').nullable();
  t.text('message').nullable();
  t.string('evidence_hash', 64).notNullable();
  t.integer('evidence_pruned').notNullable().defaultTo(0);
}

function isPostgres(knex: Knex): boolean {
  return knex.client.config.client === 'pg';
}

async function backfillSeq(knex: Knex): Promise<number> {
  const runs = (await knex('runs').select('id').orderBy('started_at').orderBy('id')) as Array<{ id: string }>;
  let seq = 0;
  for (const run of runs) {
    seq += 1;
    await knex('runs').where({ id: run.id }).update({ seq });
    const clusters = (await knex('run_clusters').select('cluster').where({ run_id: run.id }).orderBy('finished_at').orderBy('cluster')) as Array<{
      cluster: string;
    }>;
    for (const c of clusters) {
      seq += 1;
      await knex('run_clusters').where({ run_id: run.id, cluster: c.cluster }).update({ seq });
    }
  }
  return seq;
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.integer('seq').nullable();
  });
  await knex.schema.alterTable('run_clusters', (t) => {
    t.integer('seq').nullable();
    t.string('results_hash', 64).nullable();
    t.string('prev_chain_hash', 64).nullable();
    t.string('chain_hash', 64).nullable();
  });
  const last = await backfillSeq(knex);
  await knex.schema.alterTable('runs', (t) => {
    t.unique(['seq'], { indexName: 'runs_seq_uq' });
  });
  await knex.schema.alterTable('run_clusters', (t) => {
    t.unique(['cluster', 'seq'], { indexName: 'run_clusters_cluster_seq_uq' });
  });

  if (isPostgres(knex)) {
    await knex.raw('CREATE SEQUENCE complyd_seq');
    await knex.raw('SELECT setval(?, ?, ?)', ['complyd_seq', Math.max(last, 1), last > 0]);
  } else {
    await knex.schema.createTable('complyd_sequence', (t) => {
      t.text('name').primary();
      t.integer('value').notNullable();
    });
    await knex('complyd_sequence').insert({ name: 'seq', value: last });
  }

  await knex.schema.createTable('cluster_heads', (t) => {
    t.text('cluster').primary();
    t.integer('head_seq').nullable();
    t.string('head_run_id', 36).nullable();
    t.string('head_chain_hash', 64).nullable();
    t.integer('assessed_seq').nullable();
    t.string('assessed_run_id', 36).nullable();
    t.text('assessed_at').nullable();
  });

  // No foreign keys to runs: a deleted run must leave dangling references that verify reports.
  await knex.schema.createTable('finding_episodes', (t) => {
    t.increments('id').primary();
    t.string('fingerprint', 32).notNullable();
    t.integer('episode').notNullable();
    t.text('cluster').notNullable();
    t.text('control_id').notNullable();
    t.text('kind').notNullable();
    t.text('namespace').nullable();
    t.text('name').notNullable();
    t.text('container').nullable();
    t.string('first_seen_run_id', 36).notNullable();
    t.integer('first_seen_seq').notNullable();
    t.text('first_seen_at').notNullable();
    t.string('last_seen_run_id', 36).nullable();
    t.integer('last_seen_seq').nullable();
    t.text('last_seen_at').nullable();
    t.string('resolved_run_id', 36).nullable();
    t.integer('resolved_seq').nullable();
    t.text('resolved_at').nullable();
    t.enu('resolution', ['fixed', 'resource-gone']).nullable();
    t.integer('state_seq').notNullable();
    findingState(t);
    t.unique(['fingerprint', 'episode'], { indexName: 'finding_episodes_fingerprint_episode_uq' });
    t.index(['cluster', 'resolved_seq'], 'finding_episodes_cluster_resolved_idx');
    t.index(['resolved_at'], 'finding_episodes_resolved_at_idx');
  });

  await knex.schema.createTable('finding_revisions', (t) => {
    t.increments('id').primary();
    t.integer('episode_id').notNullable().references('id').inTable('finding_episodes').onDelete('CASCADE');
    t.integer('from_seq').notNullable();
    t.integer('to_seq').notNullable();
    findingState(t);
    t.index(['episode_id', 'from_seq'], 'finding_revisions_episode_idx');
    t.index(['to_seq'], 'finding_revisions_to_seq_idx');
  });

  await knex.schema.createTable('count_spans', (t) => {
    t.increments('id').primary();
    t.text('cluster').notNullable();
    t.enu('dim', ['control', 'namespace']).notNullable();
    t.text('key').notNullable();
    t.enu('severity', SEVERITIES).notNullable();
    statusCounts(t);
    t.integer('from_seq').notNullable();
    t.integer('to_seq').nullable();
    t.index(['cluster', 'to_seq'], 'count_spans_cluster_to_idx');
    t.index(['cluster', 'dim', 'from_seq'], 'count_spans_cluster_dim_from_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['count_spans', 'finding_revisions', 'finding_episodes', 'cluster_heads', 'complyd_sequence']) {
    await knex.schema.dropTableIfExists(table);
  }
  if (isPostgres(knex)) await knex.raw('DROP SEQUENCE IF EXISTS complyd_seq');
  await knex.schema.alterTable('run_clusters', (t) => {
    t.dropUnique(['cluster', 'seq'], 'run_clusters_cluster_seq_uq');
    t.dropColumns('seq', 'results_hash', 'prev_chain_hash', 'chain_hash');
  });
  await knex.schema.alterTable('runs', (t) => {
    t.dropUnique(['seq'], 'runs_seq_uq');
    t.dropColumn('seq');
  });
}
