/**
 * The run store's tables as SQL sees them: names, explicit column lists, row shapes, and
 * the mappers between rows and run-types. No query runs here.
 */
import type { ClusterPosture } from '../core/admission.js';
import type { Knex } from 'knex';
import type { ClusterScanStatus, Finding, GapReason, Provider, ResourceKind, ResourceRef, Status } from '../core/types.js';
import { STATUSES } from '../core/types.js';
import type { StatusCounts } from '../core/status.js';
import type { ClusterResult, Run, RunStatus, StoredGap } from './run-types.js';
import { StoreError } from './store-error.js';

export const RUNS = 'runs';
export const RUN_CLUSTERS = 'run_clusters';
export const GAPS = 'gaps';

const COUNT_COLUMN = {
  pass: 'pass_count',
  fail: 'fail_count',
  manual: 'manual_count',
  'not-applicable': 'not_applicable_count',
  unknown: 'unknown_count',
  error: 'error_count',
} as const satisfies Record<Status, string>;
type CountColumn = (typeof COUNT_COLUMN)[Status];
/** The status count columns of run_clusters and of the spans. */
export const COUNT_COLUMNS: readonly string[] = STATUSES.map((s) => COUNT_COLUMN[s]);

export const RUN_COLUMNS = [
  'id',
  'seq',
  'started_at',
  'finished_at',
  'status',
  'trigger',
  'catalog_version',
  'complyd_version',
  'cluster_count',
  'owner',
  'heartbeat_at',
  'exceptions_digest',
];
export const RUN_CLUSTER_COLUMNS = [
  'run_id',
  'cluster',
  'labels',
  'status',
  'started_at',
  'finished_at',
  'provider',
  'server_version',
  'object_counts',
  'object_total',
  'snapshot_hash',
  'error',
  'seq',
  'results_hash',
  'prev_chain_hash',
  'chain_hash',
  ...COUNT_COLUMNS,
  'profile',
  'frameworks',
  'posture',
  'network_digest',
  'network_note',
];
export const GAP_COLUMNS = ['run_id', 'cluster', 'evidence', 'reason', 'message'];

/**
 * Rows per INSERT. SQLite compiles a multi-row insert as `SELECT ... UNION ALL SELECT ...`,
 * limited to 500 terms, and each statement to 32766 bound values; PostgreSQL to 65535.
 */
const MAX_ROWS_PER_INSERT = 500;
const MAX_VALUES_PER_INSERT = 30_000;

/** pg returns some integers as strings; mappers go through Number(). */
type CountRow = Record<CountColumn, number | string>;

export interface RunRow {
  id: string;
  seq: number | string;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  trigger: string;
  catalog_version: string;
  complyd_version: string;
  cluster_count: number | string;
  owner: string;
  heartbeat_at: string;
  /** NULL for runs recorded before migration 008. */
  exceptions_digest: string | null;
}

export interface RunClusterRow extends CountRow {
  run_id: string;
  cluster: string;
  labels: string;
  status: ClusterScanStatus;
  started_at: string;
  finished_at: string;
  provider: string | null;
  server_version: string | null;
  object_counts: string;
  object_total: number | string;
  snapshot_hash: string | null;
  error: string | null;
  seq?: number | string | null;
  results_hash?: string | null;
  prev_chain_hash?: string | null;
  chain_hash?: string | null;
  /** NULL: in no profile, or recorded before migration 010. */
  profile?: string | null;
  /** JSON array; NULL before migration 010. */
  frameworks?: string | null;
  /** JSON (core/admission.ts ClusterPosture); NULL before migration 012 and for scans without one. */
  posture?: string | null;
  /** SHA-256 of its connectivity in network_blobs; NULL before migration 011 and for scans without one. */
  network_digest?: string | null;
  /** Why an assessed scan kept no connectivity. */
  network_note?: string | null;
}

export interface GapRow {
  run_id: string;
  cluster: string;
  evidence: string;
  reason: string;
  message: string;
}



export function countsToRow(counts: StatusCounts): Record<CountColumn, number> {
  const row = {} as Record<CountColumn, number>;
  for (const s of STATUSES) row[COUNT_COLUMN[s]] = counts[s];
  return row;
}

/** The status counts of a row holding the count columns (a run_clusters row, a span). */
export function countsOf(row: object): StatusCounts {
  const r = row as Partial<CountRow>;
  const counts = {} as StatusCounts;
  for (const s of STATUSES) counts[s] = Number(r[COUNT_COLUMN[s]]);
  return counts;
}

export function rowToRun(row: RunRow): Run {
  return {
    id: row.id,
    seq: Number(row.seq),
    startedAt: row.started_at,
    ...(row.finished_at !== null && { finishedAt: row.finished_at }),
    status: row.status,
    trigger: row.trigger,
    catalogVersion: row.catalog_version,
    complydVersion: row.complyd_version,
    clusterCount: Number(row.cluster_count),
    owner: row.owner,
    heartbeatAt: row.heartbeat_at,
    ...(row.exceptions_digest !== null && row.exceptions_digest !== undefined && { exceptionsDigest: row.exceptions_digest }),
  };
}

