/**
 * recordCluster's transaction: append one cluster's scan to its chain, apply its finding
 * lifecycles and extend or cut its count spans. What an unchanged scan writes: its
 * run_clusters row (with its hashes), its gaps, and the cluster's head row; nothing else.
 */
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import type { ClusterScan, Finding } from '../core/types.js';
import { countStatuses, type StatusCounts } from '../core/status.js';
import { chainHash, resultsHash, ZERO_HASH, type OpenFindingEntry, type ResultsInput } from './chain.js';
import {
  EPISODES,
  EPISODE_COLUMNS,
  HEADS,
  OPEN_EPISODE_COLUMNS,
  REVISIONS,
  SCORE_SPANS,
  SCORE_SPAN_COLUMNS,
  SPANS,
  SPAN_COLUMNS,
  STATE_COLUMNS,
  idChunks,
  rowToOpenEpisode,
  rowToOpenSpan,
  spanInsertRow,
  stateColumns,
  type EpisodeRow,
  type HeadRow,
  type SpanRow,
} from './history-rows.js';
import { type EpisodeState, observeScan, planLifecycle, type LifecyclePlan, type NewFindings, type ScanObservations } from './lifecycle.js';
import { GAPS, GAP_COLUMNS, RUNS, RUN_CLUSTERS, countsToRow, isoTimestamp, type GapRow, type RunRow } from './run-rows.js';
import type { RecordClusterOptions } from './run-types.js';
import { aggregateFrameworks, aggregateScan, planSpans, type Aggregate } from './spans.js';
import { applyRiskSpans } from './risk-spans.js';
import { applyDispositionSpans, type EpisodeDisposition } from './disposition-spans.js';
import type { DispositionEntry } from './chain.js';
import type { SqlDialect } from './dialect.js';
import { StoreError } from './store-error.js';
import { DEFAULT_NETWORK_CAP_BYTES, keepNetwork } from './network-blobs.js';

async function episodeCounts(trx: Knex.Transaction, fingerprints: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const chunk of idChunks(fingerprints)) {
    const rows = (await trx(EPISODES).select('fingerprint').max({ n: 'episode' }).whereIn('fingerprint', chunk).groupBy('fingerprint')) as Array<{
      fingerprint: string;
      n: number | string;
    }>;
    for (const r of rows) out.set(r.fingerprint, Number(r.n));
  }
  return out;
}

interface Point {
  runId: string;
  seq: number;
  at: string;
}

/** New episodes per insert batch: their rows are built a batch at a time (a large cluster's first scan opens hundreds of thousands). */
const CREATED_BATCH = 5_000;

