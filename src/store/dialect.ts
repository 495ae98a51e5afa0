/**
 * What differs between SQLite and PostgreSQL, decided once when the store is built: every
 * query that cannot be written the same on both asks its dialect.
 */
import type { Knex } from 'knex';
import { HEADS, PG_SEQUENCE, SQLITE_SEQUENCE, type Db, type HeadRow } from './history-rows.js';
import { selectPacked } from './packed-rows.js';
import { insertChunked, insertJsonChunks } from './run-rows.js';
import { StoreError } from './store-error.js';

export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** ORDER BY in byte order (PostgreSQL would otherwise use its collation). */
  orderBytewise<Q extends Knex.QueryBuilder>(qb: Q, columns: readonly string[]): Q;
  /**
   * Runs `query` (a builder without a select list) selecting `columns` (`col`, `t.col`, or
   * `t.col as alias`); the rows are keyed by column name or alias. For reads of many rows.
   */
  selectRows<T>(db: Db, query: Knex.QueryBuilder, columns: readonly string[]): Promise<T[]>;
  /** The next number of the store's sequence. */
  nextSeq(trx: Knex.Transaction): Promise<number>;
  /**
   * Takes the next seq and the cluster's head row, holding the cluster against concurrent
   * writers until the transaction ends, so two writers never append to one chain at once.
   */
  lockCluster(trx: Knex.Transaction, cluster: string): Promise<{ seq: number; head: HeadRow | undefined }>;
  /** Holds the rows a read returns against concurrent updates until the transaction ends. */
  forShare(qb: Knex.QueryBuilder): Knex.QueryBuilder;
  /** Inserts many rows (`columnCount` columns each) in as few statements as the engine takes well. */
  insertRows(trx: Knex.Transaction, table: string, columnCount: number, rows: readonly object[]): Promise<void>;
}

const sqlite: SqlDialect = {
  name: 'sqlite',
  orderBytewise: (qb, columns) => {
    for (const c of columns) qb.orderBy(c);
    return qb;
  },
  // node-sqlite3 builds rows slowly: see packed-rows.ts.
  selectRows: selectPacked,
  async nextSeq(trx) {
    // The transaction's first write, so it takes SQLite's write lock: the transaction then runs alone.
    await trx(SQLITE_SEQUENCE).where({ name: 'seq' }).increment('value', 1);
    const row = (await trx(SQLITE_SEQUENCE).select('value').where({ name: 'seq' }).first()) as { value: number } | undefined;
    if (!row) throw new StoreError('the store sequence is missing (complyd_sequence)');
    return Number(row.value);
  },
  async lockCluster(trx, cluster) {
    const seq = await sqlite.nextSeq(trx);
    return { seq, head: (await trx(HEADS).where({ cluster }).first()) as HeadRow | undefined };
  },
  // The write lock taken by nextSeq already holds everything.
  forShare: (qb) => qb,
  insertRows: (trx, table, _columnCount, rows) => insertJsonChunks(trx, table, rows),
};

const postgres: SqlDialect = {
  name: 'postgres',
  orderBytewise: (qb, columns) => {
    for (const c of columns) qb.orderByRaw('?? collate "C"', [c]);
    return qb;
  },
  selectRows: async <T>(_db: Db, query: Knex.QueryBuilder, columns: readonly string[]) => (await query.select(columns)) as T[],
  async nextSeq(trx) {
    const res = (await trx.raw('SELECT nextval(?) AS v', [PG_SEQUENCE])) as { rows: Array<{ v: string | number }> };
    return Number(res.rows[0]?.v);
  },
  async lockCluster(trx, cluster) {
    await trx(HEADS).insert({ cluster }).onConflict('cluster').ignore();
    const head = (await trx(HEADS).where({ cluster }).forUpdate().first()) as HeadRow | undefined;
    return { seq: await postgres.nextSeq(trx), head };
  },
  forShare: (qb) => qb.forShare(),
  insertRows: insertChunked,
};

/** The dialect of an open database. */
export function dialectOf(db: Knex): SqlDialect {
  return (db.client as { config: { client?: unknown } }).config.client === 'pg' ? postgres : sqlite;
}
