import type { Writable } from 'node:stream';
import { fingerprint } from '../core/fingerprint.js';
import type { EvaluatedFinding } from '../report/evaluate-model.js';
import { sourceLabel } from '../report/evaluate-model.js';
import { tableLines } from './format.js';

/**
 * `complyd evaluate` output for inputs of any size: millions of findings are written a piece
 * at a time, never joined into one string (V8 caps a string near 512 MiB) nor spread into a
 * call (`Math.max(...widths)` overflows the stack past about 100,000 arguments).
 */

/** Write the pieces in batches, waiting for the stream to drain when its buffer is full. */
export async function writeAll(stream: Writable, pieces: Iterable<string>): Promise<void> {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 1 << 16) {
      await write(stream, batch);
      batch = '';
    }
  }
  if (batch) await write(stream, batch);
}

function write(stream: Writable, text: string): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      stream.off('drain', done);
      stream.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

function resourceName(f: EvaluatedFinding): string {
  const r = f.resource;
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.container ? ` [${r.container}]` : ''}`;
}

const HEADERS = ['RESOURCE', 'CONTROL', 'STATUS', 'WHERE', 'EVIDENCE'] as const;

/** `fail`, or `fail (excepted: ID)` / `fail (expired: ID)` when an exception matched. */
function statusCell(f: EvaluatedFinding): string {
  return f.disposition ? `${f.status} (${f.disposition.kind}: ${f.disposition.exceptionId})` : f.status;
}

/** A latent RBAC failure (ADR 0016) says so before its evidence: the role is bound to nobody read yet. */
function evidenceCell(f: EvaluatedFinding): string {
  if (!f.evidence) return f.message ?? '';
  const latent = f.message?.startsWith('latent:') ? 'latent (no binding read references it): ' : '';
  return `${latent}${f.evidence.path} = ${f.evidence.observed} (expected ${f.evidence.expected})`;
}

function cells(f: EvaluatedFinding): [string, string, string, string, string] {
  return [resourceName(f), f.controlId, statusCell(f), f.source ? sourceLabel(f.source) : '', evidenceCell(f)];
}

/** The findings as a padded table, one line at a time; the rows are made twice rather than held. */
export function* textTable(findings: readonly EvaluatedFinding[]): Generator<string> {
  const rows = function* () {
    for (const f of findings) yield cells(f);
  };
  for (const line of tableLines(HEADERS, rows)) yield `${line}\n`;
}

/**
 * `{"findings": [...], ...rest}` exactly as JSON.stringify(value, null, 2) would print it,
 * written finding by finding.
 */
export function* jsonDocument(findings: readonly EvaluatedFinding[], rest: Record<string, unknown>): Generator<string> {
  const indent = (json: string, spaces: string): string => json.replace(/\n/g, `\n${spaces}`);
  if (findings.length === 0) yield '{\n  "findings": []';
  else {
    yield '{\n  "findings": [';
    let first = true;
    for (const f of findings) {
      // The fingerprint lets this document serve as a later `--fail-on-new --baseline`.
      const shown = { resource: f.resource, controlId: f.controlId, severity: f.severity, status: f.status, disposition: f.disposition, source: f.source, evidence: f.evidence, message: f.message, fingerprint: fingerprint(f) };
      yield `${first ? '' : ','}\n    ${indent(JSON.stringify(shown, null, 2), '    ')}`;
      first = false;
    }
    yield '\n  ]';
  }
  for (const [key, value] of Object.entries(rest)) yield `,\n  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}`;
  yield '\n}\n';
}