async function applyLifecycle(trx: Knex.Transaction, dialect: SqlDialect, cluster: string, plan: LifecyclePlan, numbers: Map<string, number>, now: Point, prev: Point | undefined): Promise<void> {
  // Each batch's fingerprints are let go once written (its findings stay the caller's): a large
  // cluster's first scan opens millions of episodes.
  const created = plan.created;
  const fingerprints = created.fingerprints as Array<string | undefined>;
  for (let i = 0; i < fingerprints.length; i += CREATED_BATCH) {
    const rows = createdRows(created, i, Math.min(i + CREATED_BATCH, fingerprints.length), cluster, numbers, now);
    fingerprints.fill(undefined, i, i + CREATED_BATCH);
    await dialect.insertRows(trx, EPISODES, EPISODE_COLUMNS.length, rows);
  }
  fingerprints.length = 0;
  created.findings.length = 0;
  created.states.length = 0;

  // The superseded states move to revisions, copied in SQL (the evidence text is not loaded).
  const revisionColumns = ['episode_id', 'from_seq', 'to_seq', ...STATE_COLUMNS];
  for (const ids of idChunks([...plan.changed.map((c) => c.episode.id), ...plan.unseen.map((e) => e.id)])) {
    await trx.raw(
      `INSERT INTO ?? (${revisionColumns.map(() => '??').join(', ')}) SELECT ??, ??, CAST(? AS integer), ${STATE_COLUMNS.map(() => '??').join(', ')} FROM ?? WHERE ?? IN (${ids.map(() => '?').join(', ')})`,
      [REVISIONS, ...revisionColumns, 'id', 'state_seq', now.seq, ...STATE_COLUMNS, EPISODES, 'id', ...ids],
    );
  }
  for (const { episode, next } of plan.changed) {
    await trx(EPISODES)
      .where({ id: episode.id })
      .update({ ...stateColumns(next, true), state_seq: now.seq, last_seen_run_id: null, last_seen_seq: null, last_seen_at: null });
  }
  // Last seen in the cluster's previous assessed scan (unknown, left NULL, if its head row is gone: verify reports that).
  for (const ids of idChunks(plan.unseen.map((e) => e.id))) {
    await trx(EPISODES)
      .whereIn('id', ids)
      .update({ seen: 0, state_seq: now.seq, last_seen_run_id: prev?.runId ?? null, last_seen_seq: prev?.seq ?? null, last_seen_at: prev?.at ?? null });
  }
  for (const resolution of ['fixed', 'resource-gone'] as const) {
    const ids = plan.resolved.filter((r) => r.resolution === resolution).map((r) => r.episode.id);
    for (const chunk of idChunks(ids)) {
      // A seen episode was last seen in the cluster's previous assessed scan; an unseen one keeps its last_seen.
      await trx(EPISODES)
        .whereIn('id', chunk)
        .update({
          resolved_run_id: now.runId,
          resolved_seq: now.seq,
          resolved_at: now.at,
          resolution,
          last_seen_run_id: trx.raw('COALESCE(last_seen_run_id, ?)', [prev?.runId ?? null]),
          last_seen_seq: trx.raw('COALESCE(last_seen_seq, ?)', [prev?.seq ?? null]),
          last_seen_at: trx.raw('COALESCE(last_seen_at, ?)', [prev?.at ?? null]),
        });
    }
  }
}

/** The episode rows of new findings from..to (exclusive). */
function createdRows(created: NewFindings, from: number, to: number, cluster: string, numbers: Map<string, number>, now: Point) {
  const rows = [];
  for (let i = from; i < to; i++) {
    const fingerprint = created.fingerprints[i] as string;
    const finding = created.findings[i] as Finding;
    rows.push({
      fingerprint,
      episode: (numbers.get(fingerprint) ?? 0) + 1,
      cluster,
      control_id: finding.controlId,
      kind: finding.resource.kind,
      namespace: finding.resource.namespace ?? null,
      name: finding.resource.name,
      container: finding.resource.container ?? null,
      discriminator: finding.discriminator ?? null,
      api_version: finding.resource.apiVersion ?? null,
      uid: finding.resource.uid ?? null,
      first_seen_run_id: now.runId,
      first_seen_seq: now.seq,
      first_seen_at: now.at,
      state_seq: now.seq,
      ...stateColumns(created.states[i] as EpisodeState, true),
      evidence_pruned: 0,
    });
  }
  return rows;
}

/** Extend the spans of `table` (count_spans or score_spans) that still hold, cut the others, open new ones. */
async function applySpans(trx: Knex.Transaction, dialect: SqlDialect, table: typeof SPANS | typeof SCORE_SPANS, cluster: string, current: readonly Aggregate[], seq: number): Promise<void> {
  const columns = table === SPANS ? SPAN_COLUMNS : SCORE_SPAN_COLUMNS;
  const open = (await dialect.selectRows<SpanRow>(trx, trx(table).where({ cluster }).whereNull('to_seq'), columns)).map(rowToOpenSpan);
  const plan = planSpans(open, current);
  for (const ids of idChunks(plan.close)) await trx(table).whereIn('id', ids).update({ to_seq: seq });
  await dialect.insertRows(
    trx,
    table,
    columns.length,
    plan.insert.map((a) => spanInsertRow(cluster, a, seq)),
  );
}

