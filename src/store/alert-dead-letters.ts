import type { Knex } from 'knex';
import { isoTimestamp } from './run-rows.js';
import { attempt } from './store-error.js';

/** An alert delivery that failed for good. */
export interface DeadLetterInput {
  runId: string;
  webhook: string;
  events: readonly string[];
  attempts: number;
  lastError: string;
  /** The body as it would have been sent: never a signing key. */
  body: string;
  at: Date;
}

export interface DeadLetter extends Omit<DeadLetterInput, 'at'> {
  id: number;
  createdAt: string;
}

/** Alerts that could not be delivered, kept for an operator to see and replay. */
export interface AlertDeadLetters {
  record(letter: DeadLetterInput): Promise<void>;
  /** The newest first, at most `limit`. */
  list(limit: number): Promise<DeadLetter[]>;
  /** How many are kept. */
  count(): Promise<number>;
}

const TABLE = 'alert_dead_letters';
/** A body larger than this is cut (it is a record of what was missed, not an archive). */
const MAX_BODY_CHARS = 256 * 1024;
const MAX_ERROR_CHARS = 2000;

interface Row {
  id: number;
  created_at: string;
  run_id: string;
  webhook: string;
  events: string;
  attempts: number;
  last_error: string;
  body: string;
}

export class KnexAlertDeadLetters implements AlertDeadLetters {
  constructor(private readonly db: Knex) {}

  async record(l: DeadLetterInput): Promise<void> {
    await attempt(`cannot record the undelivered alert of webhook ${l.webhook}`, () =>
      this.db(TABLE).insert({
        created_at: isoTimestamp(l.at, 'at'),
        run_id: l.runId,
        webhook: l.webhook,
        events: l.events.join(','),
        attempts: l.attempts,
        last_error: l.lastError.slice(0, MAX_ERROR_CHARS),
        body: l.body.slice(0, MAX_BODY_CHARS),
      }),
    );
  }

  async count(): Promise<number> {
    const row = (await attempt('cannot count undelivered alerts', () => this.db(TABLE).count({ n: '*' }).first())) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async list(limit: number): Promise<DeadLetter[]> {
    const rows = await attempt('cannot list undelivered alerts', () => this.db(TABLE).select('*').orderBy('id', 'desc').limit(Math.max(1, Math.min(limit, 10_000))) as Promise<Row[]>);
    return rows.map((r) => ({
      id: Number(r.id),
      createdAt: r.created_at,
      runId: r.run_id,
      webhook: r.webhook,
      events: r.events === '' ? [] : r.events.split(','),
      attempts: Number(r.attempts),
      lastError: r.last_error,
      body: r.body,
    }));
  }
}
