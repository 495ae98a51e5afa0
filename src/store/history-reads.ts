/**
 * Reads over lifecycles and spans, the only form findings and counts are kept in: what was
 * open at a run, its control counts, count series, episodes for MTTR and ageing, and diffs
 * between runs.
 */
import type { Knex } from 'knex';
import { worstStatus } from '../core/status.js';
import { STATUSES, type Severity } from '../core/types.js';
import type { SqlDialect } from './dialect.js';
import {
  ASSESSED,
  EPISODES,
  EPISODE_COLUMNS,
  HEADS,
  REVISIONS,
  SCORE_SPANS,
  SCORE_SPAN_COLUMNS,
  SPANS,
  SPAN_COLUMNS,
  episodeWithRevisionColumns,
  joinedState,
  toEpisode,
  type Db,
  type EpisodeRow,
  type SpanRow,
} from './history-rows.js';
import { RUNS, RUN_CLUSTERS, countsOf, isoTimestamp } from './run-rows.js';
import type { ClusterDiff, ControlResult, CountsItem, CountsPoint, FindingEpisode, FindingFilter, Remediated, Resolution, RunDiff } from './run-types.js';
import type { SpanDim } from './spans.js';
import { DISPOSITION_SPANS } from './disposition-spans.js';
import { RowStrings } from './row-strings.js';

/** Code-unit order, for sorting in code the way a dialect's orderBytewise sorts (ASCII identifiers). */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const EVIDENCE_TEXT = /(^|[._])(evidence_path|observed|expected|message)$/;
/** A select list, without the evidence text columns when asked (reads that only count or age). */
const selecting = (columns: readonly string[], withoutEvidence = false) => (withoutEvidence ? columns.filter((c) => !EVIDENCE_TEXT.test(c)) : columns);

/**
 * Episodes open at a run, per cluster assessed in it, with the state that held then.
 * Only those the run observed, unless `includeUnseen`.
 */
/** `pageSize`: rows per statement on SQLite (see sqliteEpisodesInPages). */
export async function episodesAtRun(db: Db, dialect: SqlDialect, runId: string, filter: FindingFilter = {}, pageSize = EPISODE_PAGE): Promise<FindingEpisode[]> {
  const { q, columns } = atRunQuery(db, runId, filter);
  const strings = new RowStrings();
  if (dialect.name === 'sqlite') return sqliteEpisodesInPages(db, dialect, q, columns, strings, pageSize);
  dialect.orderBytewise(q, ['e.cluster', 'e.control_id']).orderBy('e.id');
  const rows = await dialect.selectRows<EpisodeRow & Record<string, unknown>>(db, q, columns);
  // Each row is let go once it is an episode: a large cluster has close to a million open.
  return rows.map((row, i) => {
    (rows as unknown[])[i] = undefined;
    return episodeAt(row, strings);
  });
}

/** The query of episodesAtRun, unordered, and its select list. */
function atRunQuery(db: Db, runId: string, filter: FindingFilter): { q: Knex.QueryBuilder; columns: readonly string[] } {
  const q = db(`${RUN_CLUSTERS} as rc`)
    .join(`${EPISODES} as e`, (j) => {
      j.on('e.cluster', '=', 'rc.cluster').andOn('e.first_seen_seq', '<=', 'rc.seq');
    })
    .leftJoin(`${REVISIONS} as r`, (j) => {
      j.on('r.episode_id', '=', 'e.id').andOn('r.from_seq', '<=', 'rc.seq').andOn('r.to_seq', '>', 'rc.seq');
    })
    .leftJoin(`${DISPOSITION_SPANS} as d`, (j) => {
      j.on('d.cluster', '=', 'e.cluster')
        .andOn('d.fingerprint', '=', 'e.fingerprint')
        .andOn('d.episode', '=', 'e.episode')
        .andOn('d.from_seq', '<=', 'rc.seq')
        .andOn((o) => void o.onNull('d.to_seq').orOn('d.to_seq', '>', 'rc.seq'));
    })
    .where('rc.run_id', runId)
    .whereIn('rc.status', ASSESSED)
    .where((w) => {
      void w.whereNull('e.resolved_seq').orWhere('e.resolved_seq', '>', db.ref('rc.seq'));
    });
  if (filter.cluster !== undefined) void q.andWhere('rc.cluster', filter.cluster);
  if (filter.controlId !== undefined) void q.andWhere('e.control_id', filter.controlId);
  if (filter.status !== undefined) void q.andWhereRaw('COALESCE(r.status, e.status) = ?', [filter.status]);
  if (!filter.includeUnseen) void q.andWhereRaw('COALESCE(r.seen, e.seen) = 1');
  const columns = selecting(
    [...episodeWithRevisionColumns(), 'rc.run_id as at_run_id', 'rc.seq as at_seq', 'rc.started_at as at_at', 'd.disposition as at_disposition', 'd.exception_id as at_exception_id'],
    filter.withoutEvidence,
  );
  return { q, columns };
}