/** The episodes that stay open, as the chain covers them. */
function openEntries(plan: LifecyclePlan): OpenFindingEntry[] {
  return plan.open.map(({ episode, state, seen }) => ({
    fingerprint: episode.fingerprint,
    episode: episode.episode,
    status: state.status,
    severity: state.severity,
    seen,
    evidenceHash: state.evidenceHash,
  }));
}

/** The new episodes as the chain covers them, in fingerprint order, one at a time (a large cluster's first scan opens millions). */
function* createdEntries(created: NewFindings, numbers: Map<string, number>): Generator<OpenFindingEntry> {
  for (const i of created.byFingerprint) {
    const fingerprint = created.fingerprints[i] as string;
    const state = created.states[i] as EpisodeState;
    yield { fingerprint, episode: (numbers.get(fingerprint) ?? 0) + 1, status: state.status, severity: state.severity, seen: true, evidenceHash: state.evidenceHash };
  }
}

/** What the results hash covers of the episodes: none for a scan that failed. */
function hashedFindings(plan: LifecyclePlan | undefined, numbers: Map<string, number>): Pick<ResultsInput, 'findings' | 'sortedFindings'> {
  return plan ? { findings: openEntries(plan), sortedFindings: createdEntries(plan.created, numbers) } : { findings: [] };
}

/** Every episode open after the scan, with the disposition the scan gave the ones it observed; one at a time (a large scan opens millions). */
function* episodeDispositions(plan: LifecyclePlan, numbers: Map<string, number>): Generator<EpisodeDisposition> {
  for (const { episode, seen, disposition } of plan.open) yield { fingerprint: episode.fingerprint, episode: episode.episode, seen, disposition };
  const { fingerprints, findings } = plan.created;
  for (let i = 0; i < fingerprints.length; i++) {
    const fingerprint = fingerprints[i] as string;
    yield { fingerprint, episode: (numbers.get(fingerprint) ?? 0) + 1, seen: true, disposition: (findings[i] as Finding).disposition };
  }
}

function clusterRowOf(runId: string, scan: ClusterScan) {
  const where = `cluster ${scan.cluster} of run ${runId}`;
  return {
    run_id: runId,
    cluster: scan.cluster,
    labels: JSON.stringify(scan.labels),
    status: scan.status,
    started_at: isoTimestamp(scan.startedAt, `${where}: startedAt`),
    finished_at: isoTimestamp(scan.finishedAt, `${where}: finishedAt`),
    provider: scan.provider ?? null,
    server_version: scan.serverVersion ?? null,
    object_counts: JSON.stringify(scan.objectCounts),
    object_total: Object.values(scan.objectCounts).reduce((sum, n) => sum + (n ?? 0), 0),
    snapshot_hash: scan.snapshotHash ?? null,
    error: scan.error ?? null,
    // Only an assessed scan has a posture; NULL keeps the row's hash as it was before 012.
    posture: scan.status !== 'failed' && scan.posture ? JSON.stringify(scan.posture) : null,
  };
}

/** The cluster's newest assessed scan before this one, from its head row. */
function previousAssessed(head: HeadRow | undefined): Point | undefined {
  if (!head?.assessed_run_id || head.assessed_seq === null || !head.assessed_at) return undefined;
  return { runId: head.assessed_run_id, seq: Number(head.assessed_seq), at: head.assessed_at };
}

function headRow(cluster: string, now: Point, chain: string, assessed: Point | undefined): HeadRow {
  return {
    cluster,
    head_seq: now.seq,
    head_run_id: now.runId,
    head_chain_hash: chain,
    assessed_seq: assessed?.seq ?? null,
    assessed_run_id: assessed?.runId ?? null,
    assessed_at: assessed?.at ?? null,
  };
}

