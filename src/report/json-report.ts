import { prettyJsonChunks } from './json-chunks.js';
import type { RunReport } from './model.js';

/** report → controls → [i] → findings → [j]: each finding is one piece. */
const PIECE_DEPTH = 4;

/** The report model as stable, pretty JSON (the machine-readable twin of the PDF). */
export function renderJson(report: RunReport): string {
  return [...renderJsonChunks(report)].join('');
}

/** renderJson's text in pieces, for writing a large report without holding it whole. */
export function* renderJsonChunks(report: RunReport): Generator<string> {
  yield* prettyJsonChunks(report, PIECE_DEPTH);
  yield '\n';
}
