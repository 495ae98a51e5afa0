/**
 * The gate flags of `scan`, `evaluate` and `report` (`--fail-on`, `--fail-below-score`,
 * `--fail-on-new` with `--baseline`), their baseline, and how a verdict is told: the reasons
 * last on stderr, briefly, and `gate` in the JSON output. The judging is score/gates.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { groupBy } from '../core/group-by.js';
import { hasGates, thresholdProblems, type ClusterThresholds, type GateResult, type GateThresholds } from '../core/gate.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import { gateFindingLines, judgeClusterGates, judgeGates, type GateInput } from '../score/gates.js';
import { gateThresholdsFor, profileOf, type Profile } from '../config/profiles.js';
import { EXIT, exitStatusOf, type ExitCode } from './exit-codes.js';
import { acceptedByControl, scoreWithExceptions } from '../score/exceptions.js';
import type { HistoryReader } from '../store/run-store.js';
import type { RunReport } from '../report/model.js';

export interface GateFlags {
  failOn?: string;
  failBelowScore?: string;
  failOnNew?: boolean;
  baseline?: string;
}

/** A baseline file larger than this is refused: a report of a very large fleet stays well below. */
export const MAX_BASELINE_BYTES = 512 * 1024 * 1024;

export function addGateOptions(cmd: Command, baselineHelp: string): Command {
  return cmd
    .addOption(new Option('--fail-on <severity>', `exit ${EXIT.gateFailed} when an open (not excepted) failing finding has this severity or a higher one`).choices(SEVERITIES))
    .option('--fail-below-score <n>', `exit ${EXIT.gateFailed} when the compliance score with exceptions is below N (0 to 100)`)
    .option('--fail-on-new', 'count only failing findings whose fingerprint is not in --baseline (with --fail-on: those at or above it; alone: any)')
    .option('--baseline <run|file>', baselineHelp);
}

export interface GateRequest {
  /** The command line's thresholds, judged over everything the command covers; empty with profile gates. */
  thresholds: GateThresholds;
  /** No gate flag given: the clusters whose profile declares gates, each judged alone against them. */
  clusters?: readonly ClusterThresholds[];
  /** Where the baseline comes from, when --fail-on-new (or a profile's failOnNew) wants one. */
  baseline?: string;
}

/** The gate thresholds of each cluster's profile, for the clusters whose profile declares any. */
export function profileGates(profiles: readonly Profile[], clusters: readonly string[]): ClusterThresholds[] {
  return clusters.flatMap((cluster) => {
    const thresholds = gateThresholdsFor(profiles, cluster);
    const profile = profileOf(profiles, cluster)?.name;
    return hasGates(thresholds) ? [{ cluster, ...(profile !== undefined && { profile }), thresholds }] : [];
  });
}

/**
 * The gates a command judges, checked; undefined when none. Any gate flag given replaces the
 * profiles' thresholds for every cluster (the command line is the pipeline's explicit bar, as
 * `scan --framework` wins over profiles); without one, each cluster of `profileGates` is held to
 * its profile's thresholds.
 */
