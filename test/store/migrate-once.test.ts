import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { openDatabase, type StorageConfig } from '../../src/store/db.js';
import { ComplydMigrationSource, MIGRATIONS, MIGRATIONS_TABLE } from '../../src/store/migrations/index.js';
import { describeEachDatabase } from '../helpers/databases.js';

/** A bare knex client on `cfg`, as complyd 0.1.0 (which migrated through knex's migrator) opened it. */
async function plainKnex(cfg: StorageConfig): Promise<Knex> {
  if (cfg.kind === 'sqlite') await mkdir(dirname(cfg.path), { recursive: true });
  return knexFactory(cfg.kind === 'sqlite' ? { client: 'sqlite3', connection: { filename: cfg.path }, useNullAsDefault: true } : { client: 'pg', connection: cfg.url });
}

async function appliedNames(db: Knex): Promise<string[]> {
  return ((await db(MIGRATIONS_TABLE).select('name').orderBy('id')) as Array<{ name: string }>).map((r) => r.name);
}

describeEachDatabase('migrating a store', (dbs) => {
  it('opens a store whose knex lock row was left taken by a failed migration', async () => {
    const cfg = await dbs.fresh();
    const old = await plainKnex(cfg);
    try {
      await old.migrate.latest({ migrationSource: new ComplydMigrationSource(MIGRATIONS.slice(0, 2)), tableName: MIGRATIONS_TABLE });
      // What knex leaves when clearing its lock loses a race: every later knex migration refuses.
      await old(`${MIGRATIONS_TABLE}_lock`).update({ is_locked: 1 });
    } finally {
      await old.destroy();
    }
    const db = await openDatabase(cfg);
    try {
      expect(await appliedNames(db)).toEqual(MIGRATIONS.map((m) => m.name));
    } finally {
      await db.destroy();
    }
  });

  it('continues a store migrated part of the way by knex: one new batch, nothing applied twice', async () => {
    const cfg = await dbs.fresh();
    const old = await plainKnex(cfg);
    try {
      await old.migrate.latest({ migrationSource: new ComplydMigrationSource(MIGRATIONS.slice(0, 3)), tableName: MIGRATIONS_TABLE });
    } finally {
      await old.destroy();
    }
    const db = await openDatabase(cfg);
    try {
      const rows = (await db(MIGRATIONS_TABLE).select('name', 'batch').orderBy('id')) as Array<{ name: string; batch: number }>;
      expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(rows.slice(0, 3).map((r) => Number(r.batch))).toEqual([1, 1, 1]);
      expect(new Set(rows.slice(3).map((r) => Number(r.batch)))).toEqual(new Set([2]));
    } finally {
      await db.destroy();
    }
    // A second open finds nothing to do and records nothing.
    const again = await openDatabase(cfg);
    try {
      expect(await appliedNames(again)).toHaveLength(MIGRATIONS.length);
    } finally {
      await again.destroy();
    }
  });

  it('refuses a store migrated by a newer complyd, naming the migration it does not know', async () => {
    const cfg = await dbs.fresh();
    const first = await openDatabase(cfg);
    try {
      await first(MIGRATIONS_TABLE).insert({ name: '999_from_the_future', batch: 9, migration_time: new Date() });
    } finally {
      await first.destroy();
    }
    await expect(openDatabase(cfg)).rejects.toThrow(/migrated by a newer complyd.*999_from_the_future/);
  });
});
