import type { Knex } from 'knex';

/**
 * 007: what a finding episode needs beyond 0.1.0's identity columns.
 * - `discriminator`: part of the identity (and fingerprint) of the second and later verdicts
 *   a control gives on one resource in a scan; NULL for every other episode, whose identity
 *   and fingerprint are unchanged.
 * - `api_version`, `uid`: of the object when the episode opened, where it was read
 *   (reported, not part of the identity). NULL for episodes opened before.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('finding_episodes', (t) => {
    t.text('discriminator').nullable();
    t.string('api_version', 200).nullable();
    t.string('uid', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('finding_episodes', (t) => {
    t.dropColumn('discriminator');
    t.dropColumn('api_version');
    t.dropColumn('uid');
  });
}
