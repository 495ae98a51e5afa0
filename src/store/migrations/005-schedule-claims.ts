import type { Knex } from 'knex';

/**
 * 005: which daemon took each scheduled slot, so that several daemons sharing one database
 * (replicas on PostgreSQL) run each slot of a job once: the first to insert (job, slot) owns it,
 * the others skip that slot.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('schedule_claims', (t) => {
    t.string('job', 200).notNullable();
    // The slot's scheduled time, ISO 8601 UTC to the second.
    t.string('slot', 30).notNullable();
    t.string('owner', 300).notNullable();
    t.text('claimed_at').notNullable();
    t.primary(['job', 'slot']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('schedule_claims');
}
