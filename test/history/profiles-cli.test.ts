/** `complyd trend`, `mttr` and `report` with `--profile`, through the compiled command line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { profileControls } from '../../src/main.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { clusterScan, dayAt, f, workload } from '../store/history-fixtures.js';
import { runCli } from '../helpers/cli.js';

const CONFIG = `clusters:
  - { name: prod-a, kubeconfig: k, labels: { env: prod } }
  - { name: dev-a, kubeconfig: k, labels: { env: dev } }
storage: { sqlite: ./store.sqlite }
profiles:
  - { name: prod, selector: { matchLabels: { env: prod } }, frameworks: [pss-restricted, cis-1.12] }
  - { name: dev, selector: { matchLabels: { env: dev } }, frameworks: [pss-baseline] }
`;

let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'complyd-profile-cli-'));
  configFile = join(dir, 'complyd.yaml');
  writeFileSync(configFile, CONFIG);
  const config = parseConfig(CONFIG, configFile, {});
  const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'store.sqlite') }));
  try {
    const runId = await store.runs.beginRun({ trigger: 'cli', catalogVersion: 'cat-1', complydVersion: 'test', clusterCount: 2, now: dayAt(0), owner: 'test:1' });
    for (const c of config.clusters) {
      const selection = profileControls(config)({ name: c.name });
      await store.runs.recordCluster(runId, clusterScan(c.name, 0, [f(c.name, 'PSS-privileged', 'fail', workload('web'), {}, 'critical')], { labels: c.labels }), {
        evaluatedControls: selection.controls.map((x) => x.id),
        ...(selection.profile ? { profile: selection.profile } : {}),
      });
    }
    await store.runs.finishRun(runId, 'complete', dayAt(0, 30));
  } finally {
    await store.close();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--profile on the command line', () => {
  it("trend: the profile's clusters, named with the profile and frameworks", async () => {
    const r = await runCli(['trend', '-c', configFile, '--since', '2024-12-01', '--profile', 'dev']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('profile dev (env=dev: pss-baseline)');
    expect(r.stdout).toMatch(/dev-a\s+dev\s+pss-baseline\s/);
    expect(r.stdout).not.toContain('prod-a');
    const json = await runCli(['trend', '-c', configFile, '--since', '2024-12-01', '--profile', 'prod', '-o', 'json']);
    const t = JSON.parse(json.stdout) as { profile: { name: string }; clusters: Array<{ cluster: string; frameworks: string[] }> };
    expect(t.profile.name).toBe('prod');
    expect(t.clusters).toEqual([expect.objectContaining({ cluster: 'prod-a', profile: 'prod', frameworks: ['pss-restricted', 'cis-1.12'] })]);
  }, 60_000);

  it('report: only the clusters of the profile, and the profile named', async () => {
    const r = await runCli(['report', '-c', configFile, '--profile', 'prod', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { profile: { name: string }; clusters: Array<{ name: string }> };
    expect(report.profile.name).toBe('prod');
    expect(report.clusters.map((c) => c.name)).toEqual(['prod-a']);
  }, 60_000);

  it('an unknown profile, or a cluster outside it, is a usage error (exit 2)', async () => {
    const unknown = await runCli(['trend', '-c', configFile, '--profile', 'staging']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--profile: no profile "staging"');
    expect(unknown.stderr).toContain('its profiles: prod, dev');
    const outside = await runCli(['report', '-c', configFile, '--profile', 'prod', '--cluster', 'dev-a', '--format', 'json']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('not in profile "prod"');
  }, 60_000);
});
