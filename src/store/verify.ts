/**
 * verifyChain: recompute every cluster's hash chain from the stored rows and report each row
 * that no longer matches what was recorded.
 *
 * Detected (each named by table and row):
 * - a changed run_clusters field (status, times, counts, labels, snapshot hash, error...) or a
 *   changed `runs.seq` / `runs.started_at`: `chain-hash`;
 * - a changed, added or removed count span, score span, disposition span, finding episode, revision or gap that alters what
 *   some scan's results were (counts, which findings were open, their status, severity,
 *   episode number, seen flag, evidence hash): `results-hash` on every scan it affects;
 * - a deleted run or cluster row in the middle of a chain (or its first rows): `broken-link`
 *   on the next row; deleted newest rows: `head` (the cluster's head row no longer matches);
 * - hash columns blanked to pass a row off as pre-002: `unchained`;
 * - episode rows that contradict the chain: identity not matching the fingerprint, first
 *   seen / last seen / resolved pointing at a scan that does not exist or is not assessed,
 *   revisions that do not tile the episode's past: `episode`;
 * - evidence text changed while its hash was kept: `evidence`;
 * - a connectivity blob whose content no longer hashes to its digest: `network` (a changed
 *   digest on a row is `chain-hash`; a blob deleted by retention is gone by design).
 *
 * Not detected: anyone able to write the database can recompute every hash after a change
 * (the chain is not signed): compare `heads` with a copy kept elsewhere (a report, a log)
 * to catch that, and to catch the deletion of a cluster's newest rows together with its head
 * row. Evidence pruned by retention is gone by design (its hash stays). Rows recorded before
 * migration 002 are outside the chain. The runs table's mutable fields (status, finished_at,
 * heartbeat) are not covered: they change after the clusters are recorded.
 */
import { fingerprint } from '../core/fingerprint.js';
import type { Status } from '../core/types.js';
import { chainHash, compareCounts, compareFindings, evidenceHash, findingLine, resultsHash, ZERO_HASH, type CountsEntry, type DispositionEntry, type GapEntry, type OpenFindingEntry } from './chain.js';
import { DISPOSITION_SPANS, DISPOSITION_SPAN_COLUMNS, rowToDispositionEntry, type DispositionSpanRow } from './disposition-spans.js';
import type { SqlDialect } from './dialect.js';
import { ASSESSED, EPISODES, EPISODE_COLUMNS, HEADS, REVISIONS, SCORE_SPANS, STATE_COLUMNS, SCORE_SPAN_COLUMNS, SPANS, SPAN_COLUMNS, type Db, type EpisodeRow, type HeadRow, type RevisionRow, type SpanRow, type StateRow } from './history-rows.js';
import { GAPS, RUNS, RUN_CLUSTERS, countsOf, type RunClusterRow } from './run-rows.js';
import type { ChainProblem, ChainReport } from './run-types.js';
import { NETWORK_BLOBS, blobJson } from './network-blobs.js';
import { sha256 } from './chain.js';

interface ChainRow extends RunClusterRow {
  seq: number | string | null;
  results_hash: string | null;
  prev_chain_hash: string | null;
  chain_hash: string | null;
  run_seq: number | string | null;
  run_started_at: string | null;
  scores_recorded: number | string | null;
  run_exceptions_digest: string | null;
}

interface DispositionSpan extends DispositionEntry {
  from: number;
  to: number;
}

interface SpanEntry extends CountsEntry {
  dim: string;
  from: number;
  to: number;
}

/** One state of an episode over [from, to), as a results-hash entry. */
interface StateSpan {
  from: number;
  to: number;
  entry: OpenFindingEntry;
}

interface EpisodeHistory {
  key: OpenFindingEntry;
  firstSeen: number;
  resolved: number;
  states: StateSpan[];
}

const num = (v: number | string | null | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v));

function rowName(r: { run_id: string; cluster: string }): string {
  return `run_clusters (run ${r.run_id}, cluster ${r.cluster})`;
}

class ClusterVerifier {
  readonly problems: ChainProblem[] = [];
  private readonly lines = new WeakMap<OpenFindingEntry, string>();

  constructor(
    private readonly cluster: string,
    private readonly rows: ChainRow[],
  ) {}

  private problem(p: Omit<ChainProblem, 'cluster'>): void {
    this.problems.push({ cluster: this.cluster, ...p });
  }

  private lineOf = (f: OpenFindingEntry): string => {
    let line = this.lines.get(f);
    if (line === undefined) this.lines.set(f, (line = findingLine(f)));
    return line;
  };

