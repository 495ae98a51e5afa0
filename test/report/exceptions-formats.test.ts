import { XMLParser } from 'fast-xml-parser';
import { renderCsv, CSV_COLUMNS } from '../../src/report/csv-report.js';
import { renderJson } from '../../src/report/json-report.js';
import { renderJunit } from '../../src/report/junit-report.js';
import { renderMarkdown } from '../../src/report/markdown-report.js';
import { renderSarif } from '../../src/report/sarif-report.js';
import type { RunReport } from '../../src/report/model.js';
import { reportWithExceptions as withExceptions } from './fixtures.js';
import { junitSchemaErrors } from './junit-schema.js';
import { parseCsv } from './csv-parse.js';
import { sarifValidator } from './sarif-schema.js';

type Json = Record<string, unknown>;

describe('exceptions in the machine formats', () => {
  it('JSON and CSV carry the disposition and the exception id of each failing finding', () => {
    const { report, allExcepted } = withExceptions();
    const json = JSON.parse(renderJson(report)) as RunReport;
    const f = json.controls.find((c) => c.id === allExcepted.control)?.findings.find((x) => x.cluster === allExcepted.cluster && x.status === 'fail');
    expect(f).toMatchObject({ status: 'fail', disposition: 'excepted', exceptionId: 'accepted-one' });

    const rows = parseCsv(renderCsv(report));
    const col = (name: (typeof CSV_COLUMNS)[number]) => (rows[0] as string[]).indexOf(name);
    const body = rows.slice(1);
    const pairs = body.filter((r) => r[col('status')] === 'fail').map((r) => `${r[col('disposition')]}:${r[col('exception_id')]}`);
    expect(pairs.filter((p) => p === 'excepted:accepted-one').length).toBe(json.controls.flatMap((c) => c.findings).filter((x) => x.exceptionId === 'accepted-one').length);
    expect(pairs.filter((p) => p === 'expired:lapsed-one')).toHaveLength(1);
    expect(pairs.filter((p) => p.startsWith('open:')).every((p) => p === 'open:')).toBe(true);
    // Non-failing findings have no disposition.
    expect(body.filter((r) => r[col('status')] !== 'fail').every((r) => r[col('disposition')] === '')).toBe(true);
  });

  it('SARIF marks excepted results with an accepted external suppression, valid against SARIF 2.1.0', () => {
    const { report } = withExceptions();
    const log = JSON.parse(renderSarif(report, { informationUri: 'https://example.org/complyd' })) as { runs: Array<{ results: Json[] }> };
    const validation = sarifValidator()(log);
    expect(validation.errors).toBe('No errors');
    expect(validation.valid).toBe(true);
    const results = log.runs.flatMap((r) => r.results);
    const suppressed = results.filter((r) => r['suppressions']);
    expect(suppressed.length).toBe(report.controls.flatMap((c) => c.findings).filter((f) => f.disposition === 'excepted').length);
    expect(suppressed[0]?.['suppressions']).toEqual([
      { kind: 'external', status: 'accepted', justification: 'excepted by accepted-one: vendor agent; owner platform; ticket PLAT-9; until 2025-06-01', properties: { exceptionId: 'accepted-one' } },
    ]);
    const expired = results.filter((r) => (r['properties'] as Json)['disposition'] === 'expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]?.['suppressions']).toBeUndefined();
    expect((expired[0]?.['message'] as Json)['text']).toMatch(/Its exception lapsed-one has expired\.$/);
    // A suppression that breaks the schema is refused, so the check above means something.
    (suppressed[0] as Json)['suppressions'] = [{ kind: 'sometimes' }];
    expect(sarifValidator()(log).valid).toBe(false);
  });

  it('JUnit skips a control whose every failure is excepted, with the reason; others still fail, naming the expired exception', () => {
    const { report, allExcepted, mixed } = withExceptions();
    const xml = renderJunit(report);
    expect(junitSchemaErrors(xml)).toEqual([]);
    const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(xml) as Json;
    const suites = [(doc['testsuites'] as Json)['testsuite']].flat() as Json[];
    const caseOf = (cluster: string, control: string) =>
      ([(suites.find((s) => s['@_name'] === cluster) as Json)['testcase']].flat() as Json[]).find((c) => String(c['@_name']).startsWith(`${control} `)) as Json;
    const skipped = caseOf(allExcepted.cluster, allExcepted.control);
    expect(skipped['failure']).toBeUndefined();
    expect((skipped['skipped'] as Json)['@_message']).toBe('excepted by accepted-one (platform, until 2025-06-01): vendor agent');
    const failing = caseOf(mixed.cluster, mixed.control);
    const failure = failing['failure'] as Json;
    expect(String(failure['@_message'])).toMatch(/resource\(s\) fail .*; 1 more excepted \(excepted by accepted-one/);
    expect(String(failure['#text'])).toContain('[exception lapsed-one expired]');
  });

  it('Markdown shows both scores, the failing findings by disposition, each finding\'s exception, and the register', () => {
    const { report } = withExceptions();
    const md = renderMarkdown(report, { maxFindingsPerControl: 1000 });
    const fleetRow = md.split('## Fleet')[1]?.split('\n').find((l) => /^\| \d/.test(l)) ?? '';
    const d = report.fleet.dispositions;
    expect(fleetRow).toContain(`| ${d.open} / ${d.excepted} / ${d.expired} |`);
    expect(md).toContain('Score with exceptions');
    const findings = md.split('## Findings')[1] ?? '';
    const excepted = report.controls.flatMap((c) => c.findings).filter((f) => f.disposition === 'excepted').length;
    expect(findings.split('fail (excepted: accepted-one)').length - 1).toBe(excepted);
    expect(findings.split('fail (expired: lapsed-one)').length - 1).toBe(1);
    const register = md.split('## Exceptions')[1]?.split('## Findings')[0] ?? '';
    expect(register).toMatch(/\| accepted-one \| active \| X \| everywhere \| platform \| vendor agent \| PLAT-9 \| 2025-06-01 \| 2 \|/);
    expect(register).toMatch(/\| lapsed-one \| \*\*expired\*\* \|.*\| 0 \(\+1 lapsed\) \|/);
  });
});
