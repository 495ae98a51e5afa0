/**
 * Run one test suite against every database complyd supports: always SQLite (temporary
 * files), and PostgreSQL when COMPLYD_TEST_PG holds a connection URL to a server where the
 * user may CREATE DATABASE (e.g. postgres://postgres@127.0.0.1:5432/test).
 *
 * Each `fresh()` gives an empty database of its own: a new SQLite file, or a new PostgreSQL
 * database `complyd_test_<suite>_<n>` created through that URL. All of them are removed
 * after the suite (`DROP DATABASE ... WITH (FORCE)`, so a leaked pool cannot block it).
 *
 *   describeEachDatabase('RunStore', (db) => {
 *     let knex: Knex;
 *     beforeEach(async () => { knex = await openDatabase(await db.fresh()); });
 *     afterEach(() => knex.destroy());
 *     it('...', ...);
 *   });
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StorageConfig } from '../../src/store/db.js';

export type DatabaseKind = StorageConfig['kind'];

export interface TestDatabase {
  readonly kind: DatabaseKind;
  /** A new, empty database (not migrated); valid until the suite ends. */
  fresh(): Promise<StorageConfig>;
}

interface Provider extends TestDatabase {
  cleanup(): Promise<void>;
}

/** The PostgreSQL URL tests may use, if any. */
export function postgresTestUrl(): string | undefined {
  const url = process.env['COMPLYD_TEST_PG']?.trim();
  return url ? url : undefined;
}

/** The kinds a suite runs against in this environment. */
export function testDatabaseKinds(): DatabaseKind[] {
  return postgresTestUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** `describe(title [kind], fn)` once per available database. */
export function describeEachDatabase(title: string, fn: (db: TestDatabase) => void): void {
  for (const kind of testDatabaseKinds()) {
    describe(`${title} [${kind}]`, () => {
      const provider = kind === 'sqlite' ? sqliteProvider() : postgresProvider(postgresTestUrl() ?? '');
      afterAll(() => provider.cleanup());
      fn(provider);
    });
  }
}

/**
 * `describe(title, fn)` on PostgreSQL only (several processes sharing one database: what
 * replicas do), skipped when COMPLYD_TEST_PG is not set.
 */
export function describePostgres(title: string, fn: (db: TestDatabase) => void): void {
  const url = postgresTestUrl();
  if (!url) {
    describe.skip(`${title} [postgres: COMPLYD_TEST_PG not set]`, () => fn(sqliteProvider()));
    return;
  }
  describe(`${title} [postgres]`, () => {
    const provider = postgresProvider(url);
    afterAll(() => provider.cleanup());
    fn(provider);
  });
}

function sqliteProvider(): Provider {
  let dir: string | undefined;
  let n = 0;
  return {
    kind: 'sqlite',
    async fresh() {
      dir ??= await mkdtemp(join(tmpdir(), 'complyd-test-'));
      n += 1;
      return { kind: 'sqlite', path: join(dir, `db-${n}`, 'complyd.sqlite') };
    },
    async cleanup() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresProvider(adminUrl: string): Provider {
  const suite = randomBytes(4).toString('hex');
  const created: string[] = [];

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  return {
    kind: 'postgres',
    async fresh() {
      const name = `complyd_test_${suite}_${created.length + 1}`;
      await admin((c) => c.query(`CREATE DATABASE "${name}"`));
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return { kind: 'postgres', url: url.toString() };
    },
    async cleanup() {
      if (created.length === 0) return;
      await admin(async (c) => {
        for (const name of created.splice(0)) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
}
