/**
 * `complyd evaluate -o sarif`: SARIF 2.1.0 whose results point at the manifests themselves, so
 * code scanning annotates the lines of a pull request. Like the run report's SARIF, one result
 * per failing finding (excepted ones carry an accepted external suppression), and inputs that
 * could not be read are tool notifications. Each result's physicalLocation is the file
 * (relative to the working directory) with the line its document starts on.
 */
import type { Control } from '../core/control.js';
import type { Severity } from '../core/types.js';
import { controlHelpUri } from './catalog-links.js';
import { prettyJsonChunks } from './json-chunks.js';
import { artifactUri, dispositionReason, type EvaluatedFinding, type EvaluateResult } from './evaluate-model.js';
import { resourceLabel } from './resource-path.js';

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

type Json = Record<string, unknown>;

function rule(c: Control): Json {
  const helpUri = controlHelpUri(c.section);
  return {
    id: c.id,
    shortDescription: { text: c.title },
    fullDescription: { text: c.rationale || c.title },
    help: { text: c.remediation || c.title },
    ...(helpUri && { helpUri }),
    defaultConfiguration: { level: LEVEL[c.severity] },
    properties: { tags: ['security', ...c.frameworks], 'security-severity': SECURITY_SEVERITY[c.severity], severity: c.severity },
  };
}

function message(f: EvaluatedFinding): string {
  const parts = [`${resourceLabel(f.resource)} fails.`];
  if (f.evidence) parts.push(`${f.evidence.path}: observed ${f.evidence.observed}, expected ${f.evidence.expected}.`);
  if (f.message) parts.push(f.message);
  return parts.join(' ');
}

function result(r: EvaluateResult, f: EvaluatedFinding, ruleIndex: number | undefined): Json {
  const physical = f.source
    ? { artifactLocation: { uri: artifactUri(f.source.file) }, region: { startLine: f.source.line ?? 1 } }
    : undefined;
  const reason = dispositionReason(r.exceptions, f);
  return {
    ruleId: f.controlId,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    kind: 'fail',
    level: LEVEL[f.severity],
    message: { text: f.disposition?.kind === 'expired' && reason ? `${message(f)} Its ${reason}.` : message(f) },
    locations: [
      {
        ...(physical ? { physicalLocation: physical } : {}),
        logicalLocations: [{ name: f.resource.name, fullyQualifiedName: [f.resource.namespace ?? '_', f.resource.kind, f.resource.name, ...(f.resource.container ? [f.resource.container] : [])].join('/'), kind: 'resource' }],
      },
    ],
    ...(f.disposition?.kind === 'excepted'
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: reason ?? `excepted by ${f.disposition.exceptionId}`, properties: { exceptionId: f.disposition.exceptionId } }] }
      : {}),
    properties: {
      severity: f.severity,
      ...(f.source ? { document: f.source.document } : {}),
      ...(f.disposition ? { disposition: f.disposition.kind, exceptionId: f.disposition.exceptionId } : {}),
      ...(f.evidence ? { evidence: { ...f.evidence } } : {}),
    },
  };
}

export function* renderEvaluateSarif(r: EvaluateResult): Generator<string> {
  const index = new Map(r.controls.map((c, i) => [c.id, i]));
  const notes: Json[] = r.problems.map((p) => ({
    level: 'error',
    message: { text: p.message },
    descriptor: { id: 'input-not-read' },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(p.file) }, ...(p.line === undefined ? {} : { region: { startLine: p.line } }) } }],
  }));
  for (const f of r.findings.filter((x) => x.status === 'error'))
    notes.push({ level: 'error', message: { text: `control ${f.controlId} could not be evaluated${f.message ? `: ${f.message}` : ''}` }, descriptor: { id: 'control-error' } });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'complyd', version: r.complydVersion, rules: r.controls.map(rule) } },
        automationDetails: { id: 'complyd/evaluate/' },
        invocations: [{ executionSuccessful: notes.length === 0, endTimeUtc: r.generatedAt, toolExecutionNotifications: notes }],
        results: r.findings.filter((f) => f.status === 'fail').map((f) => result(r, f, index.get(f.controlId))),
      },
    ],
  };
  yield* prettyJsonChunks(log, 4);
  yield '\n';
}
