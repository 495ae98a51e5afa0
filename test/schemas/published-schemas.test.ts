/**
 * The published JSON Schemas (schemas/): current with the zod schemas they are generated from,
 * accepting the example configuration and real JSON reports, and refusing what complyd refuses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parse } from 'yaml';
import { SCHEMA_FILES, schemaText } from '../../src/cli/write-schemas.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { buildReport, openStore, runScan } from '../../src/main.js';
import { renderJson } from '../../src/report/json-report.js';
import type { RunStore } from '../../src/store/run-store.js';

// CommonJS packages: under NodeNext the default import is module.exports, which holds `default`.
const Ajv2020 = ajv2020.default;
const addFormats = ajvFormats.default;

function validator(file: string): (data: unknown) => string | true {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join('schemas', file), 'utf8')) as Record<string, unknown>);
  return (data) => (validate(data) ? true : ajv.errorsText(validate.errors));
}

it('are current: `npm run schemas` writes exactly the committed files', () => {
  for (const name of Object.keys(SCHEMA_FILES) as Array<keyof typeof SCHEMA_FILES>) {
    expect({ name, text: readFileSync(join('schemas', name), 'utf8') }).toEqual({ name, text: schemaText(name) });
  }
});

describe('the configuration schema', () => {
  const validate = validator('complyd.config.schema.json');
  const example = readFileSync('config/complyd.example.yaml', 'utf8');

  it('is the one the example configuration names for editors', () => {
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/complyd.config.schema.json');
  });

  it('accepts the example, with its commented alerts and profiles in', () => {
    expect(validate(parse(example))).toBe(true);
    // Uncommenting the sections documented as comments (alerts, profiles) keeps it valid.
    const uncommented = example.replace(/^# (profiles:|alerts:|controls:| {2}.*)$/gm, '$1');
    const doc = parse(uncommented) as { alerts?: { webhooks: unknown[] }; profiles?: unknown[] };
    expect(doc.alerts?.webhooks).toHaveLength(2);
    expect(validate(doc)).toBe(true);
  });

  it('refuses what complyd refuses: unknown keys, a bad format, a webhook without a url', () => {
    const base = { clusters: [{ name: 'a', kubeconfig: 'k.yaml' }] };
    expect(validate(base)).toBe(true);
    expect(validate({ ...base, colect: {} })).toContain('must NOT have additional properties');
    expect(validate({ ...base, output: { formats: ['docx'] } })).toContain('must be equal to one of the allowed values');
    expect(validate({ ...base, alerts: { webhooks: [{ name: 'x' }] } })).toContain("must have required property 'url'");
    expect(validate({ ...base, collect: { clusterTimeout: 'soon' } })).toContain('must match pattern');
    expect(validate({ clusters: [] })).toContain('must NOT have fewer than 1 items');
  });
});

describe('the JSON report schema', () => {
  const validate = validator('complyd.report.v1.schema.json');
  let api: FakeApiServer;
  let dir: string;
  let store: RunStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-report-schema-'));
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const deploy = (name: string, privileged: boolean) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:1', securityContext: { privileged } }] } } },
    });
    api = await startFakeApiServer({ objects: [ns, deploy('web', false), deploy('cart', true)], tokens: { tok: 'scanner' } });
    writeFileSync(join(dir, 'kubeconfig.yaml'), api.kubeconfig({ user: 'scanner', token: 'tok' }));
    const expires = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const created = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    writeFileSync(join(dir, 'exc.yaml'), `exceptions:\n  - { id: cart-ok, controls: [PSS-privileged], scope: { names: [cart] }, owner: shop, reason: device, created: ${created}, expires: ${expires} }\n`);
    const config = parseConfig('clusters:\n  - { name: shop, kubeconfig: kubeconfig.yaml, labels: { env: prod } }\n  - { name: gone, kubeconfig: missing.yaml }\nstorage: { sqlite: complyd.sqlite }\nexceptions: { paths: [exc.yaml] }\n', join(dir, 'complyd.yaml'));
    store = await openStore(config);
    await runScan(config, store, silentLogger(), { trigger: 'test' });
    api.replaceObjects([ns, deploy('web', true), deploy('cart', true)]);
    await runScan(config, store, silentLogger(), { trigger: 'test' });
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a real report: findings, exceptions, a cluster not assessed, the period with its trend and risks', async () => {
    const run = await store.history.latestRun();
    const report = JSON.parse(renderJson(await buildReport(store.history, run?.id ?? ''))) as Record<string, unknown> & { period: { topRisks: unknown[]; trend: { fleet: unknown[] } }; clusters: Array<{ status: string }> };
    expect(report.clusters.map((c) => c.status).sort()).toEqual(['complete', 'failed']);
    expect(report.period.topRisks.length).toBeGreaterThan(0);
    expect(report.period.trend.fleet).toHaveLength(2);
    expect(validate(report)).toBe(true);
    // The validator bites: a field the schema does not know, or a wrong type, is refused.
    expect(validate({ ...report, extra: 1 })).toContain('must NOT have additional properties');
    expect(validate({ ...report, schema: 'complyd.report/v2' })).toContain('must be equal to constant');
  });
});
