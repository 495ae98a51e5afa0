import { readFileSync } from 'node:fs';
import { CUSTOM_SECTION } from '../../src/core/custom-control.js';
import { headingAnchor } from '../../src/report/catalog-links.js';
import { renderSarif, sarifUri } from '../../src/report/sarif-report.js';
import { sampleReport } from './fixtures.js';
import { sarifValidator } from './sarif-schema.js';
import { PROD_FAILING, TRICKY_NAME, countFindings, storedReport, type StoredReport } from './store-report.js';

interface Sarif {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: Array<{ id: string; shortDescription: { text: string }; helpUri: string; help: { text: string; markdown: string }; properties: { tags: string[]; 'security-severity': string; precision: string } }> } };
    automationDetails: { id: string };
    invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ level: string; message: { text: string }; descriptor: { id: string }; associatedRule?: { id: string; index: number } }> }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      kind: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; logicalLocations: Array<{ fullyQualifiedName: string; kind: string }> }>;
      partialFingerprints: Record<string, string>;
      properties: Record<string, unknown>;
    }>;
    properties: { cluster: string };
  }>;
}

type Run = Sarif['runs'][number];
const parse = (text: string) => JSON.parse(text) as Sarif;
const runOf = (log: Sarif, cluster: string): Run => {
  const run = log.runs.find((r) => r.properties.cluster === cluster);
  if (!run) throw new Error(`no run for ${cluster}`);
  return run;
};
const allResults = (log: Sarif) => log.runs.flatMap((r) => r.results);

