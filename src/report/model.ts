import type { ClusterPosture, PolicyReportSource } from '../core/admission.js';
import { sumPostures } from '../history/enforcement.js';
import type { Evidence, Gap, ResourceRef, Severity, Status } from '../core/types.js';
import { SEVERITIES } from '../core/types.js';
import type { Control, Framework } from '../core/control.js';
import { emptyCounts, type StatusCounts } from '../core/status.js';
import type { ControlResult, HistoryReader } from '../store/run-store.js';
import { complianceScore } from '../score/compliance.js';
import { groupBy } from '../core/group-by.js';
import { buildPeriod, type PeriodSection } from './period.js';
import type { Exception } from '../core/exception.js';
import { acceptedByControl, scoreWithExceptions } from '../score/exceptions.js';
import { exceptionsRegister } from './exceptions-register.js';
import type { ConnectionDiff, NetworkAnalysis } from '../core/network.js';
import { periodNetwork } from './period-network.js';
import { OpenAtRun, type OpenEpisode } from './open-at-run.js';

/**
 * The report as plain data: built from the store (never from the clusters), then rendered
 * to JSON, PDF, ... Every figure in it is a count of stored findings of one run, and every
 * cluster carries the hash of the snapshot its findings came from.
 */
export interface RunReport {
  schema: 'complyd.report/v1';
  generatedAt: string;
  /** The framework the report is limited to, when it is. */
  framework?: string;
  /** The profile (cluster group) the report is cut to, when it is (ADR 0015). */
  profile?: ReportProfile;
  /**
   * The control selection the report is cut to (`report --control/--skip-control/--severity`),
   * when it is: every count, score and listing then covers only the selected controls.
   */
  selection?: string;
  complydVersion: string;
  catalogVersion: string;
  run: { id: string; startedAt: string; finishedAt?: string; status: string; trigger: string };
  /** `score` is as measured; `scoreWithExceptions` leaves the failures accepted by exceptions in force out of the decided checks. */
  fleet: { clusters: number; assessed: number; counts: StatusCounts; passRate: number | null; score: number | null; scoreWithExceptions: number | null; dispositions: DispositionCounts };
  /**
   * The exception set: its digest as the run recorded it, and the digest of the files read for
   * this report (they may have changed since the run; the dispositions are the run's).
   */
  exceptions: { runDigest?: string; filesDigest?: string };
  clusters: ClusterSection[];
  /** Enforcement at admission over the clusters with a recorded posture (absent: none has one; ADR 0020). */
  enforcement?: FleetEnforcement;
  controls: ControlSection[];
  /** The period ending at this run: trends, changes, time to remediate, risks, hash-chain entries. */
  period: PeriodSection;
  /** Each assessed cluster's stored connectivity at the run (absent: none was stored). */
  readonly network?: readonly ClusterNetwork[];
}

/** A cluster's connectivity at the run, and what changed over the report's period. */
export interface ClusterNetwork {
  readonly cluster: string;
  readonly analysis: NetworkAnalysis;          // from core/network, with exposure
  /** Since the period's start (the newest earlier run that holds connectivity); absent when none does. */
  readonly changes?: ConnectionDiff;
  readonly since?: string;                     // ISO time of that earlier run
}

/** A profile as a report names it: the group, how it is chosen, what it is held to. */
export interface ReportProfile {
  name: string;
  /** The label selector as Kubernetes prints it (`env=prod`). */
  selector: string;
  frameworks: readonly string[];
  /** Controls of a lower severity were not evaluated on the group's clusters. */
  severityFloor?: Severity;
}

