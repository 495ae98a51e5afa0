/**
 * What `complyd evaluate` hands its file formats (SARIF, JUnit, Markdown): the findings of
 * manifests on disk, each with the file, document and line it came from. Unlike a run report
 * it has no store behind it: no history, no fingerprints of episodes, one "cluster".
 */
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Control } from '../core/control.js';
import type { Exception } from '../core/exception.js';
import type { Finding, SourceLocation } from '../core/types.js';

export interface EvaluatedFinding extends Finding {
  /** Where the object it names was read; absent for findings on the cluster as a whole. */
  source?: SourceLocation;
}

/** An input that could not be read, or held nothing to judge. */
export interface EvaluateProblem {
  file: string;
  document?: number;
  line?: number;
  message: string;
}

export interface EvaluateResult {
  complydVersion: string;
  generatedAt: string;
  /** The controls that ran, in catalog order. */
  controls: readonly Control[];
  /** Every finding (the formats choose what they show), in control order. */
  findings: readonly EvaluatedFinding[];
  /** The exceptions applied, for the reason behind each disposition. */
  exceptions: readonly Exception[];
  problems: readonly EvaluateProblem[];
  /** The statuses the user asked to see (`--status`). */
  statuses: ReadonlySet<string>;
}

/**
 * A file as a SARIF artifact uri: relative to the working directory with forward slashes (a
 * repository checkout, where code-scanning tools resolve it), else an absolute file: URL.
 */
export function artifactUri(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, resolve(cwd, file));
  if (rel === '' || rel.startsWith('..') || resolve(rel) === rel) return pathToFileURL(resolve(cwd, file)).href;
  return rel.split(sep).map(encodeURIComponent).join('/');
}

/** `deploy/app.yaml:14 (document 2)`: how the text formats name a place. */
export function sourceLabel(s: SourceLocation): string {
  return `${s.file}${s.line === undefined ? '' : `:${s.line}`} (document ${s.document})`;
}

/** Why an excepted finding is accepted, from its exception. */
export function dispositionReason(exceptions: readonly Exception[], f: Finding): string | undefined {
  if (!f.disposition) return undefined;
  const e = exceptions.find((x) => x.id === f.disposition?.exceptionId);
  const id = f.disposition.exceptionId;
  if (f.disposition.kind === 'expired') return `exception ${id} expired${e ? ` on ${e.expires.slice(0, 10)}` : ''}`;
  if (!e) return `excepted by ${id}`;
  return [`excepted by ${id}: ${e.reason}`, `owner ${e.owner}`, e.ticket && `ticket ${e.ticket}`, `until ${e.expires.slice(0, 10)}`].filter(Boolean).join('; ');
}
