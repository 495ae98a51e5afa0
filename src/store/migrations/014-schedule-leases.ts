import type { Knex } from 'knex';

/**
 * 014: schedule claims become leases (ADR 0023). A slot's holder keeps it only while it renews
 * `expires_at`; once that passes, another daemon may take the slot over and finish the run the
 * holder began (`run_id`). `released_at` is set when the holder is done with the slot;
 * `takeovers` counts how often the slot changed hands, `lease_ms` is the holder's lease length.
 *
 * Claims made before leases existed are closed: their daemons finished or lost them long ago.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('schedule_claims', (t) => {
    t.text('expires_at').nullable();
    t.integer('lease_ms').nullable();
    t.string('run_id', 64).nullable();
    t.text('released_at').nullable();
    t.integer('takeovers').notNullable().defaultTo(0);
  });
  await knex('schedule_claims').update({ released_at: knex.ref('claimed_at'), expires_at: knex.ref('claimed_at') });
  // The daemons' look for lapsed leases reads the unreleased ones of a job.
  await knex.schema.alterTable('schedule_claims', (t) => {
    t.index(['job', 'released_at'], 'schedule_claims_open');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('schedule_claims', (t) => {
    t.dropIndex(['job', 'released_at'], 'schedule_claims_open');
  });
  await knex.schema.alterTable('schedule_claims', (t) => {
    t.dropColumn('expires_at');
    t.dropColumn('lease_ms');
    t.dropColumn('run_id');
    t.dropColumn('released_at');
    t.dropColumn('takeovers');
  });
}