/** Rows of episodesAtRun per SQLite statement, and per page of episodePagesAtRun. */
const EPISODE_PAGE = 20_000;

/**
 * episodesAtRun's episodes a page at a time, in id order (not in cluster and control order):
 * for a reader that keeps what it needs of each and lets the rest go. Both drivers return all
 * the rows of a statement at once, so a statement reads one page: at 2.1 million episodes
 * (a cluster of 200,000 bare pods) a read of all of them at once takes gigabytes.
 */
export async function* episodePagesAtRun(db: Db, dialect: SqlDialect, runId: string, filter: FindingFilter = {}, pageSize = EPISODE_PAGE): AsyncGenerator<FindingEpisode[]> {
  const { q, columns } = atRunQuery(db, runId, filter);
  for await (const page of pagesById(db, dialect, q, columns, new RowStrings(), pageSize)) yield page.map((p) => p.episode);
}

/**
 * The episodes of an episodesAtRun query, a statement per page of ids. Each page sees each
 * episode whole (its state and its revisions change in one transaction), and an episode opened
 * after the run is not at it.
 */
async function* pagesById(db: Db, dialect: SqlDialect, q: Knex.QueryBuilder, columns: readonly string[], strings: RowStrings, pageSize: number): AsyncGenerator<Array<{ id: number; episode: FindingEpisode }>> {
  for (let last = 0; ; ) {
    // A page is a window of ids found on the primary key alone, then the joined query within
    // it. With `id > last ORDER BY id LIMIT n` on the joined query, PostgreSQL (its statistics
    // not yet updated after a large first scan) joined and sorted every episode after `last`
    // for each page: 21 s a page, hours for 2.2 million episodes.
    const bound = (await db(EPISODES).where('id', '>', last).orderBy('id').offset(pageSize - 1).first('id')) as { id: number | string } | undefined;
    const upper = bound === undefined ? undefined : Number(bound.id);
    const page = q.clone().andWhere('e.id', '>', last);
    if (upper !== undefined) void page.andWhere('e.id', '<=', upper);
    const rows = await dialect.selectRows<EpisodeRow & Record<string, unknown>>(db, page.orderBy('e.id'), columns);
    const out: Array<{ id: number; episode: FindingEpisode }> = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as EpisodeRow & Record<string, unknown>;
      (rows as unknown[])[i] = undefined;
      out.push({ id: Number(row.id), episode: episodeAt(row, strings) });
    }
    if (out.length > 0) yield out;
    if (upper === undefined) return;
    last = upper;
  }
}

/**
 * episodesAtRun on SQLite, a page of episodes (by id) at a time, then put in the order the
 * query gives elsewhere (cluster, control, id; bytewise). node-sqlite3 returns all the rows of
 * a statement together, each a packed text until unpacked: read at once, the 733,419 episodes
 * of a 200,000-pod cluster took 3.5 GiB.
 */
async function sqliteEpisodesInPages(db: Db, dialect: SqlDialect, q: Knex.QueryBuilder, columns: readonly string[], strings: RowStrings, pageSize: number): Promise<FindingEpisode[]> {
  const out: Array<{ id: number; episode: FindingEpisode }> = [];
  for await (const page of pagesById(db, dialect, q, columns, strings, pageSize)) for (const p of page) out.push(p);
  out.sort((a, b) => byteCompare(a.episode.cluster, b.episode.cluster) || byteCompare(a.episode.controlId, b.episode.controlId) || a.id - b.id);
  return out.map((o) => o.episode);
}

