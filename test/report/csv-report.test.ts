import { CSV_COLUMNS, csvCell, renderCsv } from '../../src/report/csv-report.js';
import { parseCsv } from './csv-parse.js';
import { FORMULA_NAME, MINUS_OBSERVED, TRICKY_NAME, TRICKY_OBSERVED, storedReport, type StoredReport } from './store-report.js';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['=a,"b"', `"'=a,""b"""`],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe('renderCsv (report from a SQLite store)', () => {
  let stored: StoredReport;
  let text: string;
  let rows: string[][];
  beforeAll(async () => {
    stored = await storedReport();
    text = renderCsv(stored.report);
    rows = parseCsv(text);
  });
  afterAll(() => stored.cleanup());

  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
  const rowOf = (name: string) => rows.find((r) => r[col('name')] === name) ?? [];

  it('has the documented header and one row per non-pass finding, every row complete, CRLF ends', () => {
    expect(rows[0]).toEqual([
      'cluster', 'control_id', 'control_title', 'severity', 'status', 'frameworks', 'kind', 'namespace', 'name', 'container',
      'evidence_path', 'observed', 'expected', 'message', 'fingerprint', 'run_id', 'snapshot_hash',
      'api_version', 'uid', 'first_seen', 'age_days', 'disposition', 'exception_id', 'profile',
    ]);
    const findings = stored.report.controls.flatMap((c) => c.findings);
    expect(rows.length - 1).toBe(findings.length);
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(rows.slice(1).map((r) => r[col('status')])).not.toContain('pass');
    expect(new Set(rows.slice(1).map((r) => r[col('fingerprint')])).size).toBe(findings.length);
  });

  it('round-trips commas, quotes and line breaks exactly', () => {
    const r = rowOf(TRICKY_NAME);
    expect(r[col('observed')]).toBe(TRICKY_OBSERVED);
    expect(r[col('expected')]).toBe('"none", really');
    expect(r[col('cluster')]).toBe('prod');
    expect(r[col('control_id')]).toBe('PSS-privileged');
    expect(r[col('severity')]).toBe('critical');
    expect((r[col('frameworks')] ?? '').split(';')).toEqual(expect.arrayContaining(['pss-baseline', 'pss-restricted']));
    expect(r[col('run_id')]).toBe(stored.report.run.id);
    expect(r[col('snapshot_hash')]).toBe('ab'.repeat(32));
  });

  it('names the object (apiVersion, uid) and when its finding was first seen, with its age at the run', () => {
    const r = rowOf(TRICKY_NAME);
    expect([r[col('api_version')], r[col('uid')]]).toEqual(['apps/v1', `uid-${TRICKY_NAME.length}`]);
    expect([r[col('first_seen')], r[col('age_days')]]).toEqual(['2025-03-01T10:00:01.000Z', '0']);
    const cluster = rows.find((x) => x[col('kind')] === 'Cluster') ?? [];
    expect([cluster[col('api_version')], cluster[col('uid')]]).toEqual(['', '']);
  });

  it('neutralises formula prefixes with an apostrophe', () => {
    const r = rowOf(`'${FORMULA_NAME}`);
    expect(r[col('observed')]).toBe(`'${MINUS_OBSERVED}`);
    expect(r[col('expected')]).toBe("'@never");
    expect(rows.slice(1).every((row) => row.every((cell) => !/^[=+\-@\t\r]/.test(cell)))).toBe(true);
  });

  it('leaves optional fields empty: cluster-scoped resources, findings without evidence', () => {
    const role = rowOf('binder');
    expect([role[col('kind')], role[col('namespace')], role[col('container')]]).toEqual(['ClusterRole', '', '']);
    const unknown = rows.find((r) => r[col('status')] === 'unknown') ?? [];
    expect([unknown[col('cluster')], unknown[col('evidence_path')], unknown[col('snapshot_hash')]]).toEqual(['staging', '', 'cd'.repeat(32)]);
    expect(unknown[col('message')]).toContain('could not be read');
  });
});
