/**
 * Migrating a store that several processes may open at the same moment (two daemons started
 * together on a new PostgreSQL database, `scan` and `history` on a new SQLite file). knex's
 * migrator is not safe for that on its own: both create its tables (PostgreSQL answers the
 * loser with a duplicate key in pg_type, SQLite with "already exists"), and the one that
 * finds knex's lock row taken gives up at once.
 *
 * - PostgreSQL: a session advisory lock around the whole migration, so the others wait and
 *   then find the schema current.
 * - SQLite: no lock can be held on a second connection without also locking out the migration
 *   itself (the database has one write lock), so a migration that lost such a race is
 *   retried, with backoff, until it finds the work done or the deadline passes.
 */
import type { Knex } from 'knex';
import { ComplydMigrationSource, MIGRATIONS_TABLE } from './migrations/index.js';

/** pg_advisory_lock key of complyd's migrations: "cmpl" "migr" as two 32-bit halves. */
const PG_MIGRATION_LOCK = [0x636d706c, 0x6d696772] as const;
/** How long a SQLite opener keeps retrying while another process migrates. */
const SQLITE_RACE_DEADLINE_MS = 30_000;
/** What a SQLite opener sees when another one migrates the same file at the same time. */
const LOST_RACE = /SQLITE_BUSY|database is locked|already exists|already locked/i;

export async function migrateOnce(db: Knex, kind: 'sqlite' | 'postgres'): Promise<void> {
  const migrate = async () => {
    await db.migrate.latest({ migrationSource: new ComplydMigrationSource(), tableName: MIGRATIONS_TABLE });
  };
  if (kind === 'postgres') await withPgAdvisoryLock(db, migrate);
  else await retryLostRaces(migrate, SQLITE_RACE_DEADLINE_MS);
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
