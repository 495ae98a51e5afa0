/**
 * Every format lists what its counts say, on the demo fleet scanned once (four clusters, one
 * unreachable, one with 403s on secrets and rolebindings: the case where one control gave two
 * verdicts on one cluster and a finding went missing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseAllDocuments } from 'yaml';
import { collectCluster } from '../../src/collect/collector.js';
import { CONTROLS } from '../../src/controls/index.js';
import { silentLogger } from '../../src/core/log.js';
import { STATUSES, type Status } from '../../src/core/types.js';
import { demoFixturesDir, startDemoFleet } from '../../src/demo/fleet.js';
import { renderReport } from '../../src/main.js';
import { buildRunReport, type ControlSection, type RunReport } from '../../src/report/model.js';
import { scanFleet } from '../../src/scan/scan-fleet.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { CSV_COLUMNS } from '../../src/report/csv-report.js';
import { parseCsv } from './csv-parse.js';
import { readPdf, textAfterContents } from './pdf-text.js';

const NON_PASS: readonly Status[] = STATUSES.filter((s) => s !== 'pass');
const counted = (c: ControlSection, s: Status) => c.results.reduce((n, r) => n + r.counts[s], 0);
const listed = (c: ControlSection, s: Status) => c.findings.filter((f) => f.status === s).length;

let dir: string;
let report: RunReport;
const text = async (format: 'json' | 'csv' | 'sarif' | 'junit' | 'md') => (await renderReport(report, format)).toString('utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'complyd-add-up-'));
  const fleet = await startDemoFleet({ fixturesDir: demoFixturesDir(), workDir: dir });
  const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') }));
  try {
    const targets = fleet.clusters.map((c, i) => ({ name: c.name, kubeconfig: c.kubeconfigPath, ...(c.context ? { context: c.context } : {}), labels: c.labels, configPath: `clusters[${i}]` }));
    const log = silentLogger();
    const now = () => new Date();
    const scan = await scanFleet(
      targets,
      {
        store: store.runs,
        controls: CONTROLS,
        collect: (t) => collectCluster(t, { pageSize: 500, requestTimeoutMs: 5000, clusterTimeoutMs: 20_000, now, log }),
        now,
        log,
        catalogVersion: 'test',
        complydVersion: '0.0.0-test',
        owner: 'test:1',
      },
      { trigger: 'test', concurrency: 2 },
    );
    report = await buildRunReport({ store: store.history, runId: scan.runId, controls: CONTROLS, now: new Date(), complydVersion: '0.0.0-test' });
  } finally {
    await store.close();
    await fleet.stop();
  }
}, 90_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('on the demo fleet, every format adds up', () => {
  it('JSON: each control lists as many findings of each status as its results count, and the fleet counts are their sum', async () => {
    const json = JSON.parse(await text('json')) as RunReport;
    const sum = Object.fromEntries(NON_PASS.map((s) => [s, 0])) as Record<Status, number>;
    for (const c of json.controls)
      for (const s of NON_PASS) {
        expect([c.id, s, listed(c, s)]).toEqual([c.id, s, counted(c, s)]);
        sum[s] += listed(c, s);
      }
    for (const s of NON_PASS) expect([s, sum[s]]).toEqual([s, json.fleet.counts[s]]);
    // The demo's staging-us is where one control gave two verdicts on the cluster.
    expect(json.fleet.counts.manual).toBeGreaterThan(0);
    const fps = json.controls.flatMap((c) => c.findings.map((f) => f.fingerprint));
    expect(new Set(fps).size).toBe(fps.length);
  });

  it('JSON: every finding on an object read from a cluster names its apiVersion and uid, and every finding its severity, first seen and age', async () => {
    const json = JSON.parse(await text('json')) as RunReport;
    const findings = json.controls.flatMap((c) => c.findings);
    const onObjects = findings.filter((f) => f.resource.kind !== 'Cluster');
    expect(onObjects.length).toBeGreaterThan(100);
    // Nodes, Namespaces, mirror pods and network workloads included: their controls name them by hand.
    expect([...new Set(onObjects.map((f) => f.resource.kind))]).toEqual(expect.arrayContaining(['Node', 'Namespace', 'Pod', 'Deployment']));
    expect(onObjects.filter((f) => !f.resource.apiVersion || !f.resource.uid).map((f) => `${f.cluster} ${f.resource.kind}/${f.resource.name}`)).toEqual([]);
    expect(findings.filter((f) => !f.severity || !f.firstSeen || f.ageDays === undefined)).toEqual([]);
  });

  it('CSV: one row per non-pass result', async () => {
    const rows = parseCsv(await text('csv')).slice(1);
    const status = CSV_COLUMNS.indexOf('status');
    const byStatus = (s: Status) => rows.filter((r) => r[status] === s).length;
    for (const s of NON_PASS) expect([s, byStatus(s)]).toEqual([s, report.fleet.counts[s]]);
  });

  it('SARIF: one result per failing result, in the run of its cluster', async () => {
    const log = JSON.parse(await text('sarif')) as { runs: Array<{ properties: { cluster: string }; results: unknown[] }> };
    for (const c of report.clusters) expect([c.name, log.runs.find((r) => r.properties.cluster === c.name)?.results.length]).toEqual([c.name, c.counts.fail]);
  });

  it('JUnit: each failure, error and skipped testcase lists one line per result of its status', async () => {
    const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(await text('junit')) as {
      testsuites: { testsuite: Array<{ '@_name': string; testcase: Array<Record<string, { '#text'?: string; '@_message'?: string } | string>> }> };
    };
    let failures = 0;
    for (const suite of doc.testsuites.testsuite) {
      if (report.clusters.find((c) => c.name === suite['@_name'])?.status === 'failed') continue;
      for (const tc of suite.testcase) {
        const id = String(tc['@_name']).split(' ')[0];
        const control = report.controls.find((c) => c.id === id);
        const result = control?.results.find((r) => r.cluster === suite['@_name']);
        if (!result) throw new Error(`no result for ${id} on ${suite['@_name']}`);
        const element = (['failure', 'error', 'skipped'] as const).find((k) => tc[k] !== undefined);
        if (!element) continue;
        const body = tc[element];
        const lines = typeof body === 'string' ? body : (body?.['#text'] ?? '');
        expect([id, suite['@_name'], lines.split('\n').filter(Boolean).length]).toEqual([id, suite['@_name'], result.counts[result.status]]);
        if (element === 'failure') failures += result.counts.fail;
      }
    }
    expect(failures).toBe(report.fleet.counts.fail);
  });

  it('Markdown: each control shows its findings, or as many as it shows plus "N more"', async () => {
    const sections = (await text('md')).split('\n### ').slice(1);
    for (const c of report.controls.filter((x) => x.findings.length > 0)) {
      const section = sections.find((s) => s.startsWith(`${c.id}: `)) ?? '';
      const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Cluster |') && !/^\| -/.test(l)).length;
      const more = Number(/… and (\d+) more/.exec(section)?.[1] ?? 0);
      expect([c.id, rows + more]).toEqual([c.id, NON_PASS.reduce((n, s) => n + counted(c, s), 0)]);
    }
  });

  it('PolicyReport: each report lists what its summary counts, and the summaries add up to the fleet counts', async () => {
    type Doc = { kind: string; summary: Record<string, number>; results?: Array<{ result: string }> };
    const docs = parseAllDocuments((await renderReport(report, 'policyreport')).toString('utf8')).map((d) => d.toJS() as Doc);
    expect(docs.length).toBeGreaterThan(4);
    const sum: Record<string, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const d of docs)
      for (const k of Object.keys(sum)) {
        expect([d.kind, k, (d.results ?? []).filter((r) => r.result === k).length]).toEqual([d.kind, k, d.summary[k] ?? 0]);
        sum[k] = (sum[k] ?? 0) + (d.summary[k] ?? 0);
      }
    const f = report.fleet.counts;
    expect(sum).toEqual({ pass: 0, fail: f.fail, warn: f.manual, error: f.unknown + f.error, skip: f['not-applicable'] });
  });

  it("PDF: each detailed control's findings and manual reviews add up to its non-pass results", async () => {
    const all = textAfterContents(await readPdf(await renderReport(report, 'pdf')));
    const details = all.slice(all.indexOf('4 Control details'));
    for (const c of report.controls.filter((x) => x.findings.length > 0)) {
      const start = details.indexOf(`${c.id}: ${c.title}`);
      expect([c.id, start >= 0]).toEqual([c.id, true]);
      const section = details.slice(start, details.indexOf(' Results per cluster ', start) + 1 + details.slice(details.indexOf(' Results per cluster ', start) + 1).search(/ (CIS|PSS|NSA|HARD|REL)-[\w.-]+: | 5 Exceptions register /));
      const shown = Number(/Findings \((\d+)\)/.exec(section)?.[1] ?? 0) + Number(/Manual review needed on (\d+) cluster/.exec(section)?.[1] ?? 0);
      expect([c.id, shown]).toEqual([c.id, NON_PASS.reduce((n, s) => n + counted(c, s), 0)]);
    }
  });
});