/** The scan's verdicts per status, its passes kept apart included. */
function scanCounts(scan: ClusterScan): StatusCounts {
  const counts = countStatuses(scan.findings);
  counts.pass += scan.passes?.size ?? 0;
  return counts;
}

/** What the scan's findings add up to; nothing for a scan that failed (it assessed nothing). */
function summarise(scan: ClusterScan, options: RecordClusterOptions) {
  if (scan.status === 'failed') return { aggregates: { controls: [], namespaces: [] }, frameworks: undefined };
  const aggregates = aggregateScan(scan.cluster, scan.findings, scan.passes);
  return {
    aggregates,
    frameworks: options.frameworks ? aggregateFrameworks(aggregates.controls, options.frameworks) : undefined,
  };
}

/** The run_clusters columns of migration 010: NULL frameworks for a caller that gave no profile (the row hashes as before). */
function profileColumnsOf(options: RecordClusterOptions): { profile: string | null; frameworks: string | null } {
  const p = options.profile;
  return { profile: p?.name ?? null, frameworks: p ? JSON.stringify(p.frameworks) : null };
}

/** Only an assessed scan keeps connectivity; NULL keeps the row's hash as it was before 011. */
async function networkColumns(trx: Knex.Transaction, scan: ClusterScan, options: RecordClusterOptions, at: string): Promise<{ network_digest: string | null; network_note: string | null }> {
  if (scan.status === 'failed') return { network_digest: null, network_note: null };
  if (!scan.network) return { network_digest: null, network_note: scan.networkNote ?? null };
  return keepNetwork(trx, scan.network, options.networkCapBytes ?? DEFAULT_NETWORK_CAP_BYTES, at);
}

