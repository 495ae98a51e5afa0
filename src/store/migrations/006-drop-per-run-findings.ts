import type { Knex } from 'knex';

/**
 * 006: one schema generation. The per-run tables of 001 (`findings`, `control_results`),
 * which lifecycles and spans replaced in 002, are dropped; every read goes through episodes
 * and spans. complyd 0.1.0 never wrote to them (it records lifecycles only), so a store it
 * wrote loses nothing.
 *
 * A store with scans recorded before 002 keeps their per-control counts: each
 * `control_results` row becomes a control count span valid at its scan alone
 * ([seq, seq + 1): seqs are unique across the store), so trends keep those points. Their
 * per-run findings are dropped: they predate the lifecycles and the chain, and cannot join
 * either without renumbering episodes that later scans' hashes cover. Those scans stay
 * outside the chain as before (verify counts them as legacy rows).
 *
 * One-way: what the dropped tables held is gone, so `down` refuses.
 *
 * Frozen once released: names are spelled out, nothing is imported.
 */
export async function up(knex: Knex): Promise<void> {
  const counts = ['pass_count', 'fail_count', 'manual_count', 'not_applicable_count', 'unknown_count', 'error_count'];
  await knex.raw(
    `INSERT INTO count_spans (cluster, dim, key, severity, ${counts.join(', ')}, from_seq, to_seq)
     SELECT c.cluster, 'control', c.control_id, c.severity, ${counts.map((n) => `c.${n}`).join(', ')}, rc.seq, rc.seq + 1
     FROM control_results c JOIN run_clusters rc ON rc.run_id = c.run_id AND rc.cluster = c.cluster
     ORDER BY rc.seq, c.control_id`,
  );
  await knex.schema.dropTable('findings');
  await knex.schema.dropTable('control_results');
}

export function down(): Promise<void> {
  return Promise.reject(new Error('migration 006 cannot be undone: the per-run findings it dropped are gone'));
}