  /** Checks an episode against the chain's rows and returns its history, state by state. */
  episode(e: EpisodeRow, revisions: RevisionRow[], bySeq: Map<number, ChainRow>): EpisodeHistory {
    const name = `finding_episodes id ${e.id}`;
    const identity = { cluster: e.cluster, controlId: e.control_id, resource: { kind: e.kind, ...(e.namespace !== null && { namespace: e.namespace }), name: e.name, ...(e.container !== null && { container: e.container }) }, ...(e.discriminator !== null && { discriminator: e.discriminator }) };
    if (fingerprint(identity) !== e.fingerprint) this.problem({ kind: 'episode', row: name, message: `cluster, control, resource and discriminator do not match fingerprint ${e.fingerprint}` });
    const anchor = (what: string, runId: string | null, seq: number | string | null, at: string | null) => {
      if (runId === null && seq === null && at === null) return;
      const row = bySeq.get(Number(seq));
      const why = !row ? 'no such row in this cluster\'s history (deleted?)' : row.run_id !== runId || row.started_at !== at ? `the row at that seq is run ${row.run_id}, ${row.started_at}` : !ASSESSED.includes(row.status) ? `that scan ${row.status}` : undefined;
      if (why) this.problem({ kind: 'episode', row: name, ...(runId !== null && { runId }), ...(seq !== null && { seq: Number(seq) }), message: `${what} names run ${runId} (seq ${seq}, ${at}): ${why}` });
    };
    anchor('first seen', e.first_seen_run_id, e.first_seen_seq, e.first_seen_at);
    anchor('last seen', e.last_seen_run_id, e.last_seen_seq, e.last_seen_at);
    anchor('resolved', e.resolved_run_id, e.resolved_seq, e.resolved_at);
    if ((e.resolved_seq === null) !== (e.resolution === null)) this.problem({ kind: 'episode', row: name, message: 'resolution and resolved run disagree' });

    const firstSeen = Number(e.first_seen_seq);
    const resolved = num(e.resolved_seq) ?? Infinity;
    const entry = (s: StateRow): OpenFindingEntry => ({ fingerprint: e.fingerprint, episode: Number(e.episode), status: s.status as Status, severity: s.severity, seen: Number(s.seen) === 1, evidenceHash: s.evidence_hash });
    const states: StateSpan[] = [];
    let expectFrom = firstSeen;
    for (const r of revisions) {
      if (Number(r.from_seq) !== expectFrom || Number(r.to_seq) <= Number(r.from_seq)) {
        this.problem({ kind: 'episode', row: `finding_revisions id ${r.id}`, message: `revision [${r.from_seq}, ${r.to_seq}) of episode ${e.id} does not follow on from seq ${expectFrom}` });
      }
      this.evidence(r, `finding_revisions id ${r.id}`);
      states.push({ from: Number(r.from_seq), to: Number(r.to_seq), entry: entry(r) });
      expectFrom = Number(r.to_seq);
    }
    if (Number(e.state_seq) !== expectFrom) this.problem({ kind: 'episode', row: name, message: `current state starts at seq ${e.state_seq}, its revisions end at ${expectFrom}` });
    this.evidence(e, name);
    states.push({ from: Number(e.state_seq), to: Infinity, entry: entry(e) });
    return { key: entry(e), firstSeen, resolved, states };
  }

  private evidence(s: StateRow, row: string): void {
    if (Number(s.evidence_pruned) === 1) return;
    if (evidenceHash(s.evidence_path, s.observed, s.expected, s.message) !== s.evidence_hash) {
      this.problem({ kind: 'evidence', row, message: 'evidence or message differs from its recorded hash' });
    }
  }