export function parseGateFlags(flags: GateFlags, profileGates: readonly ClusterThresholds[] = []): GateRequest | undefined {
  const flagged = flags.failOn !== undefined || flags.failBelowScore !== undefined || flags.failOnNew === true;
  if (!flagged && profileGates.length > 0) {
    const wantsBaseline = profileGates.some((c) => c.thresholds.failOnNew === true);
    if (flags.baseline !== undefined && !wantsBaseline) throw new UsageError('--baseline is only used with --fail-on-new or a profile whose gates set failOnNew (none of the clusters judged has one)');
    return { thresholds: {}, clusters: profileGates, ...(flags.baseline !== undefined && { baseline: flags.baseline }) };
  }
  let failBelowScore: number | undefined;
  if (flags.failBelowScore !== undefined) {
    const text = flags.failBelowScore.trim();
    failBelowScore = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    const problems = thresholdProblems({ failBelowScore });
    if (problems.length > 0) throw new UsageError(`--fail-below-score: a number from 0 to 100, not "${flags.failBelowScore}"`);
  }
  if (flags.failOnNew && flags.baseline === undefined) {
    throw new UsageError('--fail-on-new needs --baseline RUN|FILE: the run or the JSON report to compare with (for scan, `--baseline latest` is the run before this one)');
  }
  if (flags.baseline !== undefined && !flags.failOnNew) throw new UsageError('--baseline is only used with --fail-on-new');
  const thresholds: GateThresholds = {
    ...(flags.failOn !== undefined && { failOn: flags.failOn as Severity }),
    ...(failBelowScore !== undefined && { failBelowScore }),
    ...(flags.failOnNew && { failOnNew: true }),
  };
  return hasGates(thresholds) ? { thresholds, ...(flags.baseline !== undefined && { baseline: flags.baseline }) } : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export interface Baseline {
  /** The file, or `run ID`. */
  source: string;
  fingerprints: Set<string>;
}

type RunsOf = { history: HistoryReader; resolve: (wanted: string) => Promise<string> };

/** The baseline a request names, if any (see loadBaseline). */
export async function requestedBaseline(request: GateRequest | undefined, runs?: RunsOf): Promise<Baseline | undefined> {
  return request?.baseline === undefined ? undefined : loadBaseline(request.baseline, runs);
}

/** What a request is judged on: everything covered, and each assessed cluster's score for profile gates. */
export type GateSource = Omit<GateInput, 'baseline'> & { clusterScores?: ReadonlyMap<string, number | null> };

/** Judge a request on its input and baseline; undefined when no gate was asked for. */
export function judgeRequest(request: GateRequest | undefined, input: GateSource, baseline: Baseline | undefined): GateResult | undefined {
  if (!request) return undefined;
  const fingerprints = baseline && { baseline: baseline.fingerprints };
  if (request.clusters) return judgeClusterGates({ findings: input.findings, scores: input.clusterScores ?? new Map(), ...fingerprints }, request.clusters);
  return judgeGates({ findings: input.findings, score: input.score, ...fingerprints }, request.thresholds);
}

/**
 * The fingerprints of a baseline's failing findings (whatever their disposition: a failure
 * accepted before is not new). `spec` names a JSON file when one exists at that path, else a
 * run of the store (an id, a unique prefix, or `latest`) when there is a store to ask.
 */
export async function loadBaseline(spec: string, runs?: RunsOf): Promise<Baseline> {
  if (await isFile(spec)) {
    const { kind, fingerprints } = await baselineFile(spec);
    // A fingerprint names its cluster: a manifest's (`evaluate`) never equals a scanned one's, so
    // a baseline of the other kind would make every failure new.
    const wanted = runs ? 'report' : 'evaluate';
    if (kind !== wanted) {
      throw new UsageError(
        runs
          ? `--baseline ${spec}: an \`evaluate -o json\` document; scan and report compare with a run or a \`report -o json\` file (their findings belong to clusters, evaluate's to manifests)`
          : `--baseline ${spec}: a complyd report; evaluate compares with a file written by \`evaluate -o json\` (a report's findings belong to clusters, evaluate's to manifests)`,
      );
    }
    return { source: spec, fingerprints };
  }
  if (!runs) throw new UsageError(`--baseline: no file ${spec} (evaluate compares with a JSON file written by \`evaluate -o json\`)`);
  let runId: string;
  try {
    runId = await runs.resolve(spec);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`--baseline: "${spec}" is neither a file nor a run of the store (${err.message.replace(/^--run: /, '')})`);
    throw err;
  }
  const findings = await runs.history.findings(runId, { status: 'fail', withoutEvidence: true });
  return { source: `run ${runId}`, fingerprints: new Set(findings.map((f) => f.fingerprint)) };
}

