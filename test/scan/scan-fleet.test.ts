import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { collectCluster } from '../../src/collect/collector.js';
import { CONTROLS } from '../../src/controls/index.js';
import { silentLogger } from '../../src/core/log.js';
import type { ClusterTarget } from '../../src/core/types.js';
import { scanFleet, type ScanFleetDeps } from '../../src/scan/scan-fleet.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';

const LEAK = 'TOP-SECRET-VALUE-DO-NOT-STORE';

function workload(ns: string, name: string, privileged: boolean): ApiObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { template: { spec: { containers: [{ name: 'app', image: 'app:1', securityContext: { privileged } }] } } },
  };
}

const objects = (prefix: string): ApiObject[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: `${prefix}-node` }, spec: {}, status: {} },
  workload('apps', `${prefix}-good`, false),
  workload('apps', `${prefix}-bad`, true),
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'apps' }, type: 'Opaque', stringData: { v: LEAK }, data: { v: Buffer.from(LEAK).toString('base64') } },
];

describeEachDatabase('scanFleet', (db) => {
  let a: FakeApiServer;
  let b: FakeApiServer;
  let dir: string;
  let targets: ClusterTarget[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-scan-'));
    a = await startFakeApiServer({ objects: objects('a'), tokens: { t: 'scanner' } });
    b = await startFakeApiServer({ objects: objects('b'), tokens: { t: 'scanner' }, pki: a.pki, faults: { secrets: { forbidden: true } } });
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    targets = [
      { name: 'alpha', kubeconfig: write('a.yaml', a.kubeconfig({ user: 'scanner', token: 't' })), labels: { env: 'prod' }, configPath: 'clusters[0]' },
      { name: 'beta', kubeconfig: write('b.yaml', b.kubeconfig({ user: 'scanner', token: 't' })), labels: { env: 'staging' }, configPath: 'clusters[1]' },
      { name: 'gamma', kubeconfig: write('broken.yaml', 'this: [is not a kubeconfig'), labels: {}, configPath: 'clusters[2]' },
      { name: 'delta', kubeconfig: write('closed.yaml', a.kubeconfig({ user: 'scanner', token: 't', server: 'https://127.0.0.1:9' })), labels: {}, configPath: 'clusters[3]' },
    ];
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const deps = (store: RunStore): ScanFleetDeps => ({
    store: store.runs,
    controls: CONTROLS,
    collect: (t) => collectCluster(t, { pageSize: 2, requestTimeoutMs: 5000, clusterTimeoutMs: 20_000, now: () => new Date(), log: silentLogger() }),
    now: () => new Date(),
    log: silentLogger(),
    catalogVersion: 'test',
    complydVersion: '0.0.0-test',
    owner: 'test:1',
  });

  it('records every cluster; broken ones fail alone, partial ones say what is missing', async () => {
    const cfg = await db.fresh();
    const store = knexRunStore(await openDatabase(cfg));
    try {
      const result = await scanFleet(targets, deps(store), { trigger: 'test', concurrency: 2 });
      expect(result.status).toBe('partial');
      expect(result.clusters.map((c) => [c.cluster, c.status])).toEqual([
        ['alpha', 'complete'],
        ['beta', 'partial'],
        ['gamma', 'failed'],
        ['delta', 'failed'],
      ]);
      const byName = new Map((await store.history.clusterResults(result.runId)).map((c) => [c.cluster, c]));
      expect(byName.get('gamma')?.error).toMatch(/^clusters\[2\]\.kubeconfig: cannot parse /);
      expect(byName.get('delta')?.error).toMatch(/ECONNREFUSED/);
      expect(byName.get('alpha')?.snapshotHash).toMatch(/^[0-9a-f]{64}$/);
      expect((await store.history.gaps(result.runId)).map((g) => [g.cluster, g.evidence, g.reason])).toEqual([['beta', 'secrets', 'forbidden']]);

      // The privileged deployment fails in both assessed clusters, with its evidence.
      const failures = await store.history.findings(result.runId, { controlId: 'PSS-privileged', status: 'fail' });
      expect(failures.map((f) => `${f.cluster}/${f.resource.name}`).sort()).toEqual(['alpha/a-bad', 'beta/b-bad']);
      expect(failures[0]?.evidence).toEqual({ path: 'spec.template.spec.containers[app].securityContext.privileged', observed: 'true', expected: 'false or unset' });
      const run = await store.history.getRun(result.runId);
      expect(run).toMatchObject({ status: 'partial', clusterCount: 4, trigger: 'test' });
    } finally {
      await store.close();
    }
    if (cfg.kind === 'sqlite') {
      // No Secret value reaches the store, in the database or its WAL.
      for (const f of readdirSync(dirname(cfg.path))) expect(readFileSync(join(dirname(cfg.path), f)).includes(LEAK)).toBe(false);
    }
  });

  it('stops starting clusters once aborted and records the run as interrupted', async () => {
    const store = knexRunStore(await openDatabase(await db.fresh()));
    try {
      const ac = new AbortController();
      ac.abort();
      const result = await scanFleet(targets, deps(store), { trigger: 'test', concurrency: 1, signal: ac.signal });
      expect(result.status).toBe('interrupted');
      expect(result.clusters).toEqual([]);
      expect((await store.history.getRun(result.runId))?.status).toBe('interrupted');
      expect(await store.history.latestRun()).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
