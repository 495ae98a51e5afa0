import { renderSarif, sarifUri } from '../../src/report/sarif-report.js';
import { sampleReport } from './fixtures.js';
import { sarifValidator } from './sarif-schema.js';
import { PROD_FAILING, TRICKY_NAME, countFindings, storedReport, type StoredReport } from './store-report.js';

interface Sarif {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: Array<{ id: string; shortDescription: { text: string }; properties: { tags: string[]; 'security-severity': string; precision: string } }> } };
    automationDetails: { id: string };
    invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ level: string; message: { text: string }; descriptor: { id: string }; associatedRule?: { id: string; index: number } }> }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      kind: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: Array<{ fullyQualifiedName: string; kind: string }> }>;
      partialFingerprints: Record<string, string>;
    }>;
  }>;
}

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

  it('the validator does reject a broken log (so the check above means something)', () => {
    const log = JSON.parse(renderSarif(stored.report)) as Sarif;
    (log.runs[0]?.results[0] as unknown as Record<string, unknown>)['level'] = 'fatal';
    expect(validate(log).valid).toBe(false);
  });

  it('has one result per failing resource, each pointing at an existing rule', () => {
    const log = JSON.parse(renderSarif(stored.report)) as Sarif;
    const run = log.runs[0];
    if (!run) throw new Error('no run');
    const failing = countFindings(stored.report, 'fail');
    expect(failing).toBe(PROD_FAILING);
    expect(run.results).toHaveLength(failing);
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
      expect(r.kind).toBe('fail');
    }
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(stored.report.controls.map((c) => c.id));
    expect(new Set(run.results.map((r) => r.partialFingerprints['complydFingerprint/v1'])).size).toBe(failing);
    expect(run.automationDetails.id).toBe(`complyd/${stored.report.run.id}`);
    expect(run.tool.driver).toMatchObject({ name: 'complyd', version: '0.1.0' });

    const sample = JSON.parse(renderSarif(sampleReport())) as Sarif;
    expect(sample.runs[0]?.results).toHaveLength(countFindings(sampleReport(), 'fail'));
  });

  it('maps severity to level and security-severity, and names the resource and its evidence', () => {
    const run = (JSON.parse(renderSarif(stored.report)) as Sarif).runs[0];
    if (!run) throw new Error('no run');
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
    const inv = (JSON.parse(renderSarif(stored.report)) as Sarif).runs[0]?.invocations[0];
    expect(inv?.executionSuccessful).toBe(false);
    const byId = (id: string) => inv?.toolExecutionNotifications.filter((n) => n.descriptor.id === id) ?? [];
    expect(byId('evidence-gap').map((n) => [n.level, n.message.text])).toEqual([['warning', expect.stringContaining('staging: evidence "clusterroles"')]]);
    expect(byId('cluster-not-assessed').map((n) => n.message.text)).toEqual([expect.stringContaining('ghost was not assessed: kubeconfig missing.yaml')]);
    const err = byId('control-error');
    expect(err).toHaveLength(countFindings(stored.report, 'error'));
    expect(err[0]?.associatedRule?.id).toBe('PSS-allow-privilege-escalation');
  });
});
