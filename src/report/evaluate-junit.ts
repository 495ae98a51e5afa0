/**
 * `complyd evaluate -o junit`: one <testsuite> for the manifests, one <testcase> per control
 * that gave a verdict, as the run report's JUnit does for a cluster. A control whose every
 * failure is excepted is <skipped> with the exception's reason; each finding line names the
 * file, line and document of its object.
 */
import type { Control } from '../core/control.js';
import type { Status } from '../core/types.js';
import { worstStatus } from '../core/status.js';
import { dispositionReason, sourceLabel, type EvaluatedFinding, type EvaluateResult } from './evaluate-model.js';
import { xmlAttr, xmlText } from './junit-report.js';
import { resourceLabel } from './resource-path.js';

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

const SKIP_REASON: Partial<Record<Status, string>> = { unknown: 'unknown: evidence missing', manual: 'manual check', 'not-applicable': 'not applicable' };

function line(r: EvaluateResult, f: EvaluatedFinding): string {
  const ev = f.evidence ? `: ${f.evidence.path} observed ${f.evidence.observed}, expected ${f.evidence.expected}` : '';
  const where = f.source ? ` at ${sourceLabel(f.source)}` : '';
  const why = f.disposition ? ` [${dispositionReason(r.exceptions, f) ?? ''}]` : '';
  return `${resourceLabel(f.resource)}${where}${ev}${f.message ? ` (${f.message})` : ''}${why}`.replace(/\r\n|[\r\n]/g, ' ');
}

type Outcome = 'pass' | 'failure' | 'error' | 'skipped';

function testcase(r: EvaluateResult, c: Control, findings: readonly EvaluatedFinding[]): { xml: string; outcome: Outcome } {
  const open = `    <testcase${attrs({ classname: 'manifests', name: `${c.id} ${c.title}`, time: 0 })}`;
  const status = worstStatus(findings.map((f) => f.status));
  const body = (list: readonly EvaluatedFinding[]) => xmlText(list.map((f) => line(r, f)).join('\n'));
  if (status === 'fail') {
    const fails = findings.filter((f) => f.status === 'fail');
    const standing = fails.filter((f) => f.disposition?.kind !== 'excepted');
    if (standing.length === 0) {
      const reasons = [...new Set(fails.map((f) => dispositionReason(r.exceptions, f) ?? ''))].join('; ');
      return { outcome: 'skipped', xml: `${open}>\n      <skipped${attrs({ message: reasons })}>${body(fails)}</skipped>\n    </testcase>\n` };
    }
    const excepted = fails.length - standing.length;
    const msg = `${standing.length} resource(s) fail ${c.id}${excepted > 0 ? `; ${excepted} more excepted` : ''}`;
    return { outcome: 'failure', xml: `${open}>\n      <failure${attrs({ message: msg, type: c.severity })}>${body(fails)}</failure>\n    </testcase>\n` };
  }
  if (status === 'error') return { outcome: 'error', xml: `${open}>\n      <error${attrs({ message: `${c.id} could not be evaluated`, type: 'error' })}>${body(findings.filter((f) => f.status === 'error'))}</error>\n    </testcase>\n` };
  const reason = SKIP_REASON[status];
  if (reason) {
    const mine = findings.filter((f) => f.status === status);
    const why = mine.find((f) => f.message)?.message;
    return { outcome: 'skipped', xml: `${open}>\n      <skipped${attrs({ message: why ? `${reason}: ${why}` : reason })}>${body(mine)}</skipped>\n    </testcase>\n` };
  }
  return { outcome: 'pass', xml: `${open}/>\n` };
}

export function* renderEvaluateJunit(r: EvaluateResult): Generator<string> {
  const byControl = new Map<string, EvaluatedFinding[]>();
  for (const f of r.findings) {
    const list = byControl.get(f.controlId);
    if (list) list.push(f);
    else byControl.set(f.controlId, [f]);
  }
  const cases = r.controls.flatMap((c) => {
    const list = byControl.get(c.id);
    return list && list.length > 0 ? [testcase(r, c, list)] : [];
  });
  for (const p of r.problems)
    cases.push({
      outcome: 'error',
      xml: `    <testcase${attrs({ classname: 'manifests', name: `read ${p.file}`, time: 0 })}>\n      <error${attrs({ message: p.message, type: 'input-not-read' })}/>\n    </testcase>\n`,
    });
  const n = (o: Outcome) => cases.filter((c) => c.outcome === o).length;
  const counts = { tests: cases.length, failures: n('failure'), errors: n('error') };
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({ name: 'complyd evaluate', ...counts, time: 0 })}>\n`;
  yield `  <testsuite${attrs({ name: 'manifests', ...counts, skipped: n('skipped'), time: 0, timestamp: r.generatedAt })}>\n`;
  for (const c of cases) yield c.xml;
  yield '  </testsuite>\n</testsuites>\n';
}