export interface ClusterSection {
  name: string;
  labels: Record<string, string>;
  /** The profile the cluster was scanned under (absent: none, or a scan recorded before profiles). */
  profile?: string;
  /** The frameworks whose controls were evaluated on it, as the run recorded them. */
  frameworks?: readonly string[];
  status: string;
  provider?: string;
  serverVersion?: string;
  objectTotal: number;
  snapshotHash?: string;
  error?: string;
  counts: StatusCounts;
  passRate: number | null;
  /** Severity-weighted compliance score as measured (README: Scores); null when nothing was decided. */
  score: number | null;
  /** The same with failures accepted by exceptions in force left out of the decided checks. */
  scoreWithExceptions: number | null;
  dispositions: DispositionCounts;
  gaps: Gap[];
  /** False when the cluster was read with TLS verification off (a `tls-unverified` gap); absent otherwise. */
  tlsVerified?: false;
  failingControls: Array<{ controlId: string; title: string; severity: Severity; failed: number }>;
  /** Enforcement at admission per control, other engines and PolicyReports found (absent: not recorded). */
  posture?: ClusterPosture;
}

/** The fleet's enforcement: summed over clusters, and the PolicyReports of other tools by source. */
export interface FleetEnforcement {
  clusters: number;
  enforced: number;
  considered: number;
  /** enforced / considered, 0..100. */
  coverage: number | null;
  drift: number;
  /** PolicyReports found in the clusters, per cluster and source: their own counts, not re-judged. */
  policyReports: Array<{ cluster: string } & PolicyReportSource>;
}

/** Failing findings by disposition: open (no exception), excepted (one in force), expired (its exception lapsed). */
export interface DispositionCounts {
  open: number;
  excepted: number;
  expired: number;
}
/** What every report says of a cluster read with TLS verification off. */
export const TLS_UNVERIFIED_NOTE = "TLS verification was off (insecure-skip-tls-verify in its kubeconfig): the API server's identity was not checked, so its evidence could have come from anyone in between";

export interface ReportFinding {
  cluster: string;
  status: Status;
  /** For a failing finding: open, excepted or expired (the status stays fail). */
  disposition?: 'open' | 'excepted' | 'expired';
  /** The exception that excepted it, or that lapsed. */
  exceptionId?: string;
  severity: Severity;
  /** With the object's apiVersion and uid where it was read. */
  resource: ResourceRef;
  evidence?: Evidence;
  message?: string;
  fingerprint: string;
  /** When its episode was first seen, and its age in days at the run's start (absent for runs recorded before lifecycles). */
  firstSeen?: string;
  ageDays?: number;
}

export interface ControlSection {
  id: string;
  title: string;
  section: string;
  severity: Severity;
  frameworks: readonly string[];
  refs: Control['refs'];
  rationale: string;
  remediation: string;
  automated: boolean;
  results: Array<{ cluster: string; status: Status; counts: StatusCounts }>;
  /** Failing resources first, then unknown/error/manual; passes are only counted. */
  findings: ReportFinding[];
}

/** Share of decided checks that passed: pass / (pass + fail). Unknown and manual are not counted as passed. */
export function passRate(c: StatusCounts): number | null {
  const decided = c.pass + c.fail;
  return decided === 0 ? null : c.pass / decided;
}

function scoreOf(rows: readonly ControlResult[]): number | null {
  return complianceScore(rows.map((r) => ({ controlId: r.controlId, severity: r.severity, counts: r.counts }))).score;
}

function add(into: StatusCounts, c: StatusCounts): void {
  for (const k of Object.keys(into) as Status[]) into[k] += c[k];
}

const STATUS_ORDER: Status[] = ['fail', 'error', 'unknown', 'manual', 'not-applicable', 'pass'];

export interface BuildReportInput {
  store: HistoryReader;
  runId: string;
  controls: readonly Control[];
  now: Date;
  complydVersion: string;
  /** Limit to these clusters. */
  clusters?: readonly string[];
  /** Limit to the controls of one framework; counts are then those of its controls only. */
  framework?: Framework;
  /** The profile whose clusters `clusters` are, named on the report. */
  profile?: ReportProfile;
  /** Limit to the controls a selection keeps; `description` is named on the report so a partial one never reads as whole. */
  selection?: { description: string; keeps: (c: { controlId: string; severity: Severity }) => boolean };
  /** Length of the period the report looks back over, ending at the run. Default 30 days. */
  sinceMs?: number;
  /** The exceptions declared now, for the register (owner, reason, expiry); the dispositions come from the run. */
  exceptions?: readonly Exception[];
  /** Digest of `exceptions`, to show whether they are the ones the run applied. */
  exceptionsDigest?: string;
}