  /** Walks the chain in seq order. */
  chain(spans: SpanEntry[], episodes: EpisodeHistory[], gaps: Map<string, GapEntry[]>, dispositions: DispositionSpan[]): { checked: number; legacy: number; last: ChainRow | undefined } {
    let expectedPrev = ZERO_HASH;
    let started = false;
    let checked = 0;
    let legacy = 0;
    let last: ChainRow | undefined;
    for (const row of this.rows) {
      const name = rowName(row);
      const seq = Number(row.seq);
      if (row.chain_hash === null || row.results_hash === null || row.prev_chain_hash === null) {
        if (started) this.problem({ kind: 'unchained', runId: row.run_id, seq, row: name, message: 'recorded after the chain started, but its hash columns are empty' });
        else legacy += 1;
        continue;
      }
      started = true;
      checked += 1;
      last = row;
      if (row.prev_chain_hash !== expectedPrev) {
        this.problem({
          kind: 'broken-link',
          runId: row.run_id,
          seq,
          row: name,
          message: expectedPrev === ZERO_HASH ? 'links to a previous row, but it is the first row of the cluster: earlier rows were deleted' : 'does not link to the row before it: a row between them was deleted, or that row was altered',
        });
      }
      const results = this.results(row, seq, spans, episodes, gaps.get(row.run_id) ?? [], dispositions);
      if (results !== row.results_hash) this.problem({ kind: 'results-hash', runId: row.run_id, seq, row: name, message: 'its counts, findings or gaps differ from what was recorded' });
      const recomputed = chainHash({
        prevChainHash: row.prev_chain_hash,
        runId: row.run_id,
        runSeq: Number(row.run_seq),
        runStartedAt: row.run_started_at ?? '',
        cluster: row.cluster,
        seq,
        labels: row.labels,
        status: row.status,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        provider: row.provider,
        serverVersion: row.server_version,
        objectCounts: row.object_counts,
        objectTotal: Number(row.object_total),
        snapshotHash: row.snapshot_hash,
        error: row.error,
        counts: countsOf(row),
        resultsHash: row.results_hash,
        exceptionsDigest: row.run_exceptions_digest,
        profile: row.profile ?? null,
        frameworks: row.frameworks ?? null,
        posture: row.posture ?? null,
        networkDigest: row.network_digest ?? null,
      });
      if (recomputed !== row.chain_hash) this.problem({ kind: 'chain-hash', runId: row.run_id, seq, row: name, message: 'the row (or its run\'s seq or start) was changed after it was recorded' });
      expectedPrev = row.chain_hash;
    }
    return { checked, legacy, last };
  }

  private results(row: ChainRow, seq: number, spans: SpanEntry[], episodes: EpisodeHistory[], gaps: GapEntry[], dispositions: DispositionSpan[]): string {
    if (!ASSESSED.includes(row.status)) return resultsHash({ controls: [], namespaces: [], findings: [], gaps });
    const covering = spans.filter((s) => s.from <= seq && s.to > seq);
    const findings: OpenFindingEntry[] = [];
    for (const e of episodes) {
      if (e.firstSeen > seq || e.resolved <= seq) continue;
      const state = e.states.find((s) => s.from <= seq && s.to > seq);
      if (state) findings.push(state.entry);
    }
    const withScores = Number(row.scores_recorded) === 1;
    return resultsHash(
      {
        controls: covering.filter((s) => s.dim === 'control'),
        namespaces: covering.filter((s) => s.dim === 'namespace'),
        findings,
        gaps,
        ...(withScores ? { frameworks: covering.filter((s) => s.dim === 'framework') } : {}),
        ...(row.run_exceptions_digest !== null ? { dispositions: dispositions.filter((d) => d.from <= seq && d.to > seq) } : {}),
      },
      this.lineOf,
    );
  }

  head(head: HeadRow | undefined, last: ChainRow | undefined, lastAssessed: ChainRow | undefined): void {
    const row = `cluster_heads (cluster ${this.cluster})`;
    if (!last) {
      if (head && head.head_seq !== null) this.problem({ kind: 'head', row, message: `names seq ${head.head_seq} as newest, but the cluster has no rows in the chain: its rows were deleted` });
      return;
    }
    if (!head || num(head.head_seq) !== Number(last.seq) || head.head_run_id !== last.run_id || head.head_chain_hash !== last.chain_hash) {
      this.problem({ kind: 'head', runId: last.run_id, seq: Number(last.seq), row, message: head ? `names seq ${head.head_seq} (run ${head.head_run_id}) as newest, not seq ${last.seq}: newer rows were deleted, or the head was altered` : 'missing' });
    } else if (lastAssessed && (num(head.assessed_seq) !== Number(lastAssessed.seq) || head.assessed_run_id !== lastAssessed.run_id)) {
      this.problem({ kind: 'head', row, message: `names seq ${head.assessed_seq} as newest assessed scan, not seq ${lastAssessed.seq}` });
    }
  }
}

async function clusterNames(db: Db): Promise<string[]> {
  const rows = (await db(RUN_CLUSTERS).distinct('cluster').union((q) => void q.distinct('cluster').from(HEADS))) as Array<{ cluster: string }>;
  return [...new Set(rows.map((r) => r.cluster))].sort();
}