describe('renderSarif', () => {
  const validate = sarifValidator();
  let stored: StoredReport;
  beforeAll(async () => {
    stored = await storedReport();
  });
  afterAll(() => stored.cleanup());

  it('is valid SARIF 2.1.0 for a report read from a store and for the large sample report', () => {
    for (const report of [stored.report, sampleReport()]) {
      const result = validate(JSON.parse(renderSarif(report, { informationUri: 'https://example.org/complyd' })));
      expect(result.errors).toBe('No errors');
      expect(result.valid).toBe(true);
    }
  });

  it("names a cluster's profile and frameworks in its run's properties, and stays valid", () => {
    const base = sampleReport();
    const [first, ...rest] = base.clusters;
    if (!first) throw new Error('the sample report has a cluster');
    const log = JSON.parse(renderSarif({ ...base, clusters: [{ ...first, profile: 'prod', frameworks: ['pss-restricted'] }, ...rest] })) as { runs: Array<{ properties: Record<string, unknown> }> };
    expect(validate(log).valid).toBe(true);
    expect(log.runs[0]?.properties).toMatchObject({ cluster: first.name, profile: 'prod', frameworks: ['pss-restricted'] });
    expect(log.runs[1]?.properties['profile']).toBeUndefined();
  });

  it('the validator does reject a broken log (so the check above means something)', () => {
    const log = JSON.parse(renderSarif(stored.report)) as Sarif;
    (runOf(log, 'prod').results[0] as unknown as Record<string, unknown>)['level'] = 'fatal';
    expect(validate(log).valid).toBe(false);
  });

  it('has one run per cluster and one result per failing resource, each pointing at an existing rule', () => {
    const log = parse(renderSarif(stored.report));
    expect(log.runs.map((r) => r.properties.cluster)).toEqual(['ghost', 'prod', 'staging']);
    const run = runOf(log, 'prod');
    const failing = countFindings(stored.report, 'fail');
    expect(failing).toBe(PROD_FAILING);
    expect(run.results).toHaveLength(failing);
    expect(allResults(log)).toHaveLength(failing);
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
      expect(r.kind).toBe('fail');
      expect(r.locations[0]?.physicalLocation.region).toEqual({ startLine: 1 });
      expect(r.properties).toMatchObject({ cluster: 'prod', severity: expect.stringMatching(/^(critical|high)$/), firstSeen: '2025-03-01T10:00:01.000Z', ageDays: 0 });
    }
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(stored.report.controls.map((c) => c.id));
    expect(new Set(run.results.map((r) => r.partialFingerprints['complydFingerprint/v1'])).size).toBe(failing);
    expect(run.tool.driver).toMatchObject({ name: 'complyd', version: '0.1.0' });

    const sample = parse(renderSarif(sampleReport()));
    expect(allResults(sample)).toHaveLength(countFindings(sampleReport(), 'fail'));
  });

  it('names the scope in automationDetails.id: framework and cluster before the last "/", the run after it', () => {
    const id = stored.report.run.id;
    expect(parse(renderSarif(stored.report)).runs.map((r) => r.automationDetails.id)).toEqual([`complyd/all/ghost/${id}`, `complyd/all/prod/${id}`, `complyd/all/staging/${id}`]);
    const cis = parse(renderSarif({ ...stored.report, framework: 'cis-1.12' }));
    expect(runOf(cis, 'prod').automationDetails.id).toBe(`complyd/cis-1.12/prod/${id}`);
    const categories = (log: Sarif) => log.runs.map((r) => r.automationDetails.id.replace(/\/[^/]*$/, ''));
    expect(new Set([...categories(parse(renderSarif(stored.report))), ...categories(cis)]).size).toBe(6);
  });

  it('links each rule to its section of docs/controls.md (an anchor the file has) and tags it security', () => {
    const headings = new Set(
      readFileSync(new URL('../../docs/controls.md', import.meta.url), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .map((l) => headingAnchor(l.replace(/^#+\s*/, ''))),
    );
    const rules = runOf(parse(renderSarif(stored.report, { catalogUrl: 'https://docs.example/controls.md' })), 'prod').tool.driver.rules;
    expect(rules.length).toBeGreaterThan(3);
    for (const r of rules) {
      const [base, anchor] = r.helpUri.split('#');
      expect(base).toBe('https://docs.example/controls.md');
      expect(headings.has(anchor ?? '')).toBe(true);
      expect(r.help.markdown).toContain(`](${r.helpUri})`);
      expect(r.properties.tags[0]).toBe('security');
    }
    expect(rules.find((r) => r.id === 'PSS-privileged')?.helpUri).toBe('https://docs.example/controls.md#pod-security-standards-baseline');
  });

  it('gives a custom control no catalog link: the published catalog does not hold it', () => {
    const report = sampleReport();
    const custom = report.controls[0];
    if (!custom) throw new Error('the sample report has no control');
    custom.section = CUSTOM_SECTION;
    const rules = parse(renderSarif(report, { catalogUrl: 'https://docs.example/controls.md' })).runs.flatMap((r) => r.tool.driver.rules);
    const own = rules.filter((r) => r.id === custom.id);
    expect(own.length).toBeGreaterThan(0);
    for (const r of own) {
      expect(r).not.toHaveProperty('helpUri');
      expect(r.help.markdown).not.toContain('docs.example');
    }
    // The built-in controls keep theirs.
    expect(rules.find((r) => r.id !== custom.id)?.helpUri).toMatch(/^https:\/\/docs\.example\/controls\.md#/);
  });

  it('maps severity to level and security-severity, and names the resource and its evidence', () => {
    const run = runOf(parse(renderSarif(stored.report)), 'prod');
    const rule = run.tool.driver.rules.find((r) => r.id === 'PSS-privileged');
    expect(rule?.properties['security-severity']).toBe('9.5');
    expect(rule?.properties.tags).toContain('pss-baseline');
    const tricky = run.results.find((r) => r.locations[0]?.logicalLocations[0]?.fullyQualifiedName === `prod/shop/Deployment/${TRICKY_NAME}/app`);
    expect(tricky?.level).toBe('error');
    expect(tricky?.message.text).toContain('spec.x: observed a|b');
    expect(tricky?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(`k8s/prod/shop/Deployment/${encodeURIComponent(TRICKY_NAME)}`);
    const role = run.results.find((r) => r.ruleId === 'CIS-5.1.8');
    expect(role?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('k8s/prod/_/ClusterRole/binder');
    expect(role?.locations[0]?.logicalLocations[0]).toMatchObject({ fullyQualifiedName: 'prod/_/ClusterRole/binder', kind: 'resource' });
    expect(sarifUri('c', { resource: { kind: 'Pod', namespace: 'a/b', name: 'x y' } })).toBe('k8s/c/a%2Fb/Pod/x%20y');
  });

  it('reports gaps, a cluster not assessed and a control error as notifications, not results', () => {
    const log = parse(renderSarif(stored.report));
    expect(log.runs.map((r) => [r.properties.cluster, r.invocations[0]?.executionSuccessful])).toEqual([
      ['ghost', false],
      ['prod', true],
      ['staging', false],
    ]);
    const byId = (id: string) => log.runs.flatMap((r) => r.invocations[0]?.toolExecutionNotifications ?? []).filter((n) => n.descriptor.id === id);
    expect(byId('evidence-gap').map((n) => [n.level, n.message.text])).toEqual([['warning', expect.stringContaining('staging: evidence "clusterroles"')]]);
    expect(byId('cluster-not-assessed').map((n) => n.message.text)).toEqual([expect.stringContaining('ghost was not assessed: kubeconfig missing.yaml')]);
    const err = byId('control-error');
    expect(err).toHaveLength(countFindings(stored.report, 'error'));
    expect(err[0]?.associatedRule?.id).toBe('PSS-allow-privilege-escalation');
  });
});
