import type { Status } from '../core/types.js';
import type { ClusterSection, ControlSection, ReportFinding, RunReport } from './model.js';
import { resourceLabel } from './resource-path.js';

/**
 * JUnit XML, so CI systems show compliance like tests: one <testsuite> per cluster, one
 * <testcase> per control assessed there. fail -> <failure> (or <skipped>, with who accepted it
 * and why, when an exception in force excepts every failure), error -> <error>; unknown,
 * manual and not-applicable -> <skipped> with the reason. Each lists its findings, one per
 * line. A cluster that could not be assessed is a suite with one errored testcase.
 * Valid against the JUnit schema Jenkins reads (xunit-plugin junit-10.xsd): its <testsuites>
 * has no `skipped` attribute, only <testsuite> does.
 */

/** Code points XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content: the five entities, and U+FFFD for what XML cannot carry at all. */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value: also quotes, and tab/CR/LF as references so attribute normalisation keeps them. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

const SKIP_REASON: Partial<Record<Status, string>> = {
  unknown: 'unknown: evidence missing',
  manual: 'manual check',
  'not-applicable': 'not applicable',
};

/** One finding, on one line (line breaks inside values become spaces). */
function findingLine(f: ReportFinding): string {
  const ev = f.evidence ? `: ${f.evidence.path} observed ${f.evidence.observed}, expected ${f.evidence.expected}` : '';
  return `${resourceLabel(f.resource)}${ev}${f.message ? ` (${f.message})` : ''}`.replace(/\r\n|[\r\n]/g, ' ');
}

type Outcome = 'pass' | 'failure' | 'error' | 'skipped';

/** A control's excepted failures in one cluster: how many, and the exceptions in the order first met. */
interface Excepted {
  count: number;
  ids: Set<string>;
}

/**
 * The first pass: the excepted failures of each failing control per cluster (by control, then
 * cluster). With the statuses and counts of the results, that decides every testcase's outcome,
 * so the suites' counts can be written before their cases. Only counts and exception ids are
 * kept; each control's findings are built and let go in turn.
 */
function exceptedFailures(report: RunReport): Map<ControlSection, Map<string, Excepted>> {
  const out = new Map<ControlSection, Map<string, Excepted>>();
  for (const c of report.controls) {
    if (!c.results.some((r) => r.status === 'fail')) continue;
    const byCluster = new Map<string, Excepted>();
    for (const f of c.findings) {
      if (f.status !== 'fail' || f.disposition !== 'excepted') continue;
      let e = byCluster.get(f.cluster);
      if (!e) byCluster.set(f.cluster, (e = { count: 0, ids: new Set() }));
      e.count += 1;
      e.ids.add(f.exceptionId ?? '');
    }
    if (byCluster.size > 0) out.set(c, byCluster);
  }
  return out;
}

/** Why excepted findings are accepted, from the report's register, one exception at a time. */
function exceptedReason(report: RunReport, ids: ReadonlySet<string>): string {
  return [...ids]
    .map((id) => {
      const e = report.period.exceptions.find((x) => x.id === id);
      return e ? `excepted by ${id} (${e.owner}${e.expires ? `, until ${e.expires.slice(0, 10)}` : ''}): ${e.reason}` : `excepted by ${id}`;
    })
    .join('; ');
}

const NONE: Excepted = { count: 0, ids: new Set() };

/** A testcase's outcome, from its result alone (and the first pass for failures). */
function outcomeOf(status: Status, failed: number, excepted: Excepted): Outcome {
  if (status === 'fail') return excepted.count > 0 && excepted.count >= failed ? 'skipped' : 'failure';
  if (status === 'error') return 'error';
  return SKIP_REASON[status] ? 'skipped' : 'pass';
}

/** An element's text: the lines of the findings `keep` picks, escaped one at a time. */
function* findingLines(findings: readonly ReportFinding[], keep: (f: ReportFinding) => boolean, line: (f: ReportFinding) => string = findingLine): Generator<string> {
  let first = true;
  for (const f of findings) {
    if (!keep(f)) continue;
    yield `${first ? '' : '\n'}${xmlText(line(f))}`;
    first = false;
  }
}

interface CaseOf {
  cluster: string;
  control: ControlSection;
  status: Status;
  failed: number;
  excepted: Excepted;
}

