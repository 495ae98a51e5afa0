import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderKubeconfig, startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { runCli, stopAllCli } from '../helpers/cli.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';

const deployment = (name: string, namespace: string, privileged: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:1', securityContext: { privileged } }] } } },
});

interface ScanJson {
  runId: string;
  clusters: Array<{ cluster: string; status: string; findingCounts: Record<string, number> }>;
  severities?: string[];
}

describe('complyd scan without a configuration file, and its selection flags', () => {
  let server: FakeApiServer;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-scan-flags-'));
    server = await startFakeApiServer({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'batch' } },
        deployment('cart', 'shop', true),
        deployment('nightly', 'batch', true),
      ],
      tokens: { tok: 'scanner' },
    });
    kubeconfig = join(dir, 'kubeconfig.yaml');
    // Two contexts on the same server, the second current; names that need sanitising.
    writeFileSync(
      kubeconfig,
      renderKubeconfig(
        [
          server.kubeconfigEntry({ user: 'scanner', token: 'tok', clusterName: 'a', contextName: 'Prod/EU' }),
          server.kubeconfigEntry({ user: 'scanner', token: 'tok', clusterName: 'b', contextName: 'kind-dev' }),
        ],
        'kind-dev',
      ),
    );
  });
  afterAll(async () => {
    stopAllCli();
    await server.close();
  });

  it('scans two contexts of a kubeconfig as two clusters, into the default store', async () => {
    const cwd = mkdtempSync(join(dir, 'two-'));
    const res = await runCli(['scan', '--kubeconfig', kubeconfig, '--context', 'Prod/EU', '--context', 'kind-dev', '-o', 'json', '--no-report'], { cwd });
    expect(res.stderr).not.toMatch(/complyd:/);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as ScanJson;
    expect(out.clusters.map((c) => c.cluster).sort()).toEqual(['kind-dev', 'prod-eu']);
    expect(out.clusters.every((c) => c.status !== 'failed' && (c.findingCounts.fail ?? 0) > 0)).toBe(true);
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(cwd, 'complyd.sqlite') }));
    try {
      const run = await store.history.getRun(out.runId);
      expect(run?.trigger).toBe('cli');
      expect((await store.history.clusterResults(out.runId)).map((c) => c.cluster).sort()).toEqual(['kind-dev', 'prod-eu']);
    } finally {
      await store.close();
    }
  });

  it('scans the current context of $KUBECONFIG when no file is named, into --store', async () => {
    const cwd = mkdtempSync(join(dir, 'current-'));
    const res = await runCli(['scan', '--kubeconfig', '-o', 'json', '--no-report', '--store', 'runs.sqlite'], { cwd, env: { KUBECONFIG: `${kubeconfig}:/nonexistent/other` } });
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as ScanJson).clusters.map((c) => c.cluster)).toEqual(['kind-dev']);
    expect(existsSync(join(cwd, 'runs.sqlite'))).toBe(true);
    expect(existsSync(join(cwd, 'complyd.sqlite'))).toBe(false);
  });

  it('refuses an unknown context, a missing kubeconfig, and no configuration at all, with exit 2', async () => {
    const cwd = mkdtempSync(join(dir, 'bad-'));
    const unknown = await runCli(['scan', '--kubeconfig', kubeconfig, '--context', 'staging'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--context: not in .*kubeconfig\.yaml: staging \(contexts: Prod\/EU, kind-dev\)/);
    const missing = await runCli(['scan', '--kubeconfig', join(cwd, 'nope.yaml')], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: cannot read kubeconfig: file not found/);
    const broken = join(cwd, 'broken.yaml');
    writeFileSync(broken, 'contexts: {a: 1}\n');
    const bad = await runCli(['scan', '--kubeconfig', broken], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.yaml: contexts: must be a list/);
    const none = await runCli(['scan'], { cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/complyd\.yaml does not exist.*-c FILE.*--kubeconfig/s);
  });

  it('runs only the chosen controls, records the selection, and counts only the chosen severities', async () => {
    const cwd = mkdtempSync(join(dir, 'select-'));
    const base = ['scan', '--kubeconfig', kubeconfig, '-o', 'json', '--no-report'];
    const res = await runCli([...base, '--control', 'PSS-*', '--skip-control', 'PSS-privileged'], { cwd });
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as ScanJson;
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(cwd, 'complyd.sqlite') }));
    try {
      expect((await store.history.getRun(out.runId))?.trigger).toBe('cli (controls PSS-*; skipping PSS-privileged)');
      const controls = new Set((await store.history.controlResults(out.runId)).map((r) => r.controlId));
      expect(controls.size).toBeGreaterThan(3);
      expect([...controls].every((id) => id.startsWith('PSS-') && id !== 'PSS-privileged')).toBe(true);
    } finally {
      await store.close();
    }
    const all = JSON.parse((await runCli(base, { cwd })).stdout) as ScanJson;
    const critical = JSON.parse((await runCli([...base, '--severity', 'critical'], { cwd })).stdout) as ScanJson;
    expect(critical.severities).toEqual(['critical']);
    const fails = (r: ScanJson) => r.clusters[0]?.findingCounts.fail ?? 0;
    // The privileged deployments fail a critical control; other severities fail too, and drop out.
    expect(fails(critical)).toBeGreaterThan(0);
    expect(fails(critical)).toBeLessThan(fails(all));
    const unknown = await runCli([...base, '--control', 'CIS-99.*,PSS-privileged', '--skip-control', 'NOPE-1'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no control matches --control CIS-99\.\*, --skip-control NOPE-1/);
    const badSeverity = await runCli([...base, '--severity', 'urgent'], { cwd });
    expect(badSeverity.code).toBe(2);
    expect(badSeverity.stderr).toMatch(/--severity: unknown severity urgent/);
  });

  it('keeps only the selected namespaces, says so in the run, and leaves the others\' open findings open', async () => {
    const cwd = mkdtempSync(join(dir, 'ns-'));
    const base = ['scan', '--kubeconfig', kubeconfig, '-o', 'json', '--no-report'];
    const full = JSON.parse((await runCli(base, { cwd })).stdout) as ScanJson;
    const res = await runCli([...base, '--exclude-namespaces', 'bat*'], { cwd });
    expect(res.code).toBe(0);
    const cut = JSON.parse(res.stdout) as ScanJson & { clusters: Array<{ namespaces?: unknown }> };
    expect(cut.clusters[0]?.namespaces).toEqual({ exclude: ['bat*'] });
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(cwd, 'complyd.sqlite') }));
    try {
      expect((await store.history.getRun(cut.runId))?.trigger).toBe('cli (namespaces exclude bat*)');
      const namespaces = (id: string) => store.history.findings(id).then((fs) => new Set(fs.map((f) => f.resource.namespace ?? (f.resource.kind === 'Namespace' ? f.resource.name : '-'))));
      expect(await namespaces(full.runId)).toContain('batch');
      const kept = await namespaces(cut.runId);
      expect(kept).toContain('shop');
      expect(kept).not.toContain('batch');
      // Cluster-scoped verdicts are still judged and kept.
      expect((await store.history.findings(cut.runId)).some((f) => f.resource.namespace === undefined && f.resource.kind !== 'Namespace')).toBe(true);
      // The batch failures of the full scan stay open (not observed), not resolved as gone.
      const open = await store.history.openEpisodes({ cluster: 'kind-dev' });
      const batch = open.filter((e) => e.resource.namespace === 'batch' && e.controlId === 'PSS-privileged');
      expect(batch).toHaveLength(1);
      expect(batch[0]?.seen).toBe(false);
      expect(batch[0]?.resolved).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('takes the configuration\'s namespaces, a cluster\'s own replacing the top-level ones', async () => {
    const cwd = mkdtempSync(join(dir, 'ns-config-'));
    writeFileSync(
      join(cwd, 'complyd.yaml'),
      `namespaces: { include: [shop] }
clusters:
  - name: a
    kubeconfig: ${kubeconfig}
    context: kind-dev
  - name: b
    kubeconfig: ${kubeconfig}
    context: Prod/EU
    namespaces: { exclude: [shop] }
`,
    );
    const res = await runCli(['scan', '-o', 'json', '--no-report'], { cwd });
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as ScanJson;
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(cwd, 'complyd.sqlite') }));
    try {
      expect((await store.history.getRun(out.runId))?.trigger).toBe('cli (namespaces a: include shop, b: exclude shop)');
      const names = async (cluster: string) => new Set((await store.history.findings(out.runId, { cluster })).filter((f) => f.resource.kind === 'Deployment').map((f) => f.resource.name));
      expect([...(await names('a'))]).toEqual(['cart']);
      expect([...(await names('b'))]).toEqual(['nightly']);
    } finally {
      await store.close();
    }
    const bad = join(cwd, 'bad.yaml');
    writeFileSync(bad, `namespaces: { include: [], exclud: [x] }\nclusters:\n  - name: a\n    kubeconfig: k\n    namespaces: { include: [1] }\n`);
    const refused = await runCli(['scan', '-c', bad], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/namespaces: unknown key "exclud"/);
    expect(refused.stderr).toMatch(/clusters\[0\]\.namespaces\.include\[0\]: /);
  });
});
