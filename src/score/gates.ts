/**
 * Judges gates, pure: the findings of a result (with their dispositions), its compliance score
 * with exceptions, the thresholds and, for `failOnNew`, the fingerprints of a baseline. Only an
 * open failure counts: one excepted by an exception in force never does, one whose exception
 * has lapsed (`expired`) does, like any open one. The score judged is the one with exceptions
 * (accepted failures left out of the decided checks, never counted as passes), so the two gates
 * agree on what an exception means.
 */
import type { Disposition } from '../core/exception.js';
import { GATE_FINDINGS_SHOWN, hasGates, type ClusterGateVerdict, type ClusterThresholds, type GateFinding, type GateReason, type GateResult, type GateThresholds } from '../core/gate.js';
import { SEVERITIES, type ResourceRef, type Severity, type SourceLocation, type Status } from '../core/types.js';
import { emptyCounts } from '../core/status.js';
import { complianceScore, type ControlCounts } from './compliance.js';

export interface GatedFinding {
  readonly cluster: string;
  readonly controlId: string;
  readonly severity: Severity;
  readonly status: Status;
  readonly disposition?: Pick<Disposition, 'kind'>;
  readonly resource: Pick<ResourceRef, 'kind' | 'namespace' | 'name' | 'container'>;
  readonly fingerprint: string;
  readonly source?: SourceLocation;
}

export interface GateInput {
  readonly findings: Iterable<GatedFinding>;
  /** The compliance score with exceptions, 0..100; null when nothing was decided. */
  readonly score: number | null;
  /** Fingerprints of the baseline's failing findings; required when thresholds.failOnNew. */
  readonly baseline?: ReadonlySet<string>;
}

/** 0 for critical, growing as severity falls. */
const rank = (s: Severity): number => SEVERITIES.indexOf(s);

const isOpenFailure = (f: GatedFinding): boolean => f.status === 'fail' && f.disposition?.kind !== 'excepted';

function describe(f: GateFinding): string {
  const r = f.resource;
  const object = `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.container ? `[${r.container}]` : ''}`;
  // A manifest's object is named by the file it was read from, not by the placeholder cluster.
  if (f.source) return `${f.controlId} (${f.severity}) ${f.source.file}${f.source.line === undefined ? '' : `:${f.source.line}`} (document ${f.source.document}) ${object}`;
  return `${f.controlId} (${f.severity}) ${f.cluster}/${object}`;
}

const byWeight = (a: GateFinding, b: GateFinding): number =>
  rank(a.severity) - rank(b.severity) || a.controlId.localeCompare(b.controlId) || a.cluster.localeCompare(b.cluster) || describe(a).localeCompare(describe(b));

/** Keeps the `n` first of a stream by `cmp` without holding the stream (a fleet has many findings). */
function firstN(n: number, cmp: (a: GateFinding, b: GateFinding) => number) {
  const kept: GateFinding[] = [];
  return {
    add(f: GateFinding) {
      if (kept.length === n && cmp(f, kept[n - 1] as GateFinding) >= 0) return;
      let i = kept.length;
      while (i > 0 && cmp(f, kept[i - 1] as GateFinding) < 0) i--;
      kept.splice(i, 0, f);
      if (kept.length > n) kept.pop();
    },
    kept,
  };
}

/** One decimal, unless rounding would hide that the score is below the bar (79.96 is not "80.0"). */
function formatScore(score: number, threshold: number): string {
  for (const digits of [1, 2, 3]) if (Number(score.toFixed(digits)) < threshold) return score.toFixed(digits);
  return String(score);
}

/** The reason the findings fail the gate (failOn, failOnNew), if they do. */
function findingsReason(input: GateInput, failOn: Severity | undefined, failOnNew: boolean): GateReason | undefined {
  const bar = failOn === undefined ? Infinity : rank(failOn);
  const shown = firstN(GATE_FINDINGS_SHOWN, byWeight);
  let count = 0;
  for (const f of input.findings) {
    if (!isOpenFailure(f) || rank(f.severity) > bar) continue;
    if (failOnNew && input.baseline?.has(f.fingerprint)) continue;
    count++;
    shown.add({ cluster: f.cluster, controlId: f.controlId, severity: f.severity, resource: f.resource, fingerprint: f.fingerprint, ...(f.source && { source: f.source }) });
  }
  if (count === 0) return undefined;
  const what = `${count} open failing finding${count === 1 ? '' : 's'}${failOn === undefined ? '' : ` at or above ${failOn}`}`;
  return {
    gate: failOnNew ? 'fail-on-new' : 'fail-on',
    ...(failOn !== undefined && { severity: failOn }),
    count,
    findings: shown.kept,
    message: failOnNew ? `${what} not in the baseline` : what,
  };
}

