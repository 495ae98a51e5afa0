/**
 * The history and the reports cut per profile: the trend of a profile's clusters names the
 * profile and each cluster's frameworks, and a profile's report job writes its clusters only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../src/config/load.js';
import { findProfile, profileSummary } from '../../src/config/profiles.js';
import { trend } from '../../src/history/history.js';
import { profileControls, runReportJob } from '../../src/main.js';
import { renderTrend } from '../../src/cli/render-history.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RecordClusterOptions, type RunStore } from '../../src/store/run-store.js';
import type { Finding } from '../../src/core/types.js';
import { UsageError } from '../../src/core/errors.js';
import { clusterScan, dayAt, f, workload } from '../store/history-fixtures.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { readPdf, squash } from '../report/pdf-text.js';
import { FRAMEWORKS } from '../../src/core/control.js';

const CONFIG = `clusters:
  - { name: prod-a, kubeconfig: k, labels: { env: prod } }
  - { name: prod-b, kubeconfig: k, labels: { env: prod } }
  - { name: dev-a, kubeconfig: k, labels: { env: dev } }
  - { name: lab, kubeconfig: k, labels: { env: lab } }
output:
  dir: out
profiles:
  - name: prod
    selector: { matchLabels: { env: prod } }
    frameworks: [pss-restricted, cis-1.12, nsa]
    reports:
      - { name: prod-report, formats: [json, pdf] }
  - name: dev
    selector: { matchLabels: { env: dev } }
    frameworks: [pss-baseline]
`;

/** What a scan of `cluster` recorded: the options its profile gives, and findings of controls it evaluated. */
function scanOf(config: Config, cluster: string, day: number): { findings: Finding[]; options: RecordClusterOptions } {
  const selection = profileControls(config)({ name: cluster });
  const ids = selection.controls.map((c) => c.id);
  const findings = [
    f(cluster, 'PSS-privileged', day === 0 ? 'fail' : 'pass', workload('web'), {}, 'critical'),
    ...(ids.includes('PSS-run-as-non-root') ? [f(cluster, 'PSS-run-as-non-root', 'fail', workload('web'), {}, 'medium')] : []),
  ];
  return {
    findings,
    options: {
      evaluatedControls: ids,
      frameworks: Object.fromEntries(selection.controls.map((c) => [c.id, c.frameworks])),
      ...(selection.profile ? { profile: selection.profile } : {}),
    },
  };
}

describeEachDatabase('profiles in the history', (db) => {
  let dir: string;
  let config: Config;
  let store: RunStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-profile-history-'));
    config = parseConfig(CONFIG, join(dir, 'complyd.yaml'), {});
    store = knexRunStore(await openDatabase(await db.fresh()));
    for (const day of [0, 1]) {
      const runId = await store.runs.beginRun({ trigger: 'schedule', catalogVersion: 'cat-1', complydVersion: 'test', clusterCount: 4, now: dayAt(day), owner: 'test:1' });
      for (const c of config.clusters) {
        const { findings, options } = scanOf(config, c.name, day);
        await store.runs.recordCluster(runId, clusterScan(c.name, day, findings, { labels: c.labels }), options);
      }
      await store.runs.finishRun(runId, 'complete', dayAt(day, 30));
    }
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const window = { from: dayAt(-1), to: dayAt(2) };

  it("shows each cluster's profile and frameworks in the fleet's trend", async () => {
    const t = await trend(store.history, window);
    expect(t.clusters.map((c) => [c.cluster, c.profile, c.frameworks])).toEqual([
      ['dev-a', 'dev', ['pss-baseline']],
      ['lab', undefined, [...FRAMEWORKS]],
      ['prod-a', 'prod', ['pss-restricted', 'cis-1.12', 'nsa']],
      ['prod-b', 'prod', ['pss-restricted', 'cis-1.12', 'nsa']],
    ]);
    const text = renderTrend(t, config.clusters.map((c) => c.name));
    expect(text).toMatch(/dev-a\s+dev\s+pss-baseline\s/);
    expect(text).toMatch(new RegExp(`lab\\s+\\(none\\)\\s+${FRAMEWORKS.join(',').replace(/\./g, '\\.')}\\s`));
  });

  it("cuts the trend to a profile's clusters and names the profile", async () => {
    const prod = findProfile(config.profiles, 'prod', config.file);
    const t = await trend(store.history, window, { clusters: prod.clusters, profile: profileSummary(prod) });
    expect(t.clusters.map((c) => c.cluster)).toEqual(['prod-a', 'prod-b']);
    expect(t.score.every((p) => p.clusters === 2)).toBe(true);
    const text = renderTrend(t, prod.clusters);
    expect(text.split('\n')[0]).toContain('profile prod (env=prod: pss-restricted, cis-1.12, nsa)');
    expect(text).not.toContain('dev-a');
    // The dev trend has no restricted-only failure: its clusters never evaluated one.
    const dev = findProfile(config.profiles, 'dev', config.file);
    const d = await trend(store.history, window, { clusters: dev.clusters, profile: profileSummary(dev) });
    expect(d.score[0]?.counts.fail).toBe(1);
    expect(t.score[0]?.counts.fail).toBe(4);
  });

  it('refuses a profile that is not configured, naming those that are', () => {
    expect(() => findProfile(config.profiles, 'staging', config.file)).toThrow(UsageError);
    expect(() => findProfile(config.profiles, 'staging', config.file)).toThrow('no profile "staging" in');
    expect(() => findProfile(config.profiles, 'staging', config.file)).toThrow('its profiles: prod, dev');
  });

  it("writes a profile's report job over its clusters only, naming the profile", async () => {
    const job = config.reports.find((j) => j.name === 'prod-report');
    expect(job?.profile?.name).toBe('prod');
    const done = await runReportJob(store.history, job ?? config.reports[0]!, []);
    const json = done?.written.find((p) => p.endsWith('.json')) ?? '';
    const report = JSON.parse(readFileSync(json, 'utf8')) as { profile?: { name: string; frameworks: string[] }; clusters: Array<{ name: string; profile?: string; frameworks?: string[] }> };
    expect(report.profile).toEqual({ name: 'prod', selector: 'env=prod', frameworks: ['pss-restricted', 'cis-1.12', 'nsa'] });
    expect(report.clusters.map((c) => [c.name, c.profile])).toEqual([
      ['prod-a', 'prod'],
      ['prod-b', 'prod'],
    ]);
    const pdf = await readPdf(readFileSync(done?.written.find((p) => p.endsWith('.pdf')) ?? ''));
    const text = squash(pdf.pages.map((p) => p.text).join(' '));
    expect(text).toContain('Profile prod: the clusters labelled env=prod, held to pss-restricted, cis-1.12, nsa');
    expect(text).toContain('Evaluated with pss-restricted, cis-1.12, nsa (profile prod)');
    expect(text).not.toContain('dev-a');
  }, 60_000);
});