/** One joined row of episodesAtRun as the episode it was at that run. */
function episodeAt(row: EpisodeRow & Record<string, unknown>, strings: RowStrings): FindingEpisode {
  strings.share(row);
  const state = joinedState(row);
  const here = strings.point(String(row['at_run_id']), Number(row['at_seq']), String(row['at_at']));
  const episode = toEpisode(row, state, undefined, strings);
  // At a past point: that point if it was observed there. If not, the stored last_seen (the
  // last sighting overall) is also the last one before the point only when it precedes it.
  if (episode.seen) episode.lastSeen = here;
  else if (episode.lastSeen && episode.lastSeen.seq >= here.seq) delete episode.lastSeen;
  const disposition = row['at_disposition'];
  if (disposition === 'excepted' || disposition === 'expired') episode.disposition = { kind: disposition, exceptionId: String(row['at_exception_id']) };
  return episode;
}

/** Episodes open now, with their current state; `lastSeen` of a seen one is its cluster's latest assessed scan. */
export async function currentOpenEpisodes(db: Db, dialect: SqlDialect, cluster?: string, withoutEvidence = false): Promise<FindingEpisode[]> {
  const q = db(`${EPISODES} as e`)
    .leftJoin(`${HEADS} as h`, 'h.cluster', 'e.cluster')
    .whereNull('e.resolved_seq');
  if (cluster !== undefined) void q.andWhere('e.cluster', cluster);
  dialect.orderBytewise(q, ['e.cluster', 'e.control_id']).orderBy('e.id');
  const columns = [...EPISODE_COLUMNS.map((c) => `e.${c}`), 'h.assessed_run_id', 'h.assessed_seq', 'h.assessed_at'];
  const rows = await dialect.selectRows<EpisodeRow & { assessed_run_id: string | null; assessed_seq: number | null; assessed_at: string | null }>(db, q, selecting(columns, withoutEvidence));
  return rows.map((row) => {
    const head =
      row.assessed_run_id !== null && row.assessed_seq !== null && row.assessed_at !== null
        ? { runId: row.assessed_run_id, seq: Number(row.assessed_seq), at: row.assessed_at }
        : undefined;
    return toEpisode(row, row, Number(row.seen) === 1 ? head : undefined);
  });
}

/** Episodes resolved in [from, to), with their last state. */
export async function resolvedBetween(db: Db, dialect: SqlDialect, from: Date, to: Date, cluster?: string): Promise<FindingEpisode[]> {
  const q = db(EPISODES)
    .where('resolved_at', '>=', isoTimestamp(from, 'from'))
    .andWhere('resolved_at', '<', isoTimestamp(to, 'to'));
  if (cluster !== undefined) void q.andWhere({ cluster });
  dialect.orderBytewise(q, ['cluster']).orderBy('resolved_seq').orderBy('id');
  return (await dialect.selectRows<EpisodeRow>(db, q, EPISODE_COLUMNS)).map((row) => toEpisode(row, row));
}

/** Failing episodes resolved in [from, to), without their evidence (for time to remediate). */
export async function remediatedBetween(db: Db, dialect: SqlDialect, from: Date, to: Date, cluster?: string): Promise<Remediated[]> {
  const q = db(EPISODES)
    .where('resolved_at', '>=', isoTimestamp(from, 'from'))
    .andWhere('resolved_at', '<', isoTimestamp(to, 'to'))
    .andWhere('status', 'fail');
  if (cluster !== undefined) void q.andWhere({ cluster });
  dialect.orderBytewise(q, ['cluster']).orderBy('resolved_seq').orderBy('id');
  const rows = await dialect.selectRows<{ cluster: string; control_id: string; severity: Severity; first_seen_at: string; resolved_at: string; resolution: Resolution }>(db, q, [
    'cluster',
    'control_id',
    'severity',
    'first_seen_at',
    'resolved_at',
    'resolution',
  ]);
  return rows.map((r) => ({ cluster: r.cluster, controlId: r.control_id, severity: r.severity, firstSeenAt: r.first_seen_at, resolvedAt: r.resolved_at, resolution: r.resolution }));
}

/** Control results of a run, from the spans valid at each cluster's row. */
export async function controlResultsAt(db: Db, runId: string, cluster?: string): Promise<ControlResult[]> {
  const q = db(`${RUN_CLUSTERS} as rc`)
    .join(`${SPANS} as s`, (j) => {
      j.on('s.cluster', '=', 'rc.cluster').andOnVal('s.dim', '=', 'control').andOn('s.from_seq', '<=', 'rc.seq');
    })
    .select(['rc.run_id', ...SPAN_COLUMNS.map((c) => `s.${c}`)])
    .where('rc.run_id', runId)
    .whereIn('rc.status', ASSESSED)
    .where((w) => {
      void w.whereNull('s.to_seq').orWhere('s.to_seq', '>', db.ref('rc.seq'));
    });
  if (cluster !== undefined) void q.andWhere('rc.cluster', cluster);
  const rows = (await q) as Array<SpanRow & { run_id: string }>;
  return rows.map((row) => {
    const counts = countsOf(row);
    return {
      runId: row.run_id,
      cluster: row.cluster,
      controlId: row.key,
      severity: row.severity,
      status: worstStatus(STATUSES.filter((s) => counts[s] > 0)),
      counts,
    };
  });
}

