import { AppError } from '../core/errors.js';

/**
 * A storage failure: the database could not be opened, or a write or read failed. The
 * message names what was being done and where; the driver's error is kept as `cause`.
 */
export class StoreError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE', message, options);
  }
}

/** knex prefixes a driver error's message with the statement: `insert into ... - <message>`. */
const KNEX_SQL_PREFIX = /^\s*(?:Error: )?(?:insert|select|update|delete|with|create|alter|drop|pragma)\b[\s\S]*? - /i;

/**
 * The driver's message, for appending to ours, without the SQL statement knex puts in
 * front of it (a batch insert's statement runs to pages). The full error stays the cause.
 */
export function causeMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(KNEX_SQL_PREFIX, '');
}

/** Runs one query; a driver error becomes a StoreError saying what was being done. */
export async function attempt<T>(what: string, query: () => PromiseLike<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    throw new StoreError(`${what}: ${causeMessage(err)}`, { cause: err });
  }
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A primary-key or unique constraint was violated (PostgreSQL 23505, SQLite UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  if (code === '23505') return true;
  return code === 'SQLITE_CONSTRAINT' && /UNIQUE constraint failed/.test(causeMessage(err));
}

/** A foreign-key constraint was violated (PostgreSQL 23503, SQLite FOREIGN KEY). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = codeOf(err);
  if (code === '23503') return true;
  return code === 'SQLITE_CONSTRAINT' && /FOREIGN KEY constraint failed/.test(causeMessage(err));
}