export function rowToClusterResult(row: RunClusterRow): ClusterResult {
  return {
    runId: row.run_id,
    cluster: row.cluster,
    labels: parseJson(row.labels, 'run_clusters.labels') as Record<string, string>,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    ...(row.provider !== null && { provider: row.provider as Provider }),
    ...(row.server_version !== null && { serverVersion: row.server_version }),
    objectCounts: parseJson(row.object_counts, 'run_clusters.object_counts') as Partial<Record<ResourceKind, number>>,
    objectTotal: Number(row.object_total),
    ...(row.snapshot_hash !== null && { snapshotHash: row.snapshot_hash }),
    ...(row.error !== null && { error: row.error }),
    counts: countsOf(row),
    ...(typeof row.profile === 'string' && { profile: row.profile }),
    ...(typeof row.frameworks === 'string' && { frameworks: parseJson(row.frameworks, 'run_clusters.frameworks') as string[] }),
    ...(typeof row.posture === 'string' && { posture: parseJson(row.posture, 'run_clusters.posture') as ClusterPosture }),
    ...(typeof row.network_digest === 'string' && { networkDigest: row.network_digest }),
    ...(typeof row.network_note === 'string' && { networkNote: row.network_note }),
    ...(row.chain_hash && row.results_hash && row.prev_chain_hash && row.seq !== null && row.seq !== undefined
      ? { chain: { seq: Number(row.seq), resultsHash: row.results_hash, prevChainHash: row.prev_chain_hash, chainHash: row.chain_hash } }
      : {}),
  };
}



/** The resource columns of finding episodes. */
export function resourceOfRow(row: { kind: string; namespace: string | null; name: string; container: string | null; api_version?: string | null; uid?: string | null }): ResourceRef {
  return {
    kind: row.kind,
    ...(row.namespace !== null && { namespace: row.namespace }),
    name: row.name,
    ...(row.container !== null && { container: row.container }),
    ...(typeof row.api_version === 'string' && { apiVersion: row.api_version }),
    ...(typeof row.uid === 'string' && { uid: row.uid }),
  };
}

/**
 * Evidence and message columns (NULL: absent) shared by episodes and revisions;
 * columns not selected (a read without evidence) count as absent too.
 */
export function evidenceOfRow(row: { evidence_path?: string | null; observed?: string | null; expected?: string | null; message?: string | null }): Pick<Finding, 'evidence' | 'message'> {
  const path = row.evidence_path ?? null;
  const message = row.message ?? null;
  return {
    ...(path !== null && { evidence: { path, observed: row.observed ?? '', expected: row.expected ?? '' } }),
    ...(message !== null && { message }),
  };
}

export function rowToGap(row: GapRow): StoredGap {
  return {
    runId: row.run_id,
    cluster: row.cluster,
    evidence: row.evidence,
    reason: row.reason as GapReason,
    message: row.message,
  };
}

function parseJson(text: string, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StoreError(`${column} holds invalid JSON`, { cause: err });
  }
}

/** A timestamp as stored: ISO-8601 UTC, so text order is time order on every database. */
export function isoTimestamp(value: Date | string, what: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new StoreError(`${what} is not a valid timestamp: ${String(value)}`);
  return d.toISOString();
}

function* chunks<T>(rows: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Inserts `rows` with knex's multi-row insert, a few hundred rows at a time (PostgreSQL's way;
 * SQLite's is insertJsonChunks). The columns are the union of a chunk's keys; a key a row lacks
 * is stored as NULL (knex's `useNullAsDefault`).
 */
export async function insertChunked(trx: Knex.Transaction, table: string, columnCount: number, rows: readonly object[]): Promise<void> {
  const size = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_VALUES_PER_INSERT / columnCount)));
  for (const chunk of chunks(rows, size)) await trx(table).insert(chunk);
}

/**
 * SQLite: one statement per chunk, `INSERT INTO t (columns) SELECT ... FROM json_each(?)`, the
 * chunk bound as one JSON array of row arrays, rows inserted in their order (so ids are
 * assigned as with knex's insert). Bound one by one, a cluster's first write (6,500 new
 * episodes at 10,000 objects) spent most of its CPU in knex placing 170,000 bindings and in
 * node-sqlite3 converting them, and SQLite parsing the `SELECT ... UNION ALL SELECT ...` that
 * knex builds for it. A JSON value reads back as the same SQL value that binding it gave: text
 * as text, integers as INTEGER, other numbers as REAL, null as NULL (the columns' affinity
 * decides the rest, as before); rows hold only strings, finite numbers and null (timestamps
 * are ISO strings). Columns as in insertChunked.
 */
export async function insertJsonChunks(trx: Knex.Transaction, table: string, rows: readonly object[]): Promise<void> {
  for (const chunk of chunks(rows, SQLITE_JSON_ROWS_PER_INSERT)) {
    const columns = [...new Set(chunk.flatMap((r) => Object.keys(r)))];
    if (columns.length === 0) continue;
    const values = chunk.map((row) => {
      const r = row as Record<string, unknown>;
      return columns.map((c) => sqliteJsonValue(r[c], table, c));
    });
    const select = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ');
    await trx.raw(`INSERT INTO ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) SELECT ${select} FROM json_each(?) ORDER BY key`, [JSON.stringify(values)]);
  }
}

/** Rows per SQLite insert statement: one JSON binding, so only memory bounds it. */
const SQLITE_JSON_ROWS_PER_INSERT = 2_000;

/** A value for the JSON path: only what reads back as the SQL value binding it would have given. */
function sqliteJsonValue(v: unknown, table: string, column: string): string | number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new StoreError(`cannot insert into ${table}.${column}: unsupported value ${typeof v === 'number' ? String(v) : typeof v}`);
}
