/**
 * Reading many rows fast on SQLite (the SQLite dialect's selectRows). node-sqlite3 builds
 * every row object through N-API, one property at a time: about 1 µs per column per row,
 * which dominated the history reads (tens of thousands of episodes of 25+ columns each).
 * Here each row is packed into one JSON text by SQLite itself (json_array, in C) and
 * unpacked with JSON.parse, about 3× faster, with the keys a plain select gives.
 */
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

interface Column {
  /** What SQL selects: `table.column` or `column` (an identifier, quoted by knex). */
  expr: string;
  /** The row key: the alias after ` as `, else the column name. */
  name: string;
}

const parsed = new Map<string, Column>();

function columnOf(spec: string): Column {
  let c = parsed.get(spec);
  if (!c) {
    const m = /^(.+?)\s+as\s+(\w+)$/i.exec(spec);
    const expr = m?.[1] ?? spec;
    c = { expr, name: m?.[2] ?? expr.slice(expr.lastIndexOf('.') + 1) };
    parsed.set(spec, c);
  }
  return c;
}

/**
 * Runs `query` (a builder without a select list) selecting `columns` (`col`, `t.col`, or
 * `t.col as alias`) and returns plain row objects keyed by column name or alias.
 */
export async function selectPacked<T>(db: Db, query: Knex.QueryBuilder, columns: readonly string[]): Promise<T[]> {
  const cols = columns.map(columnOf);
  const packed = (await query.select(db.raw(`json_array(${cols.map(() => '??').join(', ')}) AS packed_row`, cols.map((c) => c.expr)))) as Array<{ packed_row: string }>;
  const toRow = rowFactory(cols.map((c) => c.name)) as (values: unknown[]) => T;
  // Each packed text is let go as soon as it is unpacked: of a large read, only the rows stay.
  const rows: T[] = [];
  for (let i = 0; i < packed.length; i++) {
    rows.push(toRow(JSON.parse((packed[i] as { packed_row: string }).packed_row) as unknown[]));
    (packed as unknown[])[i] = undefined;
  }
  return rows;
}

const factories = new Map<string, (values: unknown[]) => Record<string, unknown>>();

/**
 * A function that turns a row's values into an object with these keys, written as one object
 * literal: V8 then gives every row the same shape at once, where adding 40 keys one by one
 * costs a shape transition each (a third of the read time, on tens of thousands of rows).
 * The names are column names and aliases of this module's callers (`\w+`), checked here.
 */
function rowFactory(names: readonly string[]): (values: unknown[]) => Record<string, unknown> {
  const key = names.join(',');
  let f = factories.get(key);
  if (!f) {
    const bad = names.find((n) => !/^\w+$/.test(n));
    if (bad !== undefined) throw new Error(`selectPacked: not a column name: ${bad}`);
    f = new Function('v', `return { ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')} };`) as (values: unknown[]) => Record<string, unknown>;
    factories.set(key, f);
  }
  return f;
}
