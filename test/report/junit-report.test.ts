import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit, renderJunitChunks, xmlAttr, xmlText } from '../../src/report/junit-report.js';
import type { ReportFinding, RunReport } from '../../src/report/model.js';
import { reportWithExceptions, sampleReport } from './fixtures.js';
import { renderJunitOneText } from './junit-one-text.js';
import { junitSchemaErrors } from './junit-schema.js';
import { TRICKY_NAME, storedReport, type StoredReport } from './store-report.js';

type Node = Record<string, unknown>;
const list = (x: unknown): Node[] => (x === undefined ? [] : Array.isArray(x) ? (x as Node[]) : [x as Node]);
const num = (n: Node, k: string) => Number(n[`@_${k}`]);

function parse(xml: string): Node {
  const ok = XMLValidator.validate(xml);
  if (ok !== true) throw new Error(`not well-formed: ${JSON.stringify(ok.err)}`);
  return new XMLParser({ ignoreAttributes: false, parseTagValue: false, parseAttributeValue: false }).parse(xml) as Node;
}

describe('xml escaping', () => {
  it('escapes specials and replaces characters XML 1.0 cannot hold', () => {
    expect(xmlText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(xmlText('bell\u0007 nul\u0000 ok\tok\n')).toBe('bell\uFFFD nul\uFFFD ok\tok\n');
    expect(xmlText('lone \uD800 pair \u{1F600}')).toBe('lone \uFFFD pair \u{1F600}');
    expect(xmlAttr(`"q" 'a'\nb`)).toBe('&quot;q&quot; &apos;a&apos;&#10;b');
  });
});

describe('renderJunit', () => {
  let stored: StoredReport;
  beforeAll(async () => {
    stored = await storedReport();
  });
  afterAll(() => stored.cleanup());

  it('parses, with one suite per cluster whose counts add up to its testcases and to the totals', () => {
    for (const report of [stored.report, sampleReport()]) {
      const doc = parse(renderJunit(report));
      const root = doc['testsuites'] as Node;
      const suites = list(root['testsuite']);
      expect(suites.map((s) => s['@_name'])).toEqual(report.clusters.map((c) => c.name));
      const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
      for (const s of suites) {
        const cases = list(s['testcase']);
        const has = (tag: string) => cases.filter((c) => c[tag] !== undefined).length;
        expect([num(s, 'tests'), num(s, 'failures'), num(s, 'errors'), num(s, 'skipped')]).toEqual([cases.length, has('failure'), has('error'), has('skipped')]);
        for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += num(s, k);
      }
      expect([num(root, 'tests'), num(root, 'failures'), num(root, 'errors')]).toEqual([totals.tests, totals.failures, totals.errors]);
    }
  });

  it('is valid against the JUnit schema Jenkins reads (junit-10.xsd): no skipped attribute on <testsuites>', () => {
    for (const report of [stored.report, sampleReport()]) {
      const xml = renderJunit(report);
      expect(junitSchemaErrors(xml)).toEqual([]);
      expect(xml).toMatch(/<testsuites [^>]*>/);
      expect(/<testsuites [^>]*skipped=/.test(xml)).toBe(false);
    }
    // The check does catch what the schema forbids.
    const bad = renderJunit(stored.report).replace('<testsuites ', '<testsuites skipped="1" ').replace('<properties>', '<properties><bogus/>').replace(/<testcase classname=/, '<testcase flaky="1" classname=');
    expect(junitSchemaErrors(bad)).toEqual([
      '/testsuites: attribute skipped not allowed',
      expect.stringMatching(/\/properties\/bogus: unknown element$/),
      expect.stringMatching(/\/testcase: attribute flaky not allowed$/),
    ]);
  });

  it('maps control statuses: fail -> failure, error -> error, unknown/manual -> skipped, pass -> plain', () => {
    const suites = list((parse(renderJunit(stored.report))['testsuites'] as Node)['testsuite']);
    const cases = (cluster: string) => list(suites.find((s) => s['@_name'] === cluster)?.['testcase']);
    const byName = (cluster: string, id: string) => cases(cluster).find((c) => String(c['@_name']).startsWith(`${id} `)) ?? {};

    const priv = byName('prod', 'PSS-privileged');
    expect(priv['@_classname']).toBe('prod');
    const failure = priv['failure'] as Node;
    expect(failure['@_type']).toBe('critical');
    expect(failure['@_message']).toBe('23 resource(s) fail PSS-privileged');
    // The body lists every failing resource with its evidence, one per line; control characters are gone.
    const body = String(failure['#text']);
    expect(body).toContain(`Deployment shop/${TRICKY_NAME.replace('\n', ' ')} (container app): spec.x observed a|b c`);
    expect(body.split('\n')).toHaveLength(23);
    expect(body).toContain('c <x> & \uFFFDbell\uFFFD');
    expect(body.split('\n').filter((l) => l.startsWith('Deployment shop/web-'))).toHaveLength(22);

    expect(String((byName('prod', 'CIS-1.1.1')['skipped'] as Node)['@_message'])).toMatch(/^manual check: Check the file mode/);
    expect(String((byName('prod', 'CIS-1.1.1')['skipped'] as Node)['#text'])).toBe('Cluster prod (Check the file mode | on each control-plane node.)');
    expect(String((byName('staging', 'CIS-5.1.8')['skipped'] as Node)['@_message'])).toMatch(/^unknown: evidence missing: evidence "clusterroles"/);
    const err = byName('staging', 'PSS-allow-privilege-escalation')['error'] as Node;
    expect(String(err['#text'])).toContain('TypeError: <boom> & "bang"');
    const pass = byName('staging', 'PSS-privileged');
    expect(['failure', 'error', 'skipped'].some((k) => pass[k] !== undefined)).toBe(false);
  });

  it('makes a cluster that was not assessed one errored testcase', () => {
    const ghost = list((parse(renderJunit(stored.report))['testsuites'] as Node)['testsuite']).find((s) => s['@_name'] === 'ghost') ?? {};
    expect([num(ghost, 'tests'), num(ghost, 'errors')]).toEqual([1, 1]);
    const tc = list(ghost['testcase'])[0] ?? {};
    expect((tc['error'] as Node)['@_message']).toBe('cluster not assessed: kubeconfig missing.yaml: file not found');
  });
});

describe('renderJunit: profiles', () => {
  it("names a cluster's profile and frameworks among its suite's properties, and stays valid", () => {
    const base = sampleReport();
    const [first, ...rest] = base.clusters;
    if (!first) throw new Error('the sample report has a cluster');
    const xml = renderJunit({ ...base, clusters: [{ ...first, profile: 'prod', frameworks: ['pss-restricted', 'cis-1.12'] }, ...rest] });
    expect(xml).toContain('<property name="profile" value="prod"/>');
    expect(xml).toContain('<property name="frameworks" value="pss-restricted,cis-1.12"/>');
    expect(junitSchemaErrors(xml)).toEqual([]);
  });
});

/** The sample report with one control failing on `n` more resources of its first failing cluster (copies: the sample shares its objects). */
function manyFailures(n: number): RunReport {
  const report = sampleReport();
  const control = report.controls.find((c) => c.findings.some((f) => f.status === 'fail'));
  const model = control?.findings.find((f) => f.status === 'fail');
  if (!control || !model) throw new Error('the sample report has a failing control');
  const extra: ReportFinding[] = Array.from({ length: n }, (_, i) => ({ ...model, resource: { ...model.resource, name: `bulk-${i} <&>` }, fingerprint: `bulk-${i}` }));
  const grown = {
    ...control,
    findings: [...control.findings, ...extra],
    results: control.results.map((r) => (r.cluster === model.cluster ? { ...r, counts: { ...r.counts, fail: r.counts.fail + n } } : r)),
  };
  return { ...report, controls: report.controls.map((c) => (c === control ? grown : c)) };
}

describe('renderJunitChunks: JUnit in pieces', () => {
  let stored: StoredReport;
  beforeAll(async () => {
    stored = await storedReport();
  });
  afterAll(() => stored.cleanup());

  it('joins to the same bytes as the renderer that built one text, exceptions and an unassessed cluster included', () => {
    const { report: excepted } = reportWithExceptions();
    const base = sampleReport();
    const [first, ...rest] = base.clusters;
    if (!first) throw new Error('the sample report has a cluster');
    const profiled = { ...base, selection: 'controls PSS-*', clusters: [{ ...first, profile: 'prod', frameworks: ['pss-restricted'] }, ...rest] };
    for (const report of [stored.report, sampleReport(), excepted, profiled, manyFailures(500)]) {
      const pieces = [...renderJunitChunks(report)];
      expect(pieces.join('')).toBe(renderJunitOneText(report));
      expect(renderJunit(report)).toBe(renderJunitOneText(report));
    }
    // The fixtures do reach every kind of testcase.
    const all = [stored.report, excepted].map((r) => renderJunit(r)).join('');
    const kinds = ['<failure ', '<error ', '<skipped message="excepted by', '<skipped message="manual', '<skipped message="unknown', 'cluster-not-assessed', '[exception lapsed-one expired]', 'more excepted ('];
    expect(kinds.filter((k) => !all.includes(k))).toEqual([]);
  });

  it('writes a control of many failing resources as pieces of one finding each, not one text', () => {
    const report = manyFailures(5_000);
    const pieces = [...renderJunitChunks(report)];
    const total = pieces.reduce((n, p) => n + p.length, 0);
    expect(total).toBeGreaterThan(1_000_000);
    // The longest piece is a suite's head or a finding's line, whatever the number of findings.
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(4_000);
    expect(pieces.filter((p) => p.includes('bulk-'))).toHaveLength(5_000);
    expect(junitSchemaErrors(pieces.join(''))).toEqual([]);
  });

  it('counts each suite before its cases: the head is the first piece, written before any finding is read', () => {
    const report = sampleReport();
    let reads = 0;
    for (const c of report.controls) {
      const findings = c.findings;
      Object.defineProperty(c, 'findings', {
        get: () => {
          reads += 1;
          return findings;
        },
      });
    }
    const walk = renderJunitChunks(report);
    const head = walk.next().value as string;
    expect(head).toMatch(/^<\?xml [^\n]*\n<testsuites name="complyd run [^"]*" tests="\d+" failures="\d+" errors="\d+" time="0">\n$/);
    // The first pass read each failing control once; no testcase has been written yet.
    const failing = report.controls.filter((c) => c.results.some((r) => r.status === 'fail')).length;
    expect(reads).toBe(failing);
    const text = head + [...walk].join('');
    expect(text).toBe(renderJunitOneText(report));
  });
});
