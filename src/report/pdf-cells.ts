/** Formatting and coloured table cells shared by the PDF's sections. */
import type { Severity, Status } from '../core/types.js';
import type { StatusCounts } from '../core/status.js';
import { FONT, type Cell, type Layout } from './pdf-layout.js';

export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const fmtScore = (s: number | null | undefined): string => (s === null || s === undefined ? 'n/a' : s.toFixed(1));
export const fmtRate = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);

export function fmtTime(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function fmtDuration(from: string, to: string | undefined): string {
  if (!to) return 'not finished';
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}


export const STATUS_LABEL: Record<Status, string> = {
  pass: 'pass',
  fail: 'fail',
  unknown: 'unknown',
  manual: 'manual',
  'not-applicable': 'not-applicable',
  error: 'error',
};

export const STATUS_MEANING: Record<Status, string> = {
  pass: 'the control was checked against the collected evidence and is met.',
  fail: 'the control was checked and is not met by the resource named.',
  unknown: 'the evidence the control needs could not be read (for example a 403 on secrets). Never counted as passed.',
  manual: 'the control cannot be checked automatically; a person has to review it. Never counted as passed.',
  'not-applicable': 'the control does not apply to this resource or cluster.',
  error: 'the control itself could not be evaluated (a fault in complyd or in the data).',
};

/** Order in which status columns are shown everywhere. */
export const STATUS_COLUMNS: readonly Status[] = ['pass', 'fail', 'unknown', 'manual', 'not-applicable', 'error'];

export function statusCell(L: Layout, status: Status, text: string = STATUS_LABEL[status]): Cell {
  return { text, color: L.c.status[status], font: FONT.bold };
}

export function clusterStatusCell(L: Layout, status: string): Cell {
  const s: Status = status === 'complete' ? 'pass' : status === 'partial' ? 'unknown' : status === 'failed' ? 'error' : 'unknown';
  return { text: status, color: L.c.status[s], font: FONT.bold };
}

export function severityCell(L: Layout, severity: Severity): Cell {
  return { text: severity, color: L.c.severity[severity] ?? L.c.text, font: FONT.bold };
}

export function countsRow(L: Layout, c: StatusCounts): Cell[] {
  return STATUS_COLUMNS.map((s) => ({ text: fmtInt(c[s]), color: c[s] > 0 ? L.c.status[s] : L.c.muted, font: c[s] > 0 ? FONT.bold : FONT.regular }));
}

