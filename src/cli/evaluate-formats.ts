/**
 * `complyd evaluate` formats beyond text and JSON (SARIF, JUnit, Markdown) and `--out`: the
 * output goes to a file when one is named, written piece by piece like the others.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { UsageError } from '../core/errors.js';
import { renderEvaluateJunit } from '../report/evaluate-junit.js';
import { renderEvaluateMarkdown } from '../report/evaluate-markdown.js';
import type { EvaluateResult } from '../report/evaluate-model.js';
import { renderEvaluateSarif } from '../report/evaluate-sarif.js';

export const EVALUATE_FORMATS = ['text', 'json', 'sarif', 'junit', 'md'] as const;
export type EvaluateFormat = (typeof EVALUATE_FORMATS)[number];

export function parseEvaluateFormat(value: string): EvaluateFormat {
  if (!(EVALUATE_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--output must be one of ${EVALUATE_FORMATS.join(', ')}, not "${value}"`);
  return value as EvaluateFormat;
}

/** The pieces of a file format's document. */
export function fileFormatPieces(format: Exclude<EvaluateFormat, 'text' | 'json'>, result: EvaluateResult): Iterable<string> {
  if (format === 'sarif') return renderEvaluateSarif(result);
  if (format === 'junit') return renderEvaluateJunit(result);
  return renderEvaluateMarkdown(result);
}

/**
 * Run `write` against `path` (created or replaced), or stdout when there is none. A file that
 * cannot be written is an error naming it.
 */
export async function withOutput(path: string | undefined, write: (out: Writable) => Promise<void>): Promise<void> {
  if (path === undefined) return write(process.stdout);
  const stream = createWriteStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new UsageError(`--out: cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  await write(stream);
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}
