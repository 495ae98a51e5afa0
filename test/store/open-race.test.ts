import type { Knex } from 'knex';
import { openDatabase, type StorageConfig } from '../../src/store/db.js';
import { MIGRATIONS_TABLE } from '../../src/store/migrations/index.js';
import { describeEachDatabase } from '../helpers/databases.js';

/** Clients of their own (own connections, own knex migrator), as separate processes would be. */
const OPENERS = 4;

describeEachDatabase('opening a new store from several clients at once', (dbs) => {
  it('migrates it once, and every opener gets a usable store', async () => {
    const cfg: StorageConfig = await dbs.fresh();
    const opened = await Promise.allSettled(Array.from({ length: OPENERS }, () => openDatabase(cfg)));
    const dbList = opened.filter((o): o is PromiseFulfilledResult<Knex> => o.status === 'fulfilled').map((o) => o.value);
    try {
      expect(opened.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
      const first = dbList[0] as Knex;
      const applied = (await first(MIGRATIONS_TABLE).select('name')) as Array<{ name: string }>;
      // Each migration recorded once: no opener ran one a second time.
      expect(new Set(applied.map((m) => m.name)).size).toBe(applied.length);
      expect(applied.length).toBeGreaterThan(0);
      for (const db of dbList) expect(Number(((await db('runs').count({ n: '*' })) as Array<{ n: number | string }>)[0]?.n)).toBe(0);
    } finally {
      await Promise.all(dbList.map((db) => db.destroy()));
    }
    // On SQLite the losers retry for up to 30 s (migrate-once.ts); under a loaded CI machine the
    // race can take most of that, and the opener's own deadline error is what should surface.
  }, 90_000);
});
