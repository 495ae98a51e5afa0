import type { Knex } from 'knex';

/**
 * 013: alerts that could not be delivered. One row per webhook and run whose every attempt
 * failed (or whose delivery deadline passed): the body as it would have been sent (it holds no
 * secret: the signing key is never stored), how many attempts were made and the last error, so
 * an operator can see what was missed and replay it.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('alert_dead_letters', (t) => {
    t.increments('id').primary();
    t.text('created_at').notNullable();
    t.string('run_id', 64).notNullable();
    t.string('webhook', 100).notNullable();
    // The event kinds of the body, comma-separated, for listing without parsing the body.
    t.text('events').notNullable();
    t.integer('attempts').notNullable();
    t.text('last_error').notNullable();
    t.text('body').notNullable();
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('alert_dead_letters');
}