interface SeriesRow {
  run_id: string;
  run_seq: number | string;
  run_started_at: string;
  cluster: string;
  seq: number | string;
}

/** The assessed cluster scans of the runs started in [from, to] (of one cluster, if given), in seq order. */
export function assessedScans(db: Db, cluster: string | undefined, from: Date, to: Date): Knex.QueryBuilder {
  const q = db(`${RUN_CLUSTERS} as rc`)
    .join(`${RUNS} as r`, 'r.id', 'rc.run_id')
    .select('rc.run_id', 'r.seq as run_seq', 'r.started_at as run_started_at', 'rc.cluster', 'rc.seq')
    .where('r.started_at', '>=', isoTimestamp(from, 'from'))
    .andWhere('r.started_at', '<=', isoTimestamp(to, 'to'))
    .whereIn('rc.status', ASSESSED)
    .orderBy('rc.seq');
  if (cluster !== undefined) void q.andWhere('rc.cluster', cluster);
  return q;
}

/**
 * Counts of one dimension for every assessed cluster scan of the runs that started in
 * [from, to], in run order. Spans are read once and shared between the points they cover.
 */
export async function countsSeries(db: Db, dialect: SqlDialect, dim: SpanDim, cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[]> {
  const points = (await assessedScans(db, cluster, from, to)) as SeriesRow[];
  if (points.length === 0) return [];
  return sweepSpans(points, await spansCovering(db, dialect, SPANS, SPAN_COLUMNS, { dim }, cluster, points));
}

/**
 * Counts per severity of one framework (`*`: every control) for every assessed cluster scan
 * of the runs started in [from, to], from the score spans; undefined when a scan in the range
 * was recorded without them (the caller then sums the control counts instead).
 */
export async function frameworkCountsSeries(db: Db, dialect: SqlDialect, framework: string, cluster: string | undefined, from: Date, to: Date): Promise<CountsPoint[] | undefined> {
  const rows = (await assessedScans(db, cluster, from, to).select('rc.scores_recorded')) as Array<SeriesRow & { scores_recorded: number | string | null }>;
  if (rows.some((r) => Number(r.scores_recorded) !== 1)) return undefined;
  if (rows.length === 0) return [];
  return sweepSpans(rows, await spansCovering(db, dialect, SCORE_SPANS, SCORE_SPAN_COLUMNS, { framework }, cluster, rows));
}

/** The spans of `table` matching `where` that cover any of the points' seqs. */
async function spansCovering(db: Db, dialect: SqlDialect, table: string, columns: readonly string[], where: Record<string, string>, cluster: string | undefined, points: readonly SeriesRow[]): Promise<SpanRow[]> {
  const seqs = points.map((p) => Number(p.seq));
  const minSeq = Math.min(...seqs);
  const maxSeq = Math.max(...seqs);
  const sq = db(table)
    .where(where)
    .andWhere('from_seq', '<=', maxSeq)
    .andWhere((w) => {
      void w.whereNull('to_seq').orWhere('to_seq', '>', minSeq);
    })
    .orderBy('from_seq');
  if (cluster !== undefined) void sq.andWhere({ cluster });
  return dialect.selectRows<SpanRow>(db, sq, columns);
}

/** Each point's items: the spans of its cluster valid at its seq. Points in seq order, spans in from_seq order. */
function sweepSpans(points: readonly SeriesRow[], spans: readonly SpanRow[]): CountsPoint[] {
  const byCluster = new Map<string, Array<{ from: number; to: number; item: CountsItem }>>();
  for (const s of spans) {
    const list = byCluster.get(s.cluster) ?? [];
    if (list.length === 0) byCluster.set(s.cluster, list);
    list.push({ from: Number(s.from_seq), to: s.to_seq === null ? Infinity : Number(s.to_seq), item: { key: s.key, severity: s.severity, counts: countsOf(s) } });
  }
  const state = new Map<string, { next: number; active: Array<{ to: number; item: CountsItem }>; items: CountsItem[] | undefined }>();
  return points.map((p): CountsPoint => {
    const seq = Number(p.seq);
    let st = state.get(p.cluster);
    if (!st) state.set(p.cluster, (st = { next: 0, active: [], items: undefined }));
    const list = byCluster.get(p.cluster) ?? [];
    const before = st.active.length;
    st.active = st.active.filter((a) => a.to > seq);
    let changed = st.active.length !== before;
    for (; st.next < list.length && (list[st.next]?.from ?? Infinity) <= seq; st.next += 1) {
      const s = list[st.next];
      if (s && s.to > seq) {
        st.active.push(s);
        changed = true;
      }
    }
    if (changed || !st.items) st.items = st.active.map((a) => a.item).sort((a, b) => byteCompare(a.key, b.key) || byteCompare(a.severity, b.severity));
    return { runId: p.run_id, runSeq: Number(p.run_seq), runStartedAt: p.run_started_at, cluster: p.cluster, seq, items: st.items };
  });
}

/** Control counts at a few cluster scans (e.g. the ends of a range), one query each. */
export async function controlCountsAt(db: Db, scans: ReadonlyArray<Omit<CountsPoint, 'items'>>): Promise<CountsPoint[]> {
  return Promise.all(
    scans.map(async (p) => {
      const rows = (await db(SPANS)
        .select(SPAN_COLUMNS)
        .where({ cluster: p.cluster, dim: 'control' })
        .andWhere('from_seq', '<=', p.seq)
        .andWhere((w) => {
          void w.whereNull('to_seq').orWhere('to_seq', '>', p.seq);
        })) as SpanRow[];
      const items = rows.map((s) => ({ key: s.key, severity: s.severity, counts: countsOf(s) })).sort((a, b) => byteCompare(a.key, b.key));
      return { ...p, items };
    }),
  );
}

/** Each cluster's seq in a run, for clusters assessed in it. */
async function assessedSeqs(db: Db, runId: string): Promise<Map<string, number>> {
  const rows = (await db(RUN_CLUSTERS).select('cluster', 'seq', 'status').where({ run_id: runId })) as Array<{ cluster: string; seq: number | string | null; status: string }>;
  return new Map(rows.filter((r) => ASSESSED.includes(r.status) && r.seq !== null).map((r) => [r.cluster, Number(r.seq)]));
}

export async function diffRuns(
  db: Db,
  dialect: SqlDialect,
  runA: { id: string; seq: number },
  runB: { id: string; seq: number },
  known: ReadonlyMap<string, readonly FindingEpisode[]> = new Map(),
  options: { withoutEvidence?: boolean } = {},
): Promise<RunDiff> {
  const [from, to] = runA.seq <= runB.seq ? [runA, runB] : [runB, runA];
  const [seqA, seqB] = await Promise.all([assessedSeqs(db, from.id), assessedSeqs(db, to.id)]);
  const at = (id: string) => known.get(id) ?? episodesAtRun(db, dialect, id, { includeUnseen: true, ...options });
  const [atA, atB] = await Promise.all([at(from.id), at(to.id)]);
  const clusters = [...new Set([...seqA.keys(), ...seqB.keys()])].sort(byteCompare);
  const out: RunDiff = { fromRunId: from.id, toRunId: to.id, clusters: [], skipped: [] };
  for (const cluster of clusters) {
    const a = seqA.get(cluster);
    if (a === undefined || !seqB.has(cluster)) {
      out.skipped.push({ cluster, reason: `not assessed in run ${a === undefined ? from.id : to.id}` });
      continue;
    }
    const openA = atA.filter((e) => e.cluster === cluster);
    const openB = atB.filter((e) => e.cluster === cluster);
    const idsA = new Set(openA.map((e) => `${e.fingerprint}#${e.episode}`));
    const fpsB = new Set(openB.map((e) => e.fingerprint));
    const d: ClusterDiff = { cluster, new: [], reopened: [], resolved: [], stillOpen: [] };
    for (const e of openB) {
      if (idsA.has(`${e.fingerprint}#${e.episode}`)) d.stillOpen.push(e);
      else if (e.episode > 1) d.reopened.push(e);
      else d.new.push(e);
    }
    for (const e of openA) if (!fpsB.has(e.fingerprint)) d.resolved.push(e);
    out.clusters.push(d);
  }
  return out;
}
