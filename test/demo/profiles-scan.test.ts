/**
 * Profiles end to end over the demo fleet's real fake API servers: each cluster is evaluated
 * with its profile's controls, the run records what each was held to, and the chain holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig, type Config } from '../../src/config/load.js';
import { CONTROLS } from '../../src/controls/index.js';
import { silentLogger } from '../../src/core/log.js';
import { demoFixturesDir, startDemoFleet, type DemoFleet } from '../../src/demo/fleet.js';
import { DEMO_PROFILES } from '../../src/demo/profiles.js';
import { openStore, runScan } from '../../src/main.js';
import type { ControlResult, RunStore } from '../../src/store/run-store.js';
import { FRAMEWORKS } from '../../src/core/control.js';

const CLUSTERS = ['prod-eu', 'staging-us', 'dev-k3s'];

let workDir: string;
let fleet: DemoFleet;
let config: Config;
let store: RunStore;
let runId: string;
let results: Map<string, ControlResult[]>;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'complyd-profiles-'));
  fleet = await startDemoFleet({ fixturesDir: demoFixturesDir(), workDir });
  const text = stringify({
    clusters: fleet.clusters.map((c) => ({ name: c.name, kubeconfig: c.kubeconfigPath, ...(c.context ? { context: c.context } : {}), labels: c.labels })),
    storage: { sqlite: join(workDir, 'store.sqlite') },
    collect: { concurrency: 3, requestTimeout: '10s', clusterTimeout: '60s' },
    profiles: DEMO_PROFILES,
  });
  config = parseConfig(text, join(workDir, 'complyd.yaml'), {});
  store = await openStore(config);
  const result = await runScan(config, store, silentLogger(), { trigger: 'test', clusters: CLUSTERS, exceptions: [] });
  runId = result.runId;
  results = new Map();
  for (const c of CLUSTERS) results.set(c, await store.history.controlResults(runId, c));
}, 120_000);

afterAll(async () => {
  await store?.close();
  await fleet?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const frameworksOf = (id: string) => CONTROLS.find((c) => c.id === id)?.frameworks ?? [];
const severityOf = (id: string) => CONTROLS.find((c) => c.id === id)?.severity;

describe('a scan of the demo fleet with profiles', () => {
  it('puts the demo clusters in the profiles their labels select', () => {
    expect(config.profiles.map((p) => [p.name, p.clusters])).toEqual([
      ['prod', ['analytics-eks', 'prod-eu']],
      ['dev', ['dev-k3s', 'edge-lab']],
    ]);
  });

  it('records each cluster with its profile and the frameworks it was evaluated with', async () => {
    const rows = new Map((await store.history.clusterResults(runId)).map((r) => [r.cluster, r]));
    expect(rows.get('prod-eu')).toMatchObject({ profile: 'prod', frameworks: ['pss-restricted', 'cis-1.12', 'nsa'] });
    expect(rows.get('dev-k3s')).toMatchObject({ profile: 'dev', frameworks: ['pss-baseline'] });
    // In no profile: the defaults, every framework.
    expect(rows.get('staging-us')?.profile).toBeUndefined();
    expect(rows.get('staging-us')?.frameworks).toEqual([...FRAMEWORKS]);
  });

  it("evaluates only the profile's controls on each cluster", () => {
    const prod = results.get('prod-eu') ?? [];
    const dev = results.get('dev-k3s') ?? [];
    const staging = results.get('staging-us') ?? [];
    expect(dev.length).toBeGreaterThan(0);
    expect(prod.length).toBeGreaterThan(dev.length);
    // Restricted includes baseline: prod leaves nothing out that staging (every framework) judges, here.
    expect(staging.length).toBeGreaterThanOrEqual(prod.length);
    // dev: the baseline standard only, at or above its floor; no restricted-only control, no CIS.
    expect(dev.every((r) => frameworksOf(r.controlId).includes('pss-baseline'))).toBe(true);
    expect(dev.some((r) => severityOf(r.controlId) === 'low')).toBe(false);
    expect(dev.some((r) => !frameworksOf(r.controlId).includes('pss-baseline') && frameworksOf(r.controlId).includes('pss-restricted'))).toBe(false);
    // prod: restricted and CIS controls were judged, and some restricted-only control fails there.
    expect(prod.some((r) => r.controlId.startsWith('CIS-'))).toBe(true);
    expect(prod.some((r) => r.status === 'fail' && frameworksOf(r.controlId).includes('pss-restricted') && !frameworksOf(r.controlId).includes('pss-baseline'))).toBe(true);
    expect(prod.every((r) => frameworksOf(r.controlId).some((f) => ['pss-restricted', 'cis-1.12', 'nsa'].includes(f)))).toBe(true);
  });

  it('keeps the hash chain whole with the profile columns', async () => {
    const report = await store.integrity.verifyChain();
    expect(report.ok).toBe(true);
  });
});
