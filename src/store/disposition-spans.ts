/**
 * Dispositions kept as spans (migration 008): a row holds one episode's disposition (excepted
 * or expired, by which exception) for as long as it does not change, so the history shows when
 * a failure was accepted and when the acceptance lapsed, and an unchanged scan writes nothing.
 * An episode the scan did not observe keeps its span; a resolved one has its span closed.
 */
import type { Knex } from 'knex';
import type { Disposition } from '../core/exception.js';
import type { DispositionEntry } from './chain.js';
import type { SqlDialect } from './dialect.js';
import { idChunks } from './history-rows.js';

export const DISPOSITION_SPANS = 'disposition_spans';
export const DISPOSITION_SPAN_COLUMNS = ['id', 'cluster', 'fingerprint', 'episode', 'disposition', 'exception_id', 'from_seq', 'to_seq'];

export interface DispositionSpanRow {
  id: number | string;
  cluster: string;
  fingerprint: string;
  episode: number | string;
  disposition: string;
  exception_id: string;
  from_seq: number | string;
  to_seq: number | string | null;
}

export interface OpenDispositionSpan extends DispositionEntry {
  id: number;
}

/** An episode open after the scan: its disposition when the scan observed it, `seen: false` otherwise. */
export interface EpisodeDisposition {
  fingerprint: string;
  episode: number;
  seen: boolean;
  disposition: Disposition | undefined;
}

export interface DispositionPlan {
  close: number[];
  insert: DispositionEntry[];
  /** Every disposition holding after the scan: what the results hash covers. */
  current: DispositionEntry[];
}

const episodeKey = (e: { fingerprint: string; episode: number }): string => `${e.fingerprint}#${e.episode}`;

/**
 * Pure: what to close and open, given the open spans of a cluster and its episodes open after
 * the scan. `episodes` is walked once: a large cluster's first scan opens millions, and only
 * those with a span or a disposition leave anything behind.
 */
export function planDispositionSpans(open: readonly OpenDispositionSpan[], episodes: Iterable<EpisodeDisposition>): DispositionPlan {
  const spans = new Map(open.map((s) => [episodeKey(s), s]));
  const plan: DispositionPlan = { close: [], insert: [], current: [] };
  // Only spans are looked up in it: an episode without one need not be remembered.
  const stillOpen = new Set<string>();
  for (const e of episodes) {
    const span = spans.size > 0 ? spans.get(episodeKey(e)) : undefined;
    if (span) stillOpen.add(episodeKey(span));
    if (!e.seen) {
      if (span) plan.current.push(span);
      continue;
    }
    const d = e.disposition;
    if (span && d && span.disposition === d.kind && span.exceptionId === d.exceptionId) {
      plan.current.push(span);
      continue;
    }
    if (span) plan.close.push(span.id);
    if (d) {
      const entry = { fingerprint: e.fingerprint, episode: e.episode, disposition: d.kind, exceptionId: d.exceptionId };
      plan.insert.push(entry);
      plan.current.push(entry);
    }
  }
  // Spans of episodes resolved by this scan end with them.
  for (const [key, s] of spans) if (!stillOpen.has(key)) plan.close.push(s.id);
  return plan;
}

export function rowToDispositionEntry(row: DispositionSpanRow): DispositionEntry {
  return { fingerprint: row.fingerprint, episode: Number(row.episode), disposition: row.disposition, exceptionId: row.exception_id };
}

/** Inside recordCluster's transaction, for an assessed scan; returns the dispositions that hold after it. */
export async function applyDispositionSpans(trx: Knex.Transaction, dialect: SqlDialect, cluster: string, episodes: Iterable<EpisodeDisposition>, seq: number): Promise<DispositionEntry[]> {
  const rows = await dialect.selectRows<DispositionSpanRow>(trx, trx(DISPOSITION_SPANS).where({ cluster }).whereNull('to_seq'), DISPOSITION_SPAN_COLUMNS);
  const plan = planDispositionSpans(
    rows.map((r) => ({ id: Number(r.id), ...rowToDispositionEntry(r) })),
    episodes,
  );
  for (const ids of idChunks(plan.close)) await trx(DISPOSITION_SPANS).whereIn('id', ids).update({ to_seq: seq });
  await dialect.insertRows(
    trx,
    DISPOSITION_SPANS,
    DISPOSITION_SPAN_COLUMNS.length,
    plan.insert.map((d) => ({ cluster, fingerprint: d.fingerprint, episode: d.episode, disposition: d.disposition, exception_id: d.exceptionId, from_seq: seq, to_seq: null })),
  );
  return plan.current;
}
