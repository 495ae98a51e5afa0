/**
 * The store, given out in parts by use, so that each caller depends on the narrowest one: the
 * scanner writes runs, reports and the history commands read (an HTTP API would too), daemons
 * claim schedule slots, `verify` and retention look after integrity.
 */
import type { Knex } from 'knex';
import { dialectOf } from './dialect.js';
import { KnexHistoryReader, type HistoryReader } from './history-reader.js';
import { KnexStoreIntegrity, type StoreIntegrity } from './integrity.js';
import { KnexRunWriter, type RunWriter } from './run-writer.js';
import { KnexScheduleClaims, type ScheduleClaims } from './schedule-claims.js';
import { KnexAlertDeadLetters, type AlertDeadLetters } from './alert-dead-letters.js';

export type * from './run-types.js';
export type { HistoryReader, RunWriter, ScheduleClaims, StoreIntegrity, AlertDeadLetters };
export type { DeadLetter, DeadLetterInput } from './alert-dead-letters.js';

export interface RunStore {
  readonly runs: RunWriter;
  readonly history: HistoryReader;
  readonly claims: ScheduleClaims;
  readonly integrity: StoreIntegrity;
  /** Alerts whose delivery failed for good (ADR 0022). */
  readonly deadLetters: AlertDeadLetters;
  /** Closes the database under every part. */
  close(): Promise<void>;
}

/** The parts over an open, migrated database; its SQL dialect is chosen here, once. */
export function knexRunStore(db: Knex): RunStore {
  const dialect = dialectOf(db);
  return {
    runs: new KnexRunWriter(db, dialect),
    history: new KnexHistoryReader(db, dialect),
    claims: new KnexScheduleClaims(db),
    integrity: new KnexStoreIntegrity(db, dialect),
    deadLetters: new KnexAlertDeadLetters(db),
    close: () => db.destroy(),
  };
}