/** A report (`report -o json`, `complyd.report/v1`) or an `evaluate -o json` document; each finding read by its key path. */
export async function baselineFile(file: string): Promise<{ kind: 'report' | 'evaluate'; fingerprints: Set<string> }> {
  const size = (await stat(file)).size;
  if (size > MAX_BASELINE_BYTES) throw new UsageError(`--baseline ${file}: too large (${size} bytes; at most ${MAX_BASELINE_BYTES})`);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--baseline ${file}: not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const out = new Set<string>();
  const take = (list: unknown, path: string) => {
    if (!Array.isArray(list)) throw new UsageError(`--baseline ${file}: ${path}: expected a list`);
    list.forEach((f: unknown, i) => {
      const at = `${path}[${i}]`;
      if (typeof f !== 'object' || f === null) throw new UsageError(`--baseline ${file}: ${at}: expected an object`);
      const { status, fingerprint } = f as { status?: unknown; fingerprint?: unknown };
      if (status !== 'fail') return;
      if (typeof fingerprint !== 'string' || fingerprint === '') {
        throw new UsageError(`--baseline ${file}: ${at}.fingerprint: missing (a file written by \`report -o json\` or \`evaluate -o json\` of this version has one)`);
      }
      out.add(fingerprint);
    });
  };
  const d = doc as { schema?: unknown; controls?: unknown; findings?: unknown };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`--baseline ${file}: expected a JSON object`);
  if (d.schema === 'complyd.report/v1') {
    if (!Array.isArray(d.controls)) throw new UsageError(`--baseline ${file}: controls: expected a list`);
    d.controls.forEach((c: unknown, i) => take((c as { findings?: unknown } | null)?.findings, `controls[${i}].findings`));
    return { kind: 'report', fingerprints: out };
  }
  if (d.findings === undefined) throw new UsageError(`--baseline ${file}: neither a complyd report (schema complyd.report/v1) nor an \`evaluate -o json\` document (findings)`);
  take(d.findings, 'findings');
  return { kind: 'evaluate', fingerprints: out };
}

/** A stored run's failing findings and compliance score with exceptions (the fleet's and each assessed cluster's), as the gates read them. */
export async function runGateInput(history: HistoryReader, runId: string): Promise<GateSource> {
  const [findings, rows, clusters] = await Promise.all([history.findings(runId, { status: 'fail', withoutEvidence: true }), history.controlResults(runId), history.clusterResults(runId)]);
  const accepted = acceptedByControl(findings);
  const rowsOf = groupBy(rows, (r) => r.cluster);
  const clusterScores = new Map<string, number | null>();
  for (const c of clusters) if (c.status !== 'failed') clusterScores.set(c.cluster, scoreWithExceptions(rowsOf.get(c.cluster) ?? [], accepted));
  return { findings, score: scoreWithExceptions(rows, accepted), clusterScores };
}

/** What a report covers (its clusters and framework), as the gates read it: the same findings and score it shows. */
export function reportGateInput(report: RunReport): GateSource {
  return {
    clusterScores: new Map(report.clusters.filter((c) => c.status !== 'failed').map((c) => [c.name, c.scoreWithExceptions])),
    findings: (function* () {
      for (const c of report.controls) {
        for (const f of c.findings) yield { ...f, controlId: c.id, ...(f.disposition === 'open' || f.disposition === undefined ? { disposition: undefined } : { disposition: { kind: f.disposition } }) };
      }
    })(),
    score: report.fleet.scoreWithExceptions,
  };
}

/** The verdict as the JSON outputs carry it. */
export function gateJson(result: GateResult, baselineSource?: string): Record<string, unknown> {
  return { passed: result.passed, reasons: result.reasons, thresholds: result.thresholds, ...(result.clusters && { clusters: result.clusters }), ...(baselineSource !== undefined && { baseline: baselineSource }) };
}

/**
 * Tells the verdict (text mode: last on stderr, after naming the clusters it was judged
 * without) and returns the exit status of the run: a failed gate wins over input not read.
 */
export function finishGated(gate: GateResult | undefined, outcome: { notAssessed: readonly string[]; text: boolean }): ExitCode {
  if (gate && outcome.text) {
    if (outcome.notAssessed.length > 0) process.stderr.write(`complyd: gate judged without ${outcome.notAssessed.join(', ')} (not read)\n`);
    process.stderr.write(gateText(gate));
  }
  return exitStatusOf({ notAssessed: outcome.notAssessed.length > 0, gateFailed: gate?.passed === false });
}

/**
 * The verdict for a terminal: the findings named first, then one brief line, the last one
 * written, saying why the gate failed (or that it passed).
 */
export function gateText(result: GateResult): string {
  if (result.passed) return 'gate passed\n';
  const lines: string[] = [];
  for (const r of result.reasons) {
    const found = gateFindingLines(r);
    if (found.length > 0) lines.push(`${r.message}:`, ...found.map((l) => `  ${l}`));
  }
  lines.push(`complyd: gate failed: ${result.reasons.map((r) => r.message).join('; ')}`);
  return `${lines.join('\n')}\n`;
}