/** The whole of recordCluster's work, inside `trx`. Throws StoreError for a missing or finished run. */
export async function recordClusterIn(trx: Knex.Transaction, dialect: SqlDialect, runId: string, scan: ClusterScan, options: RecordClusterOptions): Promise<void> {
  const writeStart = performance.now();
  const cluster = scan.cluster;
  const where = `cluster ${cluster} of run ${runId}`;
  const base = clusterRowOf(runId, scan);
  const counts = scanCounts(scan);
  const gapRows: GapRow[] = scan.gaps.map((g) => ({ run_id: runId, cluster, evidence: g.evidence, reason: g.reason, message: g.message }));
  const assessed = scan.status !== 'failed';
  const { aggregates, frameworks } = summarise(scan, options);
  const profileColumns = profileColumnsOf(options);

  const { seq, head } = await dialect.lockCluster(trx, cluster);
  // Hold the run against a concurrent takeover and check it still runs.
  const run = (await dialect.forShare(trx(RUNS).select('status', 'seq', 'started_at', 'exceptions_digest').where({ id: runId })).first()) as Pick<RunRow, 'status' | 'seq' | 'started_at' | 'exceptions_digest'> | undefined;
  if (!run) throw new StoreError(`cannot record ${where}: no such run`);
  if (run.status !== 'running') throw new StoreError(`cannot record ${where}: the run is ${run.status}, not running`);

  const now: Point = { runId, seq, at: base.started_at };
  const prev = previousAssessed(head);
  let plan: LifecyclePlan | undefined;
  let numbers = new Map<string, number>();
  let dispositions: DispositionEntry[] | undefined;
  if (assessed) {
    const open = (await dialect.selectRows<EpisodeRow>(trx, trx(EPISODES).where({ cluster }).whereNull('resolved_seq'), OPEN_EPISODE_COLUMNS)).map(rowToOpenEpisode);
    let observations: ScanObservations | undefined = observeScan(cluster, scan.findings, options.evaluatedControls, new Set(open.map((e) => e.key)), scan.passes, scan.namespaces);
    plan = planLifecycle(open, observations);
    // Its map holds a key per verdict on an open episode (millions on a large cluster's later
    // scans); the plan holds what is still to write. A variable left in scope would keep it to the end.
    observations = undefined;
    numbers = await episodeCounts(trx, plan.created.fingerprints);
    dispositions = await applyDispositionSpans(trx, dialect, cluster, episodeDispositions(plan, numbers), seq);
  }
  const network = await networkColumns(trx, scan, options, base.started_at);
  // Runs recorded without an exceptions digest (before 008, or by a caller that applied none) hash as before.
  const exceptionsDigest = run.exceptions_digest ?? null;

  const results = resultsHash({
    controls: aggregates.controls,
    namespaces: aggregates.namespaces,
    ...hashedFindings(plan, numbers),
    gaps: gapRows,
    ...(frameworks ? { frameworks } : {}),
    ...(dispositions && exceptionsDigest !== null ? { dispositions } : {}),
  });
  const prevChainHash = head?.head_chain_hash ?? ZERO_HASH;
  const chain = chainHash({
    prevChainHash,
    runId,
    runSeq: Number(run.seq),
    runStartedAt: run.started_at,
    cluster,
    seq,
    labels: base.labels,
    status: base.status,
    startedAt: base.started_at,
    finishedAt: base.finished_at,
    provider: base.provider,
    serverVersion: base.server_version,
    objectCounts: base.object_counts,
    objectTotal: base.object_total,
    snapshotHash: base.snapshot_hash,
    error: base.error,
    counts,
    resultsHash: results,
    exceptionsDigest,
    profile: profileColumns.profile,
    frameworks: profileColumns.frameworks,
    posture: base.posture,
    networkDigest: network.network_digest,
  });

  const withRisk = assessed && scan.risks !== undefined;
  await trx(RUN_CLUSTERS).insert({
    ...base,
    ...countsToRow(counts),
    seq,
    results_hash: results,
    prev_chain_hash: prevChainHash,
    chain_hash: chain,
    risk_recorded: withRisk ? 1 : null,
    scores_recorded: frameworks ? 1 : null,
    ...profileColumns,
    ...network,
  });
  await dialect.insertRows(trx, GAPS, GAP_COLUMNS.length, gapRows);
  if (plan) {
    await applyLifecycle(trx, dialect, cluster, plan, numbers, now, prev);
    await applySpans(trx, dialect, SPANS, cluster, [...aggregates.controls, ...aggregates.namespaces], seq);
  }
  if (frameworks) await applySpans(trx, dialect, SCORE_SPANS, cluster, frameworks, seq);
  if (withRisk && scan.risks) await applyRiskSpans(trx, dialect, cluster, scan.risks, seq);
  await trx(HEADS).insert(headRow(cluster, now, chain, assessed ? now : prev)).onConflict('cluster').merge();
  // SQLite only: there the write holds the whole file, and runs alone. On PostgreSQL the
  // clusters of one run are written concurrently under a shared lock of the run's row, which
  // an update here would turn into a deadlock; the owner's waiting beat lands at commit.
  if (dialect.name === 'sqlite') await beatWithin(trx, runId, scan, performance.now() - writeStart);
}

/**
 * The run's heartbeat, from inside the write: the scan's clock when the cluster was evaluated,
 * plus how long the write took. A large cluster holds SQLite's write lock for as long as it is
 * written, so the heartbeats of its owner wait; the run must not come out of the write looking
 * abandoned to another process. Never moves a heartbeat back.
 */
async function beatWithin(trx: Knex.Transaction, runId: string, scan: ClusterScan, writeMs: number): Promise<void> {
  const finished = Date.parse(scan.finishedAt);
  if (!Number.isFinite(finished)) return;
  const at = isoTimestamp(new Date(finished + Math.round(writeMs)), 'heartbeat');
  await trx(RUNS)
    .where({ id: runId })
    .update({ heartbeat_at: trx.raw('CASE WHEN heartbeat_at > ? THEN heartbeat_at ELSE ? END', [at, at]) });
}
