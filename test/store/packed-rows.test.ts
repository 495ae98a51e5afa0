import { openDatabase } from '../../src/store/db.js';
import { dialectOf } from '../../src/store/dialect.js';
import { describeEachDatabase } from '../helpers/databases.js';

describeEachDatabase('dialect.selectRows', (db) => {
  it('returns the rows a plain select returns: aliases, joins, NULLs, numbers and awkward text', async () => {
    const knex = await openDatabase(await db.fresh());
    try {
      await knex.schema.createTable('packed_a', (t) => {
        t.integer('id').primary();
        t.text('label').nullable();
        t.double('weight').nullable();
      });
      await knex.schema.createTable('packed_b', (t) => {
        t.integer('a_id').notNullable();
        t.text('note').notNullable();
      });
      const labels = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab', 'ünïcödé ✓ 𝔘', null];
      await knex('packed_a').insert(labels.map((label, i) => ({ id: i + 1, label, weight: i === 2 ? null : i * 1.5 })));
      await knex('packed_b').insert([{ a_id: 1, note: 'first' }, { a_id: 3, note: '[1, "x"]' }]);

      const query = () => knex('packed_a as a').leftJoin('packed_b as b', 'b.a_id', 'a.id').orderBy('a.id');
      const columns = ['a.id', 'a.label', 'a.weight as w', 'b.note'];
      const packed = await dialectOf(knex).selectRows<Record<string, unknown>>(knex, query(), columns);
      const plain = (await query().select(columns)) as Array<Record<string, unknown>>;
      expect(packed).toEqual(plain);
      expect(packed.map((r) => r['label'])).toEqual(labels);
      expect(packed[2]).toEqual({ id: 3, label: labels[2], w: null, note: '[1, "x"]' });
      expect(packed[4]?.['w']).toBe(6);
    } finally {
      await knex.destroy();
    }
  });
});
