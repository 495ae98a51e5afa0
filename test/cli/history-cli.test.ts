/**
 * The history commands end to end, as a user runs them: `complyd demo` replays 30 days of the
 * simulated fleet into SQLite (as `npm run demo` does), then trend / mttr / history / diff / verify read it back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let config: string;
let demoOut = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'complyd-history-cli-'));
  const r = await runCli(['demo', '--out', dir], { timeoutMs: 240_000 });
  demoOut = r.stdout;
  if (r.code !== 0) throw new Error(`demo failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  config = join(dir, 'demo', 'complyd.yaml');
}, 270_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function json<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, '-c', config, '-o', 'json']);
  if (r.code !== 0) throw new Error(`complyd ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('history commands on the demo history', () => {
  it('the demo prints a line per simulated day with that day’s events', () => {
    expect(demoOut.match(/ day +\d+\/30 /g)).toHaveLength(30);
    expect(demoOut).toContain('prod-eu: the debug shell is deleted');
    expect(demoOut).toMatch(/median time to remediate/);
  });

  it('trend: one point per day, and figures equal to the stored counts', async () => {
    const t = await json<{ score: Array<{ runId: string; score: number; counts: { fail: number } }>; clusters: Array<{ cluster: string }> }>(['trend', '--since', '31d']);
    expect(t.score).toHaveLength(30);
    expect(t.clusters.map((c) => c.cluster)).toEqual(['analytics-eks', 'dev-k3s', 'prod-eu', 'staging-us']);
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') }));
    try {
      const last = t.score[t.score.length - 1];
      const results = await store.history.clusterResults(last?.runId ?? '');
      expect(last?.counts.fail).toBe(results.reduce((n, c) => n + c.counts.fail, 0));
    } finally {
      await store.close();
    }
    const text = await runCli(['trend', '-c', config, '--since', '31d', '--cluster', 'prod-eu']);
    expect(text.stdout).toContain('Compliance score, cluster prod-eu');
    // The fleet view names the configured cluster that was never assessed (edge-lab is unreachable).
    const fleet = await runCli(['trend', '-c', config, '--since', '31d']);
    expect(fleet.stdout).toContain('Not assessed in this window: edge-lab');
    expect(text.stdout).not.toContain('Not assessed');
  });

  it('mttr: the debug shell deletion and the legacy-reporting fix are remediations, told apart', async () => {
    const m = await json<{ all: { resolved: number; fixed: number; resourceGone: number; medianDays: number }; byCluster: Array<{ key: string }> }>(['mttr', '--since', '31d']);
    expect(m.all.fixed).toBeGreaterThan(0);
    expect(m.all.resourceGone).toBeGreaterThan(0);
    expect(m.all.resolved).toBe(m.all.fixed + m.all.resourceGone);
    expect(m.byCluster.map((c) => c.key)).toContain('prod-eu');
    expect(m.all.medianDays).toBeGreaterThan(0);
  });

  it('history and diff: the redeployed docker-in-docker comes back as reopened', async () => {
    const h = await json<Array<{ run: { id: string }; score: number }>>(['history', '-n', '30']);
    expect(h).toHaveLength(30);
    const oldest = h[h.length - 1]?.run.id ?? '';
    const d = await json<{ clusters: Array<{ cluster: string; reopened: Array<{ resource: { name: string } }>; resolved: Array<{ resource: { name: string }; resolved?: { resolution: string } }> }> }>(['diff', oldest.slice(0, 8), 'latest']);
    const dev = d.clusters.find((c) => c.cluster === 'dev-k3s');
    expect(dev?.reopened.map((e) => e.resource.name)).toContain('docker-in-docker');
    const prod = d.clusters.find((c) => c.cluster === 'prod-eu');
    expect(prod?.resolved.map((e) => e.resource.name)).toContain('legacy-reporting');
  });

  it('risk: each workload risk is its severity times 1 + its factors, and the totals add up', async () => {
    const r = await json<{ clusters: Array<{ cluster: string; risk: number }>; workloads: Array<{ cluster: string; risk: number; severity: number; exposure: number; factors: Array<{ contribution: number; reason: string }> }>; more: number }>(['risk', '-n', '1000']);
    expect(r.more).toBe(0);
    expect(r.workloads.length).toBeGreaterThan(10);
    for (const w of r.workloads) {
      expect(w.exposure).toBeCloseTo(1 + w.factors.reduce((a, f) => a + f.contribution, 0), 9);
      expect(w.risk).toBeCloseTo(w.severity * w.exposure, 9);
      for (const f of w.factors) expect(f.reason.length).toBeGreaterThan(5);
    }
    const risks = r.workloads.map((w) => w.risk);
    expect([...risks].sort((a, b) => b - a)).toEqual(risks);
    for (const c of r.clusters) expect(c.risk).toBeCloseTo(r.workloads.filter((w) => w.cluster === c.cluster).reduce((a, w) => a + w.risk, 0), 6);
    const t = await json<{ risk: Array<{ risk: number }> }>(['trend', '--since', '30d']);
    expect(t.risk[t.risk.length - 1]?.risk).toBeCloseTo(r.clusters.reduce((a, c) => a + c.risk, 0), 3);
  });

  it('network diff --since 30d shows the connection the timeline opened in prod-eu, and network reads a stored scan', async () => {
    expect(demoOut).toMatch(/network diff -c \S+ --cluster prod-eu --since 30d/);
    const diff = await runCli(['network', 'diff', '-c', config, '--cluster', 'prod-eu', '--since', '30d']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('+ monitoring/grafana[Deployment] => payments/postgres[StatefulSet] : TCP 5432\n');
    expect(diff.stdout.split('\n').filter((l) => l !== '').every((l) => l.startsWith('+ ') && l.endsWith('=> payments/postgres[StatefulSet] : TCP 5432'))).toBe(true);
    const d = await json<{ from: { runId: string; at: string }; to: { runId: string }; added: unknown[]; removed: unknown[] }>(['network', 'diff', '--cluster', 'prod-eu', '--since', '30d']);
    expect(d.added).toHaveLength(diff.stdout.trim().split('\n').length);
    expect(d.removed).toEqual([]);
    // Between the same two runs given by id: the same change.
    const byRun = await runCli(['network', 'diff', '-c', config, '--cluster', 'prod-eu', '--run', d.from.runId, '--run', d.to.runId]);
    expect(byRun.stdout).toBe(diff.stdout);
    // The first scan, before the change: postgres only for its own clients.
    const first = await runCli(['network', '-c', config, '--cluster', 'prod-eu', '--run', d.from.runId, '--exposure', '--focus-workload', 'payments/postgres']);
    expect(first.code).toBe(0);
    expect(first.stdout).not.toContain('entire-cluster : TCP 5432');
    const now = await runCli(['network', '-c', config, '--cluster', 'prod-eu', '--exposure', '--focus-workload', 'payments/postgres', '-o', 'json']);
    const doc = JSON.parse(now.stdout) as { exposure_results: { ingress_exposure: Array<{ src: string; dst: string; conn: string }> } };
    expect(doc.exposure_results.ingress_exposure).toContainEqual({ src: 'entire-cluster', dst: 'payments/postgres[StatefulSet]', conn: 'TCP 5432' });
    // A cluster that was never assessed has nothing to show: exit 3, named.
    const none = await runCli(['network', '-c', config, '--cluster', 'edge-lab']);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('no connectivity stored for cluster edge-lab');
  });

  it('verify: intact after the demo, and names the row changed behind its back', async () => {
    const ok = await runCli(['verify', '-c', config]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('hash chain intact');
    const knex = await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') });
    try {
      await knex('run_clusters').where({ cluster: 'prod-eu' }).orderBy('seq').limit(1).update({ fail_count: 0 });
    } finally {
      await knex.destroy();
    }
    const broken = await runCli(['verify', '-c', config]);
    expect(broken.code).toBe(4);
    expect(broken.stdout).toContain('hash chain BROKEN');
    expect(broken.stdout).toMatch(/prod-eu/);
  });

  it('the demo PDF states the fleet score and resolved count the store gives', async () => {
    const { readdir } = await import('node:fs/promises');
    const { readFile } = await import('node:fs/promises');
    const { readPdf } = await import('../report/pdf-text.js');
    const file = (await readdir(dir)).find((f) => f.endsWith('.pdf'));
    const pdf = await readPdf(await readFile(join(dir, file ?? 'missing.pdf')));
    const text = pdf.pages.map((p) => p.text).join(' ');
    const t = await json<{ score: Array<{ score: number }> }>(['trend', '--since', '30d']);
    const last = t.score[t.score.length - 1]?.score ?? NaN;
    expect(text).toContain(`Compliance score (0-100) ${last.toFixed(1)}`);
    const m = await json<{ all: { resolved: number } }>(['mttr', '--since', '30d']);
    expect(text).toContain(`${m.all.resolved} failing finding(s) were resolved in the period`);
    expect(text).toContain('7 Integrity');
  });

  it('says what is wrong with a bad window', async () => {
    const r = await runCli(['trend', '-c', config, '--since', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since: not a duration or a date: "yesterday"');
  });
});
