import { openDatabase } from '../../src/store/db.js';
import { insertJsonChunks } from '../../src/store/run-rows.js';

/** SQLite inserts go through one JSON binding per chunk: they must store what binding each value did. */
describe('insertJsonChunks on SQLite', () => {
  const rows = [
    { t: 'text', i: 3, r: 2.5, big: 3_000_000_000, n: null, s: 'quote " and \\ and \u00e9 and \u{1f600} and %', b: true },
    { t: '', i: -0, r: 1e-7, big: -1, s: '42', b: false }, // no `n`: stored as NULL
  ];
  const columns = ['t', 'i', 'r', 'big', 'n', 's', 'b'];

  async function stored(viaBuilder: boolean) {
    const db = await openDatabase({ kind: 'sqlite', path: ':memory:' });
    try {
      await db.schema.createTable('x', (t) => {
        t.increments('id').primary();
        t.text('t');
        t.integer('i');
        t.float('r');
        t.integer('big');
        t.text('n');
        t.text('s');
        t.integer('b');
      });
      await db.transaction(async (trx) => {
        if (viaBuilder) await trx('x').insert(rows);
        else await insertJsonChunks(trx, 'x', rows);
      });
      return (await db.raw(`SELECT id, ${columns.map((c) => `${c}, typeof(${c}) AS ${c}_type`).join(', ')} FROM x ORDER BY id`)) as unknown[];
    } finally {
      await db.destroy();
    }
  }

  it('stores the same values, of the same SQL types, in the same order as knex binding them', async () => {
    expect(await stored(false)).toEqual(await stored(true));
  });

  it('refuses a value JSON would change', async () => {
    const db = await openDatabase({ kind: 'sqlite', path: ':memory:' });
    try {
      await db.schema.createTable('y', (t) => t.float('v'));
      await expect(db.transaction((trx) => insertJsonChunks(trx, 'y', [{ v: Number.POSITIVE_INFINITY }]))).rejects.toThrow(/unsupported value Infinity/);
      await expect(db.transaction((trx) => insertJsonChunks(trx, 'y', [{ v: new Date(0) }]))).rejects.toThrow(/unsupported value object/);
    } finally {
      await db.destroy();
    }
  });
});
