import type { RunReport } from './model.js';

/** The report model as stable, pretty JSON (the machine-readable twin of the PDF). */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
