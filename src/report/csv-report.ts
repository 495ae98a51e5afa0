import type { RunReport } from './model.js';

/** The columns, in order. Part of the format: add new ones at the end only. */
export const CSV_COLUMNS = [
  'cluster',
  'control_id',
  'control_title',
  'severity',
  'status',
  'frameworks',
  'kind',
  'namespace',
  'name',
  'container',
  'evidence_path',
  'observed',
  'expected',
  'message',
  'fingerprint',
  'run_id',
  'snapshot_hash',
  'api_version',
  'uid',
  'first_seen',
  'age_days',
  'disposition',
  'exception_id',
  'profile',
] as const;

/**
 * A spreadsheet evaluates a cell that starts with one of these as a formula, so a resource
 * name or observed value such as `=HYPERLINK(...)` could run when the file is opened.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: formula prefixes neutralised with an apostrophe, then RFC 4180 quoting. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One row per non-pass finding (fail first, as in the report), with a header row; CRLF line ends. */
export function renderCsv(report: RunReport): string {
  return [...renderCsvChunks(report)].join('');
}

/** renderCsv's text one line at a time, for large reports. */
export function* renderCsvChunks(report: RunReport): Generator<string> {
  const snapshot = new Map(report.clusters.map((c) => [c.name, c.snapshotHash ?? '']));
  const profile = new Map(report.clusters.map((c) => [c.name, c.profile ?? '']));
  yield line([...CSV_COLUMNS]);
  for (const control of report.controls) {
    for (const f of control.findings) {
      const row: Record<(typeof CSV_COLUMNS)[number], string> = {
        cluster: f.cluster,
        control_id: control.id,
        control_title: control.title,
        severity: f.severity,
        status: f.status,
        frameworks: control.frameworks.join(';'),
        kind: f.resource.kind,
        namespace: f.resource.namespace ?? '',
        name: f.resource.name,
        container: f.resource.container ?? '',
        evidence_path: f.evidence?.path ?? '',
        observed: f.evidence?.observed ?? '',
        expected: f.evidence?.expected ?? '',
        message: f.message ?? '',
        fingerprint: f.fingerprint,
        run_id: report.run.id,
        snapshot_hash: snapshot.get(f.cluster) ?? '',
        api_version: f.resource.apiVersion ?? '',
        uid: f.resource.uid ?? '',
        first_seen: f.firstSeen ?? '',
        age_days: f.ageDays === undefined ? '' : String(f.ageDays),
        disposition: f.disposition ?? '',
        exception_id: f.exceptionId ?? '',
        profile: profile.get(f.cluster) ?? '',
      };
      yield line(CSV_COLUMNS.map((c) => row[c]));
    }
  }
}

const line = (cells: readonly string[]): string => cells.map(csvCell).join(',') + '\r\n';