export const DEFAULT_PERIOD_MS = 30 * 86_400_000;

export async function buildRunReport(input: BuildReportInput): Promise<RunReport> {
  const { store, runId } = input;
  const run = await store.getRun(runId);
  if (!run) throw new Error(`run ${runId} not found`);
  const only = input.clusters ? new Set(input.clusters) : undefined;
  const keep = (cluster: string) => !only || only.has(cluster);

  const inScope = input.framework ? new Set(input.controls.filter((c) => c.frameworks.includes(input.framework as Framework)).map((c) => c.id)) : undefined;
  const selected = input.selection?.keeps;
  const kept = (controlId: string, severity: Severity) => (!inScope || inScope.has(controlId)) && (!selected || selected({ controlId, severity }));
  const scoped = <T extends { controlId: string; severity: Severity }>(rows: T[]) => (inScope || selected ? rows.filter((r) => kept(r.controlId, r.severity)) : rows);
  const [clusterRows, controlRows, gapRows] = await Promise.all([store.clusterResults(runId), store.controlResults(runId).then(scoped), store.gaps(runId)]);
  // The episodes open at the run serve the findings (those the run observed), the period's diff
  // and its ages. Kept in columns, read a page at a time: on a cluster of 200,000 pods there
  // are two million, and as objects they were most of the report's memory (ADR 0013).
  const open = new OpenAtRun();
  for await (const page of store.openEpisodePages(runId)) for (const e of page) open.add(e);
  open.seal();
  const filtered = Boolean(inScope || selected);
  /** An episode the report lists: observed by the run, of a control kept. */
  const found = (i: number) => open.seen(i) && (!filtered || kept(open.controlId(i), open.severity(i)));
  const byId = new Map(input.controls.map((c) => [c.id, c]));
  // Counts are summed from the per-control results, so a framework-limited report adds up too.
  const countsOf = (cluster: string) => {
    const counts = emptyCounts();
    for (const r of controlRows) if (r.cluster === cluster) add(counts, r.counts);
    return counts;
  };
  const sevRank = (s: Severity) => SEVERITIES.indexOf(s);
  const { disposedByCluster, disposed } = dispositionTally(open, found);
  const accepted = acceptedByControl(disposed);
  const dispositionsOf = (cluster?: string): DispositionCounts => {
    const out = { open: 0, excepted: 0, expired: 0 };
    for (const [c, counts] of disposedByCluster) if (cluster === undefined ? keep(c) : c === cluster) for (const k of ['open', 'excepted', 'expired'] as const) out[k] += counts[k];
    return out;
  };

  const clusters: ClusterSection[] = clusterRows.filter((c) => keep(c.cluster)).map((c) => ({
    name: c.cluster,
    labels: c.labels,
    ...(c.profile !== undefined ? { profile: c.profile } : {}),
    ...(c.frameworks !== undefined ? { frameworks: c.frameworks } : {}),
    status: c.status,
    ...(c.provider ? { provider: c.provider } : {}),
    ...(c.serverVersion ? { serverVersion: c.serverVersion } : {}),
    objectTotal: c.objectTotal,
    ...(c.snapshotHash ? { snapshotHash: c.snapshotHash } : {}),
    ...(c.error ? { error: c.error } : {}),
    counts: countsOf(c.cluster),
    passRate: passRate(countsOf(c.cluster)),
    score: scoreOf(controlRows.filter((r) => r.cluster === c.cluster)),
    scoreWithExceptions: scoreWithExceptions(controlRows.filter((r) => r.cluster === c.cluster), accepted),
    dispositions: dispositionsOf(c.cluster),
    gaps: gapRows.filter((g) => g.cluster === c.cluster).map(({ evidence, reason, message }) => ({ evidence, reason, message })),
    ...(gapRows.some((g) => g.cluster === c.cluster && g.reason === 'tls-unverified') ? { tlsVerified: false as const } : {}),
    ...(c.posture ? { posture: c.posture } : {}),
    failingControls: controlRows
      .filter((r) => r.cluster === c.cluster && r.counts.fail > 0)
      .map((r) => ({ controlId: r.controlId, title: byId.get(r.controlId)?.title ?? r.controlId, severity: r.severity, failed: r.counts.fail }))
      .sort((a, b) => sevRank(a.severity) - sevRank(b.severity) || b.failed - a.failed || a.controlId.localeCompare(b.controlId)),
  }));

  const fleetCounts = emptyCounts();
  for (const c of clusters) add(fleetCounts, c.counts);
  const period = await buildPeriod({
    store,
    run,
    sinceMs: input.sinceMs ?? DEFAULT_PERIOD_MS,
    clusterRows,
    controlRows,
    ...(input.clusters ? { clusters: input.clusters } : {}),
    ...(input.framework ? { framework: input.framework } : {}),
    openAtRun: { [Symbol.iterator]: () => open.episodes() },
  });
  const network = await periodNetwork(store, run.id, clusterRows.filter((c) => keep(c.cluster) && c.status !== 'failed').map((c) => c.cluster), new Date(period.from));
  if (network.changes) period.network = network.changes;
  period.exceptions = exceptionsRegister(input.exceptions ?? [], disposed.filter((f) => keep(f.cluster)), new Date(run.startedAt));

  const catalogIds = input.controls.filter((c) => kept(c.id, c.severity)).map((c) => c.id);
  const controlIds = [...new Set([...catalogIds, ...controlRows.map((r) => r.controlId)])];
  const rowsOf = groupBy(controlRows.filter((r) => keep(r.cluster)), (r) => r.controlId);
  const runStart = Date.parse(run.startedAt);
  const listed = (id: string) => open.ofControl(id).filter((i) => found(i) && keep(open.cluster(i)));
  const controls = controlIds.map((id) => controlSection(id, byId.get(id), rowsOf.get(id) ?? [], open, listed(id), runStart)).filter((c) => c.results.length > 0);

  return {
    schema: 'complyd.report/v1',
    generatedAt: input.now.toISOString(),
    ...(input.framework ? { framework: input.framework } : {}),
    ...(input.profile ? { profile: input.profile } : {}),
    ...(input.selection ? { selection: input.selection.description } : {}),
    complydVersion: input.complydVersion,
    catalogVersion: run.catalogVersion,
    run: {
      id: run.id,
      startedAt: run.startedAt,
      ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
      status: run.status,
      trigger: run.trigger,
    },
    fleet: {
      clusters: clusters.length,
      assessed: clusters.filter((c) => c.status !== 'failed').length,
      counts: fleetCounts,
      passRate: passRate(fleetCounts),
      score: scoreOf(controlRows.filter((r) => keep(r.cluster))),
      scoreWithExceptions: scoreWithExceptions(controlRows.filter((r) => keep(r.cluster)), accepted),
      dispositions: dispositionsOf(),
    },
    exceptions: { ...(run.exceptionsDigest !== undefined && { runDigest: run.exceptionsDigest }), ...(input.exceptionsDigest !== undefined && { filesDigest: input.exceptionsDigest }) },
    clusters,
    ...fleetEnforcement(clusters),
    controls,
    period,
    ...(network.clusters.length > 0 ? { network: network.clusters } : {}),
  };
}