/** One testcase, in pieces: its findings are read (built by the model) only when it lists them. */
function* testcase(report: RunReport, k: CaseOf): Generator<string> {
  const { cluster, control: c, status, failed, excepted } = k;
  const open = `    <testcase${attrs({ classname: cluster, name: `${c.id} ${c.title}`, time: 0 })}`;
  const outcome = outcomeOf(status, failed, excepted);
  if (outcome === 'pass') {
    yield `${open}/>\n`;
    return;
  }
  const findings = c.findings;
  const mine = (s: Status) => (f: ReportFinding) => f.cluster === cluster && f.status === s;
  const close = (tag: string) => `</${tag}>\n    </testcase>\n`;
  if (status === 'fail') {
    const isExcepted = (f: ReportFinding) => f.cluster === cluster && f.status === 'fail' && f.disposition === 'excepted';
    // Every failure accepted by an exception in force: skipped, with who accepted it and why.
    if (outcome === 'skipped') {
      yield `${open}>\n      <skipped${attrs({ message: exceptedReason(report, excepted.ids) })}>`;
      yield* findingLines(findings, isExcepted);
      yield close('skipped');
      return;
    }
    const line = (f: ReportFinding) => (f.disposition === 'expired' ? `${findingLine(f)} [exception ${f.exceptionId ?? ''} expired]` : findingLine(f));
    const also = excepted.count > 0 ? `; ${excepted.count} more excepted (${exceptedReason(report, excepted.ids)})` : '';
    yield `${open}>\n      <failure${attrs({ message: `${failed - excepted.count} resource(s) fail ${c.id}${also}`, type: c.severity })}>`;
    yield* findingLines(findings, (f) => mine('fail')(f) && f.disposition !== 'excepted', line);
    yield close('failure');
    return;
  }
  if (status === 'error') {
    yield `${open}>\n      <error${attrs({ message: `${c.id} could not be evaluated`, type: 'error' })}>`;
    yield* findingLines(findings, mine('error'));
    yield close('error');
    return;
  }
  const reason = SKIP_REASON[status] ?? '';
  const why = findings.find(mine(status))?.message;
  yield `${open}>\n      <skipped${attrs({ message: why ? `${reason}: ${why}` : reason })}>`;
  yield* findingLines(findings, mine(status));
  yield close('skipped');
}

/** The testcases of an assessed cluster: one per control with a result there. */
function casesOf(report: RunReport, cluster: string, excepted: ReadonlyMap<ControlSection, ReadonlyMap<string, Excepted>>): CaseOf[] {
  const out: CaseOf[] = [];
  for (const control of report.controls) {
    const r = control.results.find((x) => x.cluster === cluster);
    if (r) out.push({ cluster, control, status: r.status, failed: r.counts.fail, excepted: excepted.get(control)?.get(cluster) ?? NONE });
  }
  return out;
}

type Tally = Record<Outcome, number>;

function tally(cases: readonly CaseOf[]): Tally {
  const t: Tally = { pass: 0, failure: 0, error: 0, skipped: 0 };
  for (const k of cases) t[outcomeOf(k.status, k.failed, k.excepted)] += 1;
  return t;
}

/** A cluster that could not be assessed: one errored testcase. */
const NOT_ASSESSED: Tally = { pass: 0, failure: 0, error: 1, skipped: 0 };

function properties(report: RunReport, cluster: ClusterSection): string {
  return [
    ['status', cluster.status],
    ['run_id', report.run.id],
    ...(report.selection ? [['selection', report.selection]] : []),
    ...(cluster.profile !== undefined ? [['profile', cluster.profile]] : []),
    ...(cluster.frameworks ? [['frameworks', cluster.frameworks.join(',')]] : []),
    ...(cluster.snapshotHash ? [['snapshot_hash', cluster.snapshotHash]] : []),
    ...cluster.gaps.map((g) => [`gap.${g.evidence}`, `${g.reason}: ${g.message}`]),
  ]
    .map(([name, value]) => `      <property${attrs({ name: name ?? '', value: value ?? '' })}/>\n`)
    .join('');
}

const testsOf = (t: Tally) => t.pass + t.failure + t.error + t.skipped;

function* suite(report: RunReport, cluster: ClusterSection, cases: readonly CaseOf[] | undefined, t: Tally): Generator<string> {
  const head = attrs({ name: cluster.name, tests: testsOf(t), failures: t.failure, errors: t.error, skipped: t.skipped, time: 0, timestamp: report.run.startedAt });
  yield `  <testsuite${head}>\n    <properties>\n${properties(report, cluster)}    </properties>\n`;
  if (!cases)
    yield `    <testcase${attrs({ classname: cluster.name, name: 'cluster assessment', time: 0 })}>\n      <error${attrs({ message: `cluster not assessed: ${cluster.error ?? 'unknown error'}`, type: 'cluster-not-assessed' })}/>\n    </testcase>\n`;
  else for (const k of cases) yield* testcase(report, k);
  yield '  </testsuite>\n';
}

export function renderJunit(report: RunReport): string {
  return [...renderJunitChunks(report)].join('');
}

/**
 * renderJunit's text in pieces (a line of a finding at most), for large reports: the outcomes
 * are counted first (exceptedFailures), then each suite is written with its counts ahead of
 * its cases, and a testcase's findings are read only as they are written.
 */
export function* renderJunitChunks(report: RunReport): Generator<string> {
  const excepted = exceptedFailures(report);
  const suites = report.clusters.map((cluster) => {
    const cases = cluster.status === 'failed' ? undefined : casesOf(report, cluster.name, excepted);
    return { cluster, cases, tally: cases ? tally(cases) : NOT_ASSESSED };
  });
  const sum = (o: Outcome) => suites.reduce((n, s) => n + s.tally[o], 0);
  const tests = suites.reduce((n, s) => n + testsOf(s.tally), 0);
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({ name: `complyd run ${report.run.id}`, tests, failures: sum('failure'), errors: sum('error'), time: 0 })}>\n`;
  for (const s of suites) yield* suite(report, s.cluster, s.cases, s.tally);
  yield '</testsuites>\n';
}
