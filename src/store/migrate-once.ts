/**
 * Migrating a store that several processes may open at the same moment (two daemons started
 * together on a new PostgreSQL database, `scan` and `history` on a new SQLite file).
 *
 * complyd applies its migrations itself rather than through knex's migrator: knex guards a
 * migration with a lock row that it sets and clears in the database. When a migration failed
 * and clearing the row lost a race for SQLite's write lock, knex swallowed that error and the
 * row stayed set, so every later open of the file failed with "Migration table is already
 * locked" until someone ran `knex migrate:unlock` by hand (CI saw four openers of one new file
 * all fail that way). The locks used here are the database's own and die with their holder:
 *
 * - PostgreSQL: a session advisory lock around the whole migration, so the others wait and
 *   then find the schema current.
 * - SQLite: the migration is one transaction whose first statement is a write, so it holds the
 *   file's write lock from the start; another opener waits for it (busy_timeout), and one that
 *   still loses is retried with backoff until it finds the work done or the deadline passes.
 *
 * The table keeps knex's layout (id, name, batch, migration_time), so stores migrated by knex
 * (complyd 0.1.0) and stores migrated here read the same; knex's lock table is left unused.
 */
import type { Knex } from 'knex';
import { MIGRATIONS, MIGRATIONS_TABLE, type NamedMigration } from './migrations/index.js';

/** pg_advisory_lock key of complyd's migrations: "cmpl" "migr" as two 32-bit halves. */
const PG_MIGRATION_LOCK = [0x636d706c, 0x6d696772] as const;
/** How long a SQLite opener keeps retrying while another process migrates. */
const SQLITE_RACE_DEADLINE_MS = 30_000;
/** What a SQLite opener sees when another one migrates the same file at the same time. */
const LOST_RACE = /SQLITE_BUSY|database is locked|already exists/i;

export async function migrateOnce(db: Knex, kind: 'sqlite' | 'postgres', migrations: readonly NamedMigration[] = MIGRATIONS): Promise<void> {
  const migrate = () => applyPending(db, migrations);
  if (kind === 'postgres') await withPgAdvisoryLock(db, migrate);
  else await retryLostRaces(migrate, SQLITE_RACE_DEADLINE_MS);
}

interface AppliedRow {
  name: string;
  batch: number | string | null;
}

/** Applies the migrations not yet recorded, in order, in one transaction, as one batch. */
async function applyPending(db: Knex, migrations: readonly NamedMigration[]): Promise<void> {
  await ensureMigrationsTable(db);
  // A store already current is opened without taking the write lock, so `history` can open a
  // SQLite file while a daemon writes a large run to it.
  if (pendingOf(migrations, await appliedRows(db)).length === 0) return;
  await db.transaction(async (trx) => {
    // A write first: it takes SQLite's write lock before anything is read, so what is read next
    // cannot be overtaken by another opener (PostgreSQL is already serialised by the advisory lock).
    await trx(MIGRATIONS_TABLE).where('id', -1).delete();
    const applied = await appliedRows(trx);
    const pending = pendingOf(migrations, applied);
    const batch = Math.max(0, ...applied.map((r) => Number(r.batch) || 0)) + 1;
    for (const m of pending) {
      await m.migration.up(trx);
      await trx(MIGRATIONS_TABLE).insert({ name: m.name, batch, migration_time: new Date() });
    }
  });
}

async function ensureMigrationsTable(db: Knex): Promise<void> {
  if (await db.schema.hasTable(MIGRATIONS_TABLE)) return;
  try {
    await db.schema.createTable(MIGRATIONS_TABLE, (t) => {
      t.increments('id').primary();
      t.string('name');
      t.integer('batch');
      t.timestamp('migration_time');
    });
  } catch (err) {
    // Another opener created it between the check and here: that is the table wanted.
    if (!(await db.schema.hasTable(MIGRATIONS_TABLE))) throw err;
  }
}

async function appliedRows(db: Knex): Promise<AppliedRow[]> {
  return (await db(MIGRATIONS_TABLE).select('name', 'batch').orderBy('id')) as AppliedRow[];
}

/**
 * The migrations still to apply. A recorded migration this release does not know means a newer
 * complyd wrote the store: opening it would read a schema this code does not understand.
 */
function pendingOf(migrations: readonly NamedMigration[], applied: readonly AppliedRow[]): NamedMigration[] {
  const known = new Set(migrations.map((m) => m.name));
  const unknown = applied.map((r) => r.name).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`the store was migrated by a newer complyd (migrations this release does not know: ${unknown.join(', ')}); upgrade complyd to open it`);
  }
  const done = new Set(applied.map((r) => r.name));
  return migrations.filter((m) => !done.has(m.name));
}

async function withPgAdvisoryLock(db: Knex, fn: () => Promise<void>): Promise<void> {
  // A session lock: taken and released on one connection held for the whole migration.
  const conn = (await db.client.acquireConnection()) as unknown;
  try {
    await db.raw('SELECT pg_advisory_lock(?, ?)', [...PG_MIGRATION_LOCK]).connection(conn);
    try {
      await fn();
    } finally {
      await db.raw('SELECT pg_advisory_unlock(?, ?)', [...PG_MIGRATION_LOCK]).connection(conn);
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}

/** Runs `fn` again while it fails the way a lost migration race fails, until `deadlineMs` has passed. */
export async function retryLostRaces(fn: () => Promise<void>, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!LOST_RACE.test(message) || Date.now() >= until) throw err;
      // Jittered, growing waits so the openers do not retry in lockstep.
      await new Promise((r) => setTimeout(r, Math.min(1000, 20 * attempt) * (0.5 + Math.random())));
    }
  }
}
