/**
 * Migration 002's tables as SQL sees them: names, row shapes and mappers. No query runs here.
 */
import type { Knex } from 'knex';
import type { Severity, Status } from '../core/types.js';
import { matchKey } from '../core/fingerprint.js';
import type { EpisodeState, OpenEpisode } from './lifecycle.js';
import type { ClusterRunRef, FindingEpisode, Resolution } from './run-types.js';
import type { Aggregate, OpenSpan, SpanDim } from './spans.js';
import type { RowStrings } from './row-strings.js';
import { COUNT_COLUMNS, countsOf, countsToRow, evidenceOfRow, resourceOfRow } from './run-rows.js';

export const EPISODES = 'finding_episodes';
export const REVISIONS = 'finding_revisions';
export const SPANS = 'count_spans';
export const SCORE_SPANS = 'score_spans';
export const HEADS = 'cluster_heads';
export const SQLITE_SEQUENCE = 'complyd_sequence';
export const PG_SEQUENCE = 'complyd_seq';

export const ASSESSED: readonly string[] = ['complete', 'partial'];

type Num = number | string;

/** State columns, shared by episodes and revisions. */
export interface StateRow {
  seen: Num;
  status: Status;
  severity: Severity;
  evidence_path: string | null;
  observed: string | null;
  expected: string | null;
  message: string | null;
  evidence_hash: string;
  evidence_pruned: Num;
}

export const STATE_COLUMNS = ['seen', 'status', 'severity', 'evidence_path', 'observed', 'expected', 'message', 'evidence_hash', 'evidence_pruned'] as const;

export interface EpisodeRow extends StateRow {
  id: Num;
  fingerprint: string;
  episode: Num;
  cluster: string;
  control_id: string;
  kind: string;
  namespace: string | null;
  name: string;
  container: string | null;
  /** Migration 007; NULL for most episodes (see core/fingerprint.ts). */
  discriminator: string | null;
  api_version: string | null;
  uid: string | null;
  first_seen_run_id: string;
  first_seen_seq: Num;
  first_seen_at: string;
  last_seen_run_id: string | null;
  last_seen_seq: Num | null;
  last_seen_at: string | null;
  resolved_run_id: string | null;
  resolved_seq: Num | null;
  resolved_at: string | null;
  resolution: Resolution | null;
  state_seq: Num;
}

export const EPISODE_COLUMNS = [
  'id',
  'fingerprint',
  'episode',
  'cluster',
  'control_id',
  'kind',
  'namespace',
  'name',
  'container',
  'discriminator',
  'api_version',
  'uid',
  'first_seen_run_id',
  'first_seen_seq',
  'first_seen_at',
  'last_seen_run_id',
  'last_seen_seq',
  'last_seen_at',
  'resolved_run_id',
  'resolved_seq',
  'resolved_at',
  'resolution',
  'state_seq',
  ...STATE_COLUMNS,
] as const;

export interface RevisionRow extends StateRow {
  id: Num;
  episode_id: Num;
  from_seq: Num;
  to_seq: Num;
}

export interface SpanRow {
  id: Num;
  cluster: string;
  /** Absent on score_spans rows. */
  dim?: SpanDim;
  key: string;
  severity: Severity;
  from_seq: Num;
  to_seq: Num | null;
  [count: string]: unknown;
}

export const SPAN_COLUMNS = ['id', 'cluster', 'dim', 'key', 'severity', ...COUNT_COLUMNS, 'from_seq', 'to_seq'];
/** score_spans read as SpanRow (its `framework` as `key`; no dim column: it is always 'framework'). */
export const SCORE_SPAN_COLUMNS = ['id', 'cluster', 'framework as key', 'severity', ...COUNT_COLUMNS, 'from_seq', 'to_seq'];

export interface HeadRow {
  cluster: string;
  head_seq: Num | null;
  head_run_id: string | null;
  head_chain_hash: string | null;
  assessed_seq: Num | null;
  assessed_run_id: string | null;
  assessed_at: string | null;
}

export function rowToState(row: StateRow): EpisodeState {
  return {
    status: row.status,
    severity: row.severity,
    evidencePath: row.evidence_path,
    observed: row.observed,
    expected: row.expected,
    message: row.message,
    evidenceHash: row.evidence_hash,
  };
}

export function stateColumns(state: EpisodeState, seen: boolean): Omit<StateRow, 'evidence_pruned'> {
  return {
    seen: seen ? 1 : 0,
    status: state.status,
    severity: state.severity,
    evidence_path: state.evidencePath,
    observed: state.observed,
    expected: state.expected,
    message: state.message,
    evidence_hash: state.evidenceHash,
  };
}

