/**
 * `complyd evaluate -o md`: a summary for a pull-request comment or a CI job page. The counts,
 * then one row per finding of the statuses asked for (`--status`), worst severity first, each
 * naming its file, line and document; then what could not be read.
 */
import { countStatuses } from '../core/status.js';
import { SEVERITIES } from '../core/types.js';
import { dispositionReason, sourceLabel, type EvaluatedFinding, type EvaluateResult } from './evaluate-model.js';
import { mdCell } from './markdown-report.js';
import { resourceLabel } from './resource-path.js';

const row = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(' | ')} |\n`;

function evidence(f: EvaluatedFinding): string {
  return f.evidence ? `${f.evidence.path} = ${f.evidence.observed} (expected ${f.evidence.expected})` : (f.message ?? '');
}

export function* renderEvaluateMarkdown(r: EvaluateResult): Generator<string> {
  const c = countStatuses(r.findings);
  yield '# complyd evaluate\n\n';
  yield `complyd ${mdCell(r.complydVersion)}, ${r.generatedAt}: ${r.controls.length} controls over the manifests.\n\n`;
  yield row(['Pass', 'Fail', 'Unknown', 'Error', 'Manual', 'N/A']);
  yield row(['---', '---', '---', '---', '---', '---']);
  yield row([c.pass, c.fail, c.unknown, c.error, c.manual, c['not-applicable']]);
  const shown = r.findings.filter((f) => r.statuses.has(f.status));
  const rank = (f: EvaluatedFinding) => SEVERITIES.indexOf(f.severity);
  yield `\n## Findings (${[...r.statuses].join(', ')})\n\n`;
  if (shown.length === 0) yield 'None.\n';
  else {
    yield row(['Severity', 'Control', 'Status', 'Resource', 'Where', 'Evidence']);
    yield row(['---', '---', '---', '---', '---', '---']);
    // Sorted by severity with the control order kept within one: a stable sort of indices, not of copies.
    const order = shown.map((_, i) => i).sort((a, b) => rank(shown[a] as EvaluatedFinding) - rank(shown[b] as EvaluatedFinding) || a - b);
    for (const i of order) {
      const f = shown[i] as EvaluatedFinding;
      const status = f.disposition ? `${f.status} (${dispositionReason(r.exceptions, f) ?? f.disposition.kind})` : f.status;
      yield row([f.severity, mdCell(f.controlId), mdCell(status), mdCell(resourceLabel(f.resource)), f.source ? mdCell(sourceLabel(f.source)) : '', mdCell(evidence(f))]);
    }
  }
  if (r.problems.length > 0) {
    yield '\n## Not read\n\nThe findings above leave these inputs out:\n\n';
    for (const p of r.problems) yield `- ${mdCell(p.file)}${p.document === undefined ? '' : ` document ${p.document}`}${p.line === undefined ? '' : ` (line ${p.line})`}: ${mdCell(p.message)}\n`;
  }
}
