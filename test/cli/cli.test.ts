import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';

const deployment = (name: string, privileged: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:1', securityContext: { privileged } }] } } },
});

describe('complyd CLI (compiled binary)', () => {
  let server: FakeApiServer;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-cli-'));
    server = await startFakeApiServer({
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, deployment('cart', true), deployment('web', false)],
      tokens: { tok: 'scanner' },
      faults: { rolebindings: { forbidden: true } },
    });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok', contextName: 'shop-ctx' }));
    configFile = join(dir, 'complyd.yaml');
    writeFileSync(
      configFile,
      `clusters:
  - name: shop
    kubeconfig: kubeconfig.yaml
    context: shop-ctx
    labels: { env: prod }
  - name: ghost
    kubeconfig: missing.yaml
schedule:
  scan: "*/2 * * * * *"
storage:
  sqlite: data/complyd.sqlite
output:
  dir: out
  formats: [json]
reports:
  - name: after-scan
    formats: [md, csv]
    keep: 2
  - name: timed
    cron: "*/3 * * * * *"
    formats: [json]
    clusters: [shop]
    since: 7d
`,
    );
  });
  afterAll(async () => {
    stopAllCli();
    await server.close();
  });

  it('prints useful help for the program and each command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['scan', 'daemon', 'report', 'evaluate', 'controls', 'demo']) expect(top.stdout).toContain(cmd);
    const scan = await runCli(['scan', '--help']);
    expect(scan.stdout).toMatch(/--config <file>/);
    expect(scan.stdout).toMatch(/^Exit codes:\n\s+0 {2}success/m);
    expect(scan.stdout).toMatch(/^\s+3 {2}not everything was read: a cluster could not be assessed/m);
  });

  it('lists controls as text and JSON', async () => {
    const text = await runCli(['controls']);
    expect(text.stdout).toMatch(/PSS-privileged\s+critical\s+automated/);
    const json = JSON.parse((await runCli(['controls', '-o', 'json', '--framework', 'pss-baseline'])).stdout) as Array<{ id: string; frameworks: string[] }>;
    expect(json.length).toBeGreaterThan(5);
    expect(json.every((c) => c.frameworks.includes('pss-baseline'))).toBe(true);
    const bad = await runCli(['controls', '--framework', 'iso27001']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--framework must be one of cis-1\.12, pss-baseline, pss-restricted, nsa, hardening, reliability, not "iso27001"/);
  });

  it('scans the configured fleet: per-cluster summary, run id, report, exit 3 for the cluster it could not assess', async () => {
    const res = await runCli(['scan', '-c', configFile]);
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(/^CLUSTER\s+STATUS\s+OBJECTS\s+PASS\s+FAIL\s+UNKNOWN/m);
    expect(res.stdout).toMatch(/^shop\s+partial\s+3\s+/m);
    expect(res.stdout).toMatch(/^ghost\s+failed\s+-.*clusters\[1\]\.kubeconfig: file not found: .*missing\.yaml/m);
    const runId = /^run ([0-9a-f-]{36}): partial$/m.exec(res.stdout)?.[1];
    expect(runId).toBeDefined();
    const reportPath = /^report: (.*\.json)$/m.exec(res.stdout)?.[1] ?? '';
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { run: { id: string }; clusters: Array<{ name: string; gaps: Array<{ evidence: string }> }> };
    expect(report.run.id).toBe(runId);
    expect(report.clusters.find((c) => c.name === 'shop')?.gaps.map((g) => g.evidence)).toEqual(['rolebindings']);
    // stderr is a pipe here, not a terminal: no progress lines.
    expect(res.stderr).not.toMatch(/scanning 2 clusters|\[\d\/2\]/);

    const again = await runCli(['report', '-c', configFile, '--run', (runId ?? '').slice(0, 8), '-o', 'json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).run.id).toBe(runId);
  });

  it('rejects a broken configuration with every problem and its key path (exit 2)', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters:\n  - name: a\n    kubeconfig: x\n    contxt: y\ncollect:\n  pageSize: 0\n');
    const res = await runCli(['scan', '-c', bad]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('clusters[0]: unknown key "contxt"');
    expect(res.stderr).toMatch(/collect\.pageSize: /);
    const missing = await runCli(['scan', '-c', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: cannot read configuration: file not found/);
  });

  it('evaluates manifests offline', async () => {
    const file = join(dir, 'deploy.yaml');
    writeFileSync(file, [deployment('cart', true), deployment('web', false)].map((d) => JSON.stringify(d)).join('\n---\n'));
    const res = await runCli(['evaluate', file, '-o', 'json']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { findings: Array<{ controlId: string; status: string; resource: { name: string }; evidence?: { path: string } }> };
    const priv = out.findings.filter((f) => f.controlId === 'PSS-privileged');
    expect(priv).toEqual([expect.objectContaining({ status: 'fail', resource: expect.objectContaining({ name: 'cart' }), evidence: expect.objectContaining({ path: 'spec.template.spec.containers[app].securityContext.privileged' }) })]);
  });

  it('runs the daemon on its schedule and stops cleanly on SIGTERM', async () => {
    const child = startCli(['daemon', '-c', configFile, '--log-level', 'info', '--no-catch-up']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const waitFor = async (re: RegExp, ms: number) => {
      const until = Date.now() + ms;
      while (!re.test(stderr)) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${re}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/"msg":"daemon started"/, 15_000);
    await waitFor(/"msg":"reports written"/, 15_000);
    // Report jobs: one after every scan (keeping 2 of each format), one on its own cron.
    await waitFor(/("job":"after-scan"[^\n]*"msg":"report job written"[^\n]*\n[^]*){3}/, 20_000);
    await waitFor(/"job":"timed"[^\n]*"msg":"report job written"/, 15_000);
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/"msg":"stopped"/);
    const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; status?: string });
    expect(lines.filter((l) => l.msg === 'run finished').every((l) => l.status === 'partial')).toBe(true);
    const jobFiles = readdirSync(join(dir, 'out', 'after-scan')).sort();
    expect(jobFiles.filter((f) => f.endsWith('.md'))).toHaveLength(2);
    expect(jobFiles.filter((f) => f.endsWith('.csv'))).toHaveLength(2);
    expect(jobFiles.filter((f) => f.endsWith('.sha256'))).toHaveLength(4);
    const timed = readdirSync(join(dir, 'out', 'timed')).filter((f) => f.endsWith('.json'));
    expect(timed.length).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'timed', timed[0] ?? ''), 'utf8')) as { clusters: Array<{ name: string }>; period: { from: string; to: string } };
    expect(report.clusters.map((c) => c.name)).toEqual(['shop']);
    expect(Date.parse(report.period.to) - Date.parse(report.period.from)).toBe(7 * 86_400_000);
    // No run is left running: the scan in flight finished (or was marked interrupted) before the store closed.
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'data', 'complyd.sqlite') }));
    try {
      const runs = await store.history.listRuns(100);
      expect(runs.filter((r) => r.trigger === 'schedule').length).toBeGreaterThan(0);
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
