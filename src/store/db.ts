import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { inspect } from 'node:util';
import knex, { type Knex } from 'knex';
import type { Logger } from '../core/log.js';
import { migrateOnce } from './migrate-once.js';
import { queueSqliteStatements } from './sqlite-queue.js';
import { StoreError, causeMessage } from './store-error.js';

export { StoreError } from './store-error.js';

export type StorageConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Set on every new SQLite connection (pragmas are per connection). */
const SQLITE_PRAGMAS = [
  'PRAGMA journal_mode = WAL',
  'PRAGMA foreign_keys = ON',
  'PRAGMA busy_timeout = 5000',
  'PRAGMA synchronous = NORMAL',
];

const PG_POOL = { min: 0, max: 5 };
// Errors carry the SQL with placeholders, not the values bound to it (compileSqlOnError: false).
const ACQUIRE_TIMEOUT_MS = 10_000;

/** Settings tests lower to reach the limits quickly; the defaults are the production ones. */
export interface OpenTuning {
  /**
   * How long a statement may wait for a pooled connection (PostgreSQL), or for SQLite's one
   * connection to be opened (waiting in SQLite's statement queue is not bounded: see sqlite-queue.ts).
   * @default 10000
   */
  readonly acquireTimeoutMs?: number;
}

/** The part of a node-sqlite3 connection that afterCreate uses. */
interface SqliteConnection {
  exec(sql: string, callback: (err: Error | null) => void): void;
}

/**
 * Open the database and migrate it to the latest schema. Errors become a StoreError that
 * names the SQLite path or the PostgreSQL host and database (never the URL's credentials).
 */
export async function openDatabase(cfg: StorageConfig, log?: Logger, tuning: OpenTuning = {}): Promise<Knex> {
  const where = describeStorage(cfg);
  let db: Knex | undefined;
  try {
    db = cfg.kind === 'sqlite' ? await openSqlite(cfg.path, log, tuning) : openPostgres(cfg.url, log, tuning);
    await migrateOnce(db, cfg.kind);
    return db;
  } catch (err) {
    if (db) await db.destroy().catch(() => undefined); // the open error is the one to report
    throw new StoreError(`cannot open ${where}: ${causeMessage(err)}`, { cause: err });
  }
}

/** A human-readable, credential-free name for a storage config, for messages and logs. */
export function describeStorage(cfg: StorageConfig): string {
  if (cfg.kind === 'sqlite') return `SQLite database ${cfg.path}`;
  const url = parsePostgresUrl(cfg.url);
  const port = url.port ? `:${url.port}` : '';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
  return `PostgreSQL database ${database} on ${url.hostname || 'localhost'}${port}`;
}

function parsePostgresUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // No cause: URL errors carry the input, password included.
    throw new StoreError('invalid PostgreSQL URL: expected postgres://user@host:port/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new StoreError(`invalid PostgreSQL URL: scheme must be postgres:// or postgresql://, not ${url.protocol}//`);
  }
  return url;
}

/**
 * knex writes its warnings with console.log, which once landed in the middle of `scan -o json`
 * on stdout: they go to the logger (or stderr), like everything else complyd says.
 */
export function knexLog(log: Logger | undefined): Knex.Config['log'] {
  const to = (level: 'debug' | 'warn' | 'error') => (raw: unknown) => {
    const message = firstLine(raw);
    if (log) log[level]({ knex: message }, 'database client');
    else process.stderr.write(`complyd: database client ${level}: ${typeof message === 'string' ? message : inspect(message)}\n`);
  };
  return { debug: to('debug'), warn: to('warn'), error: to('error'), deprecate: to('warn') };
}

/**
 * knex logs some failures with their stack (`Acquire connection error: KnexTimeoutError: …\n    at …`):
 * one line of a log is the message, the stack says nothing to an operator.
 */
function firstLine(message: unknown): unknown {
  if (typeof message !== 'string') return message;
  const end = message.indexOf('\n');
  return end < 0 ? message : message.slice(0, end);
}

async function openSqlite(path: string, log: Logger | undefined, tuning: OpenTuning): Promise<Knex> {
  const inMemory = path === ':memory:' || path.startsWith('file::memory:');
  if (!inMemory) await mkdir(dirname(resolve(path)), { recursive: true });
  return queueSqliteStatements(knex({
    client: 'sqlite3',
    connection: { filename: path },
    useNullAsDefault: true,
    compileSqlOnError: false,
    log: knexLog(log),
    acquireConnectionTimeout: tuning.acquireTimeoutMs ?? ACQUIRE_TIMEOUT_MS,
    pool: {
      // One connection: SQLite allows one writer. Statements wait for it in sqlite-queue.ts, not here.
      min: 1,
      max: 1,
      afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) => {
        conn.exec(SQLITE_PRAGMAS.map((p) => `${p};`).join(' '), (err) => done(err, conn));
      },
    },
  }));
}

function openPostgres(url: string, log: Logger | undefined, tuning: OpenTuning): Knex {
  parsePostgresUrl(url);
  return knex({
    client: 'pg',
    connection: url,
    pool: PG_POOL,
    compileSqlOnError: false,
    log: knexLog(log),
    acquireConnectionTimeout: tuning.acquireTimeoutMs ?? ACQUIRE_TIMEOUT_MS,
  });
}