/** Failing findings by disposition per cluster, and those with an exception (few) as episodes. */
function dispositionTally(open: OpenAtRun, found: (i: number) => boolean): { disposedByCluster: Map<string, DispositionCounts>; disposed: OpenEpisode[] } {
  const disposedByCluster = new Map<string, DispositionCounts>();
  const disposed: OpenEpisode[] = [];
  for (let i = 0; i < open.size; i++) {
    if (open.status(i) !== 'fail' || !found(i)) continue;
    const cluster = open.cluster(i);
    let counts = disposedByCluster.get(cluster);
    if (!counts) disposedByCluster.set(cluster, (counts = { open: 0, excepted: 0, expired: 0 }));
    const disposition = open.disposition(i);
    counts[disposition?.kind ?? 'open'] += 1;
    if (disposition) disposed.push(open.episode(i));
  }
  return { disposedByCluster, disposed };
}

function fleetEnforcement(clusters: readonly ClusterSection[]): { enforcement?: FleetEnforcement } {
  const withPosture = clusters.filter((c) => c.posture);
  if (withPosture.length === 0) return {};
  const sums = sumPostures(withPosture.flatMap((c) => c.posture ?? []));
  const policyReports = withPosture.flatMap((c) => (c.posture?.policyReports ?? []).map((r) => ({ cluster: c.name, ...r })));
  return { enforcement: { clusters: sums.clusters, enforced: sums.enforced, considered: sums.considered, coverage: sums.coverage, drift: sums.drift, policyReports } };
}