async function loadCluster(db: Db, dialect: SqlDialect, cluster: string) {
  const rows = (await db(`${RUN_CLUSTERS} as rc`)
    .leftJoin(`${RUNS} as r`, 'r.id', 'rc.run_id')
    .select('rc.*', 'r.seq as run_seq', 'r.started_at as run_started_at', 'r.exceptions_digest as run_exceptions_digest')
    .where('rc.cluster', cluster)
    .orderBy('rc.seq')) as ChainRow[];
  const spanRows = [
    ...(await dialect.selectRows<SpanRow>(db, db(SPANS).where({ cluster }), SPAN_COLUMNS)),
    ...(await dialect.selectRows<SpanRow>(db, db(SCORE_SPANS).where({ cluster }), SCORE_SPAN_COLUMNS)),
  ];
  const episodeRows = await dialect.selectRows<EpisodeRow>(db, db(EPISODES).where({ cluster }).orderBy('fingerprint').orderBy('episode'), EPISODE_COLUMNS);
  const revisionRows = await dialect.selectRows<RevisionRow>(
    db,
    db(`${REVISIONS} as v`).join(`${EPISODES} as e`, 'e.id', 'v.episode_id').where('e.cluster', cluster).orderBy('v.episode_id').orderBy('v.from_seq'),
    ['v.id', 'v.episode_id', 'v.from_seq', 'v.to_seq', ...STATE_COLUMNS.map((c) => `v.${c}`)],
  );
  const gapRows = (await db(GAPS).select('run_id', 'evidence', 'reason', 'message').where({ cluster })) as Array<GapEntry & { run_id: string }>;
  const head = (await db(HEADS).where({ cluster }).first()) as HeadRow | undefined;
  const dispositionRows = await dialect.selectRows<DispositionSpanRow>(db, db(DISPOSITION_SPANS).where({ cluster }), DISPOSITION_SPAN_COLUMNS);
  return { rows, spanRows, episodeRows, revisionRows, gapRows, head, dispositionRows };
}

/** Each blob the cluster's rows refer to, read back and hashed: its content must be what its digest says. */
async function networkProblems(db: Db, cluster: string, rows: readonly ChainRow[]): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = [];
  const digests = new Map<string, ChainRow>();
  for (const r of rows) if (r.network_digest && !digests.has(r.network_digest)) digests.set(r.network_digest, r);
  for (const [digest, first] of digests) {
    const blob = (await db(NETWORK_BLOBS).select('body').where({ digest }).first()) as { body: Buffer } | undefined;
    if (!blob) continue;
    let ok: boolean;
    try {
      ok = sha256(blobJson(digest, blob.body)) === digest;
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ kind: 'network', cluster, runId: first.run_id, seq: Number(first.seq), row: `network_blobs ${digest}`, message: 'its connectivity no longer hashes to its digest: the blob was changed after it was recorded' });
  }
  return problems;
}

export async function verifyChain(db: Db, dialect: SqlDialect): Promise<ChainReport> {
  const report: ChainReport = { ok: true, clusters: 0, rows: 0, legacyRows: 0, episodes: 0, problems: [], heads: [] };
  for (const cluster of await clusterNames(db)) {
    const data = await loadCluster(db, dialect, cluster);
    const v = new ClusterVerifier(cluster, data.rows);
    const bySeq = new Map(data.rows.filter((r) => r.seq !== null).map((r) => [Number(r.seq), r]));
    const revisionsOf = new Map<number, RevisionRow[]>();
    for (const r of data.revisionRows) {
      const list = revisionsOf.get(Number(r.episode_id)) ?? [];
      if (list.length === 0) revisionsOf.set(Number(r.episode_id), list);
      list.push(r);
    }
    // In canonical order once, so each scan's findings come out sorted.
    const episodes = data.episodeRows.map((e) => v.episode(e, revisionsOf.get(Number(e.id)) ?? [], bySeq)).sort((a, b) => compareFindings(a.key, b.key));
    const spans: SpanEntry[] = data.spanRows
      .map((s) => ({ dim: s.dim ?? 'framework', key: s.key, severity: s.severity, counts: countsOf(s), from: Number(s.from_seq), to: num(s.to_seq) ?? Infinity }))
      .sort(compareCounts);
    const gaps = new Map<string, GapEntry[]>();
    for (const g of data.gapRows) {
      const list = gaps.get(g.run_id) ?? [];
      if (list.length === 0) gaps.set(g.run_id, list);
      list.push({ evidence: g.evidence, reason: g.reason, message: g.message });
    }
    const dispositions = data.dispositionRows.map((r) => ({ ...rowToDispositionEntry(r), from: Number(r.from_seq), to: num(r.to_seq) ?? Infinity }));
    const { checked, legacy, last } = v.chain(spans, episodes, gaps, dispositions);
    const lastAssessed = [...data.rows].reverse().find((r) => r.chain_hash !== null && ASSESSED.includes(r.status));
    v.head(data.head, last, lastAssessed);
    report.clusters += 1;
    report.rows += checked;
    report.legacyRows += legacy;
    report.episodes += data.episodeRows.length;
    report.problems.push(...v.problems, ...(await networkProblems(db, cluster, data.rows)));
    if (last?.chain_hash) report.heads.push({ cluster, runId: last.run_id, seq: Number(last.seq), chainHash: last.chain_hash });
  }
  report.ok = report.problems.length === 0;
  return report;
}
