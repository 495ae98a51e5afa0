import type { Status } from '../../src/core/types.js';
import type { ClusterSection, ControlSection, ReportFinding, RunReport } from '../../src/report/model.js';
import { resourceLabel } from '../../src/report/resource-path.js';
import { xmlAttr, xmlText } from '../../src/report/junit-report.js';

/**
 * The JUnit renderer as it was before it wrote in pieces (one text, built whole), kept as the
 * reference the piecewise renderer must match byte for byte. Test code only.
 */

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

interface Case {
  xml: string;
  outcome: 'pass' | 'failure' | 'error' | 'skipped';
}

/** Why excepted findings are accepted, from the report's register, one exception at a time. */
function exceptedReason(report: RunReport, excepted: readonly ReportFinding[]): string {
  const ids = [...new Set(excepted.map((f) => f.exceptionId ?? ''))];
  return ids
    .map((id) => {
      const e = report.period.exceptions.find((x) => x.id === id);
      return e ? `excepted by ${id} (${e.owner}${e.expires ? `, until ${e.expires.slice(0, 10)}` : ''}): ${e.reason}` : `excepted by ${id}`;
    })
    .join('; ');
}

function testcase(report: RunReport, cluster: string, c: ControlSection, status: Status, failed: number): Case {
  const open = `    <testcase${attrs({ classname: cluster, name: `${c.id} ${c.title}`, time: 0 })}`;
  const mine = c.findings.filter((f) => f.cluster === cluster);
  const lines = (s: Status) => mine.filter((f) => f.status === s).map(findingLine).join('\n');
  if (status === 'fail') {
    const excepted = mine.filter((f) => f.status === 'fail' && f.disposition === 'excepted');
    const standing = mine.filter((f) => f.status === 'fail' && f.disposition !== 'excepted');
    // Every failure accepted by an exception in force: skipped, with who accepted it and why.
    if (excepted.length > 0 && excepted.length >= failed)
      return { outcome: 'skipped', xml: `${open}>\n      <skipped${attrs({ message: exceptedReason(report, excepted) })}>${xmlText(excepted.map(findingLine).join('\n'))}</skipped>\n    </testcase>\n` };
    const line = (f: ReportFinding) => (f.disposition === 'expired' ? `${findingLine(f)} [exception ${f.exceptionId ?? ''} expired]` : findingLine(f));
    const also = excepted.length > 0 ? `; ${excepted.length} more excepted (${exceptedReason(report, excepted)})` : '';
    return {
      outcome: 'failure',
      xml: `${open}>\n      <failure${attrs({ message: `${failed - excepted.length} resource(s) fail ${c.id}${also}`, type: c.severity })}>${xmlText(standing.map(line).join('\n'))}</failure>\n    </testcase>\n`,
    };
  }
  if (status === 'error')
    return { outcome: 'error', xml: `${open}>\n      <error${attrs({ message: `${c.id} could not be evaluated`, type: 'error' })}>${xmlText(lines('error'))}</error>\n    </testcase>\n` };
  const reason = SKIP_REASON[status];
  if (reason) {
    const why = mine.find((f) => f.status === status)?.message;
    return { outcome: 'skipped', xml: `${open}>\n      <skipped${attrs({ message: why ? `${reason}: ${why}` : reason })}>${xmlText(lines(status))}</skipped>\n    </testcase>\n` };
  }
  return { outcome: 'pass', xml: `${open}/>\n` };
}

function suite(report: RunReport, cluster: ClusterSection): { xml: string; cases: Case[] } {
  const cases: Case[] =
    cluster.status === 'failed'
      ? [
          {
            outcome: 'error',
            xml: `    <testcase${attrs({ classname: cluster.name, name: 'cluster assessment', time: 0 })}>\n      <error${attrs({ message: `cluster not assessed: ${cluster.error ?? 'unknown error'}`, type: 'cluster-not-assessed' })}/>\n    </testcase>\n`,
          },
        ]
      : report.controls.flatMap((c) => {
          const r = c.results.find((x) => x.cluster === cluster.name);
          return r ? [testcase(report, cluster.name, c, r.status, r.counts.fail)] : [];
        });
  const n = (o: Case['outcome']) => cases.filter((c) => c.outcome === o).length;
  const props = [
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
  const head = attrs({ name: cluster.name, tests: cases.length, failures: n('failure'), errors: n('error'), skipped: n('skipped'), time: 0, timestamp: report.run.startedAt });
  return { cases, xml: `  <testsuite${head}>\n    <properties>\n${props}    </properties>\n${cases.map((c) => c.xml).join('')}  </testsuite>\n` };
}

export function renderJunitOneText(report: RunReport): string {
  const suites = report.clusters.map((c) => suite(report, c));
  const all = suites.flatMap((s) => s.cases);
  const n = (o: Case['outcome']) => all.filter((c) => c.outcome === o).length;
  const head = attrs({ name: `complyd run ${report.run.id}`, tests: all.length, failures: n('failure'), errors: n('error'), time: 0 });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${head}>\n${suites.map((s) => s.xml).join('')}</testsuites>\n`;
}