const DAY_MS = 86_400_000;

function reportFinding(open: OpenAtRun, i: number, runStart: number): ReportFinding {
  const status = open.status(i);
  const disposition = open.disposition(i);
  const evidence = open.evidenceAt(i);
  const message = open.messageAt(i);
  const firstSeenAt = open.firstSeenAt(i);
  return {
    cluster: open.cluster(i),
    status,
    ...(status === 'fail' && { disposition: disposition?.kind ?? 'open' }),
    ...(disposition && { exceptionId: disposition.exceptionId }),
    severity: open.severity(i),
    resource: open.resourceOf(i),
    ...(evidence ? { evidence } : {}),
    ...(message ? { message } : {}),
    fingerprint: open.fingerprint(i),
    firstSeen: firstSeenAt,
    ageDays: Math.max(0, Math.round(((runStart - Date.parse(firstSeenAt)) / DAY_MS) * 10) / 10),
  };
}

/**
 * A control's section. Its findings (`listed`: indexes into `open`) are put in order once and
 * built as report findings each time they are read, by a getter: a format reads one control's
 * at a time, so only those are ever objects together (JSON.stringify and every format see a
 * plain array).
 */
function controlSection(id: string, meta: Control | undefined, rows: readonly ControlResult[], open: OpenAtRun, listed: readonly number[], runStart: number): ControlSection {
  // Sorted on keys computed once: failing first, then by resource.
  const order = Int32Array.from(
    listed
      .map((i) => ({ i, rank: STATUS_ORDER.indexOf(open.status(i)), key: resourceKey({ cluster: open.cluster(i), resource: open.resourceOf(i) }) }))
      .sort((a, b) => a.rank - b.rank || RESOURCE_ORDER.compare(a.key, b.key))
      .map((x) => x.i),
  );
  return {
    id,
    title: meta?.title ?? id,
    section: meta?.section ?? '',
    // A control no longer in the catalog keeps the severity it was stored with.
    severity: meta?.severity ?? rows[0]?.severity ?? 'info',
    frameworks: meta?.frameworks ?? [],
    refs: meta?.refs ?? {},
    rationale: meta?.rationale ?? '',
    remediation: meta?.remediation ?? '',
    automated: Boolean(meta?.evaluate),
    results: rows.map((r) => ({ cluster: r.cluster, status: r.status, counts: r.counts })),
    get findings(): ReportFinding[] {
      return Array.from(order, (i) => reportFinding(open, i, runStart));
    },
  };
}

/** Findings of a control in cluster, namespace, kind, name, container order (as localeCompare sorts). */
const RESOURCE_ORDER = new Intl.Collator();
const resourceKey = (f: Pick<ReportFinding, 'cluster' | 'resource'>) => `${f.cluster}/${f.resource.namespace ?? ''}/${f.resource.kind}/${f.resource.name}/${f.resource.container ?? ''}`;