/** The columns recordCluster loads of an open episode (not the evidence text). */
export const OPEN_EPISODE_COLUMNS = ['id', 'fingerprint', 'episode', 'control_id', 'kind', 'namespace', 'name', 'container', 'discriminator', 'seen', 'state_seq', 'status', 'severity', 'evidence_hash'];

export function rowToOpenEpisode(row: Pick<EpisodeRow, 'id' | 'fingerprint' | 'episode' | 'control_id' | 'kind' | 'namespace' | 'name' | 'container' | 'discriminator' | 'seen' | 'state_seq' | 'status' | 'severity' | 'evidence_hash'>): OpenEpisode {
  const resource = { kind: row.kind, name: row.name, ...(row.namespace !== null && { namespace: row.namespace }), ...(row.container !== null && { container: row.container }) };
  return {
    id: Number(row.id),
    key: matchKey(row.control_id, resource, row.discriminator ?? undefined),
    fingerprint: row.fingerprint,
    episode: Number(row.episode),
    controlId: row.control_id,
    kind: row.kind,
    seen: Number(row.seen) === 1,
    stateSeq: Number(row.state_seq),
    state: { status: row.status, severity: row.severity, evidenceHash: row.evidence_hash },
  };
}

export function rowToOpenSpan(row: SpanRow): OpenSpan {
  return { id: Number(row.id), dim: row.dim ?? 'framework', key: row.key, severity: row.severity, counts: countsOf(row) };
}

export function spanInsertRow(cluster: string, a: Aggregate, fromSeq: number): Record<string, unknown> {
  const keyColumns = a.dim === 'framework' ? { framework: a.key } : { dim: a.dim, key: a.key };
  return { cluster, ...keyColumns, severity: a.severity, ...countsToRow(a.counts), from_seq: fromSeq, to_seq: null };
}

function ref(runId: string | null, seq: Num | null, at: string | null): ClusterRunRef | undefined {
  return runId !== null && seq !== null && at !== null ? { runId, seq: Number(seq), at } : undefined;
}

/**
 * An episode row (identity and lifecycle) with the state that held at the point asked for.
 * `lastSeen` is passed in when it is implicit (open and seen: the cluster's latest assessed scan).
 */
export function toEpisode(row: EpisodeRow, state: StateRow, implicitLastSeen?: ClusterRunRef, shared?: RowStrings): FindingEpisode {
  const seen = Number(state.seen) === 1;
  const explicitLastSeen = ref(row.last_seen_run_id, row.last_seen_seq, row.last_seen_at);
  const lastSeen = explicitLastSeen ?? implicitLastSeen;
  const resolved = ref(row.resolved_run_id, row.resolved_seq, row.resolved_at);
  return {
    cluster: row.cluster,
    controlId: row.control_id,
    severity: state.severity,
    status: state.status,
    resource: resourceOfRow(row),
    ...(row.discriminator !== null && { discriminator: row.discriminator }),
    ...evidenceOfRow(state),
    fingerprint: row.fingerprint,
    episode: Number(row.episode),
    firstSeen: shared ? shared.point(row.first_seen_run_id, Number(row.first_seen_seq), row.first_seen_at) : { runId: row.first_seen_run_id, seq: Number(row.first_seen_seq), at: row.first_seen_at },
    ...(lastSeen && { lastSeen }),
    ...(resolved && row.resolution !== null && { resolved: { ...resolved, resolution: row.resolution } }),
    seen,
    ...(Number(state.evidence_pruned) === 1 && { evidencePruned: true as const }),
  };
}

/** Select list for an episode joined with the revision (alias r) valid at some seq: r's state columns as r_*. */
export function episodeWithRevisionColumns(): string[] {
  return [...EPISODE_COLUMNS.map((c) => `e.${c}`), 'r.id as r_id', ...STATE_COLUMNS.map((c) => `r.${c} as r_${c}`)];
}

/** The state of a joined row: the revision's when one covers the point, else the episode's current one. */
export function joinedState(row: Record<string, unknown>): StateRow {
  if (row['r_id'] === null || row['r_id'] === undefined) return row as unknown as StateRow;
  const out: Record<string, unknown> = {};
  for (const c of STATE_COLUMNS) out[c] = row[`r_${c}`];
  return out as unknown as StateRow;
}

/** Chunked `whereIn` values (SQLite binds at most 32766 values per statement). */
export function* idChunks<T>(values: readonly T[], size = 500): Generator<T[]> {
  for (let i = 0; i < values.length; i += size) yield values.slice(i, i + size);
}

export type Db = Knex | Knex.Transaction;