/** The reason the score fails the gate, if it does. No score (nothing decided) never clears a bar. */
function scoreReason(score: number | null, threshold: number): GateReason | undefined {
  if (score !== null && score >= threshold) return undefined;
  return {
    gate: 'fail-below-score',
    score,
    threshold,
    message: score === null ? `no compliance score (nothing was decided), so it cannot reach ${threshold}` : `compliance score ${formatScore(score, threshold)} is below ${threshold}`,
  };
}

export function judgeGates(input: GateInput, thresholds: GateThresholds): GateResult {
  const { failOn, failOnNew = false, failBelowScore } = thresholds;
  if (failOnNew && !input.baseline) throw new Error('judgeGates: failOnNew needs the baseline fingerprints');
  const reasons = [
    failOn !== undefined || failOnNew ? findingsReason(input, failOn, failOnNew) : undefined,
    failBelowScore !== undefined ? scoreReason(input.score, failBelowScore) : undefined,
  ].filter((r): r is GateReason => r !== undefined);
  return { passed: reasons.length === 0, reasons, thresholds };
}

export interface ClusterGateInput {
  readonly findings: Iterable<GatedFinding>;
  /**
   * Each assessed cluster's compliance score with exceptions (null: nothing decided). A
   * cluster absent from it was not assessed (or is outside what is judged) and is left out:
   * the command says so and exits for input not read, as for the command line's gates.
   */
  readonly scores: ReadonlyMap<string, number | null>;
  /** Fingerprints of the baseline's failing findings, when one was given. */
  readonly baseline?: ReadonlySet<string>;
}

/**
 * Profile gates: each cluster judged alone against its profile's thresholds, on its own
 * findings and its own score (a strict group's bar is not diluted by the rest of the fleet),
 * every reason naming the cluster and profile. `failOnNew` without a baseline compares with
 * nothing, so every open failure counts as new: a missing baseline never lets a gate pass.
 */
export function judgeClusterGates(input: ClusterGateInput, clusters: readonly ClusterThresholds[]): GateResult {
  const gated = clusters.filter((c) => hasGates(c.thresholds) && input.scores.has(c.cluster));
  const wanted = new Set(gated.map((c) => c.cluster));
  // One pass over the findings (a fleet has many), keeping only the open failures of gated clusters.
  const open = new Map<string, GatedFinding[]>();
  for (const f of input.findings) {
    if (!wanted.has(f.cluster) || !isOpenFailure(f)) continue;
    let list = open.get(f.cluster);
    if (!list) open.set(f.cluster, (list = []));
    list.push(f);
  }
  const reasons: GateReason[] = [];
  const verdicts: ClusterGateVerdict[] = [];
  for (const c of gated) {
    const noBaseline = c.thresholds.failOnNew === true && !input.baseline;
    const baseline = c.thresholds.failOnNew ? (input.baseline ?? new Set<string>()) : undefined;
    const result = judgeGates({ findings: open.get(c.cluster) ?? [], score: input.scores.get(c.cluster) ?? null, ...(baseline && { baseline }) }, c.thresholds);
    const who = `cluster ${c.cluster}${c.profile !== undefined ? ` (profile ${c.profile})` : ''}`;
    for (const r of result.reasons) {
      const message = `${who}: ${r.message}${noBaseline && r.gate === 'fail-on-new' ? ' (no --baseline given: every open failure counts as new)' : ''}`;
      reasons.push({ ...r, cluster: c.cluster, ...(c.profile !== undefined && { profile: c.profile }), message });
    }
    verdicts.push({ ...c, passed: result.passed });
  }
  return { passed: reasons.length === 0, reasons, thresholds: {}, clusters: verdicts };
}

/** One line per finding a reason names, for a terminal. */
export function gateFindingLines(reason: GateReason): string[] {
  if (reason.gate === 'fail-below-score') return [];
  const more = reason.count - reason.findings.length;
  return [...reason.findings.map(describe), ...(more > 0 ? [`... and ${more} more`] : [])];
}

/**
 * The compliance score with exceptions of findings that are all at hand (an offline evaluate):
 * each control's counts per cluster, an accepted failure left out of the decided checks (as
 * score/exceptions.ts does for a stored run).
 */
export function scoreOfFindings(findings: Iterable<Pick<GatedFinding, 'cluster' | 'controlId' | 'severity' | 'status' | 'disposition'>>): number | null {
  const rows = new Map<string, ControlCounts>();
  for (const f of findings) {
    const key = `${f.cluster}\u001f${f.controlId}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { controlId: f.controlId, severity: f.severity, counts: emptyCounts() }));
    if (f.status === 'fail' && f.disposition?.kind === 'excepted') continue;
    row.counts[f.status]++;
  }
  return complianceScore(rows.values()).score;
}
