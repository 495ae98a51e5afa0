/**
 * The fault matrix: one fleet scan in which every cluster but two is broken in its own way,
 * each by the project's fake API server. Per fault, the cluster's status, its gap (reason and
 * message) or its error; the two healthy clusters are read whole whatever the others do.
 * Then the HTML-200 endpoint end to end through the `complyd scan` command: not assessed, exit
 * status 3, SARIF executionSuccessful false, a JUnit error.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientCertificate, createServerPki } from '../../src/demo/certs.js';
import { startFakeApiServer, type ApiObject, type FakeApiServer, type Fault, type KubeconfigOptions, type KubeletBehaviour } from '../../src/demo/fake-apiserver.js';
import { collectCluster, type CollectOptions } from '../../src/collect/collector.js';
import { abortableSleep, type RetryPolicy } from '../../src/collect/retry.js';
import { CONTROLS } from '../../src/controls/index.js';
import { silentLogger } from '../../src/core/log.js';
import type { ClusterScanStatus, ClusterTarget, GapReason } from '../../src/core/types.js';
import { scanFleet, type ClusterSummary } from '../../src/scan/scan-fleet.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { runCli } from '../helpers/cli.js';

const USER = 'scanner';
const TOKEN = 'scanner-token';

function fleetObjects(): ApiObject[] {
  const objs: ApiObject[] = [];
  for (const ns of ['shop', 'web']) objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const n of ['node-1', 'node-2']) objs.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: n }, spec: {}, status: {} });
  for (let i = 0; i < 12; i++) {
    objs.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: i % 2 ? 'shop' : 'web' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } });
  }
  objs.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'web' },
    spec: { template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
  });
  objs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'web' }, spec: { type: 'ClusterIP' } });
  objs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'web' }, rules: [] });
  objs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, type: 'Opaque', data: { password: 'c2VjcmV0' } });
  return objs;
}

/** What one cluster of the matrix is and what its scan must say. */
interface Case {
  name: string;
  faults?: Record<string, Fault>;
  kubelets?: Record<string, KubeletBehaviour>;
  kubeconfig?: (server: FakeApiServer) => KubeconfigOptions;
  collect?: Partial<CollectOptions>;
  /** Really wait between tries (the others skip the waits, recording them). */
  realWaits?: boolean;
  status: ClusterScanStatus;
  gap?: { evidence: string; reason: GapReason; message: RegExp };
  error?: RegExp;
  /** Waits the retries asked for, in ms, that must be among those recorded. */
  waits?: number[];
}

const MiB = 2 ** 20;
const CASES: Case[] = [
  { name: 'healthy-a', status: 'complete' },
  {
    name: 'oversized',
    faults: { pods: { oversizeBytes: 3 * MiB } },
    collect: { maxResponseBytes: MiB },
    status: 'partial',
    gap: { evidence: 'pods', reason: 'limit', message: /^list pods: page 1 is larger than 1 MiB \(collect\.maxResponseSize\); the list is not kept$/ },
  },
  {
    name: 'endless-continue',
    faults: { services: { endlessContinue: true } },
    collect: { maxPages: 20 },
    status: 'partial',
    gap: { evidence: 'services', reason: 'limit', message: /^list services: still not finished after 20 pages of 5 \(collect\.maxPages\)/ },
  },
  { name: 'html-everywhere', faults: { '*': { broken: 'html' } }, status: 'failed', error: /GET \/version: not a Kubernetes API server: content type "text\/html; charset=utf-8"/ },
  {
    name: 'wrong-content-type',
    faults: { pods: { broken: 'contentType' } },
    status: 'failed',
    error: /not a Kubernetes API server's answer: list pods: page 1 is not a Kubernetes list: content type "text\/plain; charset=utf-8"/,
  },
  { name: 'wrong-kind', faults: { deployments: { broken: 'wrongKind' } }, status: 'failed', error: /list deployments: page 1 is not a Kubernetes list: kind "Table"/ },
  {
    name: 'truncated-json',
    faults: { roles: { broken: 'malformed' } },
    status: 'partial',
    gap: { evidence: 'roles', reason: 'malformed', message: /^list roles: page 1 is not valid JSON/ },
  },
  { name: 'throttled-recovers', faults: { '*': { throttle: { retryAfter: '2' }, times: 3 } }, status: 'complete', waits: [2000] },
  {
    name: 'throttled-forever',
    faults: { '*': { throttle: { retryAfter: '30' } } },
    realWaits: true,
    collect: { clusterTimeoutMs: 2500 },
    status: 'failed',
    error: /GET \/version: cancelled: the cluster deadline \(collect\.clusterTimeout\) was reached while waiting to try again after 1 attempt \(last: HTTP 429\)/,
  },
  { name: '5xx-burst', faults: { pods: { serverError: 503, times: 2 } }, status: 'complete', waits: [1000] },
  {
    name: '5xx-persistent',
    faults: { pods: { serverError: 502 } },
    status: 'partial',
    gap: { evidence: 'pods', reason: 'server-error', message: /^list pods: HTTP 502: Bad Gateway \(after 4 attempts\)$/ },
  },
  { name: 'reset-recovers', faults: { deployments: { broken: 'reset', times: 1 } }, status: 'complete' },
  {
    name: 'reset-persistent',
    faults: { deployments: { broken: 'reset' } },
    status: 'partial',
    gap: { evidence: 'deployments', reason: 'server-error', message: /^list deployments: response broke off.*\(after 4 attempts\)$/ },
  },
  {
    name: 'expired-client-cert',
    kubeconfig: (s) => ({ user: USER, clientCert: createClientCertificate(s.pki.ca, { user: USER, days: -1 }) }),
    status: 'failed',
    error: /GET \/version: HTTP 401: Unauthorized/,
  },
  { name: 'unauthorized', kubeconfig: () => ({ user: USER, token: 'not-a-known-token' }), status: 'failed', error: /HTTP 401: Unauthorized/ },
  {
    name: 'forbidden',
    faults: { secrets: { forbidden: true } },
    status: 'partial',
    gap: { evidence: 'secrets', reason: 'forbidden', message: /^list secrets: HTTP 403: secrets is forbidden: User "scanner" cannot list resource "secrets"/ },
  },
  {
    name: 'expired-twice',
    faults: { pods: { expireContinue: true } },
    status: 'partial',
    gap: { evidence: 'pods', reason: 'expired', message: /^list pods: HTTP 410: The provided continue parameter is too old/ },
  },
  { name: 'hang', faults: { '*': { delayMs: 60_000 } }, collect: { clusterTimeoutMs: 2500 }, status: 'failed', error: /GET \/version: cancelled: the cluster deadline/ },
  { name: 'refused', kubeconfig: () => ({ user: USER, token: TOKEN, server: `https://127.0.0.1:${closedPort}` }), status: 'failed', error: /ECONNREFUSED/ },
  {
    name: 'tls-unverified',
    kubeconfig: () => ({ user: USER, token: TOKEN, caPem: null, insecureSkipTlsVerify: true }),
    status: 'partial',
    gap: { evidence: 'apiServerIdentity', reason: 'tls-unverified', message: /was read with TLS verification off \(insecure-skip-tls-verify: true in the kubeconfig\)/ },
  },
  {
    name: 'kubelet-unreachable',
    kubelets: { 'node-1': 'unreachable' },
    status: 'partial',
    gap: { evidence: 'kubelets/node-1', reason: 'server-error', message: /^GET nodes\/node-1\/proxy\/configz: HTTP 503/ },
  },
  { name: 'healthy-b', status: 'complete' },
];

let closedPort = 0;

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('fault matrix: every broken cluster is that cluster\'s result, the healthy ones are intact', () => {
  const servers = new Map<string, FakeApiServer>();
  const waits = new Map<string, number[]>();
  let dir: string;
  let targets: ClusterTarget[];
  let clusters: ClusterSummary[];
  const expectedObjects = fleetObjects().filter((o) => o.kind === 'Pod').length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-faults-'));
    closedPort = await freePort();
    const pki = createServerPki('fault-matrix-ca');
    for (const c of CASES) {
      servers.set(c.name, await startFakeApiServer({ objects: fleetObjects(), tokens: { [TOKEN]: USER }, pki, faults: c.faults ?? {}, kubelets: c.kubelets ?? {}, uidSeed: c.name }));
    }
    targets = CASES.map((c, i) => {
      const server = servers.get(c.name) as FakeApiServer;
      const kubeconfig = join(dir, `${c.name}.yaml`);
      writeFileSync(kubeconfig, server.kubeconfig(c.kubeconfig?.(server) ?? { user: USER, token: TOKEN }));
      return { name: c.name, kubeconfig, labels: {}, configPath: `clusters[${i}]` };
    });

    const retry = (c: Case): Partial<RetryPolicy> => {
      const seen: number[] = [];
      waits.set(c.name, seen);
      if (c.realWaits) return {};
      // Record what would be waited and go on at once: no test waits real seconds.
      return { random: () => 0.5, sleep: (ms, signal) => (seen.push(ms), abortableSleep(0, signal)) };
    };
    const db = await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') });
    const store = knexRunStore(db);
    try {
      const byName = new Map(CASES.map((c) => [c.name, c]));
      const result = await scanFleet(
        targets,
        {
          store: store.runs,
          controls: CONTROLS,
          collect: (t) => {
            const c = byName.get(t.name) as Case;
            return collectCluster(t, {
              pageSize: 5,
              requestTimeoutMs: 10_000,
              clusterTimeoutMs: 30_000,
              now: () => new Date(),
              log: silentLogger(),
              retry: retry(c),
              ...c.collect,
            });
          },
          now: () => new Date(),
          log: silentLogger(),
          catalogVersion: 'test',
          complydVersion: '0.0.0-test',
          owner: 'test:1',
        },
        { trigger: 'fault-matrix', concurrency: 8 },
      );
      clusters = result.clusters;
      expect(result.status).toBe('partial');
    } finally {
      await store.close();
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of servers.values()) await s.close();
  });

  test('every cluster of the fleet is recorded, in order', () => {
    expect(clusters.map((c) => c.cluster)).toEqual(CASES.map((c) => c.name));
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const scan = clusters.find((x) => x.cluster === c.name);
    expect(scan).toBeDefined();
    if (!scan) return;
    expect({ status: scan.status, error: scan.error }).toMatchObject({ status: c.status });
    if (c.error) expect(scan.error).toMatch(c.error);
    else expect(scan.error).toBeUndefined();
    if (c.gap) {
      // Without pods, the control plane's mirror pods are unknown too: that gap follows.
      expect(scan.gaps.map((g) => g.evidence)).toEqual(c.gap.evidence === 'pods' ? ['pods', 'controlPlane'] : [c.gap.evidence]);
      expect(scan.gaps[0]).toMatchObject({ evidence: c.gap.evidence, reason: c.gap.reason });
      expect(scan.gaps[0]?.message).toMatch(c.gap.message);
    } else expect(scan.gaps).toEqual([]);
    if (c.status === 'failed') {
      expect(scan.objectCounts).toEqual({});
    } else {
      // What was not refused was read whole.
      const fullyRead = c.gap?.evidence === 'pods' ? undefined : expectedObjects;
      expect(scan.objectCounts.pods).toBe(fullyRead);
      expect(scan.objectCounts.namespaces).toBe(2);
    }
    for (const w of c.waits ?? []) expect(waits.get(c.name)).toContain(w);
  });

  test('a retried cluster asked again and again read everything; a list that never ends stopped at its bound', () => {
    const burst = servers.get('5xx-burst')?.requests.filter((r) => r.path === '/api/v1/pods') ?? [];
    expect(burst.map((r) => r.status).slice(0, 3)).toEqual([503, 503, 200]);
    const persistent = servers.get('5xx-persistent')?.requests.filter((r) => r.path === '/api/v1/pods') ?? [];
    expect(persistent.map((r) => r.status)).toEqual([502, 502, 502, 502]);
    const endless = servers.get('endless-continue')?.requests.filter((r) => r.path === '/api/v1/services') ?? [];
    expect(endless).toHaveLength(20);
    // A kubelet the API server cannot dial is asked once: a 503 there does not pass in seconds.
    const configz = servers.get('kubelet-unreachable')?.requests.filter((r) => r.path === '/api/v1/nodes/node-1/proxy/configz') ?? [];
    expect(configz.map((r) => r.status)).toEqual([503]);
    // The oversized page was cut off: the server could not send it whole.
    const oversized = servers.get('oversized')?.requests.filter((r) => r.path === '/api/v1/pods') ?? [];
    expect(oversized).toHaveLength(1);
  });
});

describe('an endpoint answering HTML 200 for every URL, through `complyd scan`', () => {
  let html: FakeApiServer;
  let healthy: FakeApiServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-html-'));
    const pki = createServerPki('html-ca');
    html = await startFakeApiServer({ objects: fleetObjects(), tokens: { [TOKEN]: USER }, pki, faults: { '*': { broken: 'html' } } });
    healthy = await startFakeApiServer({ objects: fleetObjects(), tokens: { [TOKEN]: USER }, pki });
  });
  afterAll(async () => {
    await html.close();
    await healthy.close();
  });

  test('is not assessed: exit status 3, SARIF executionSuccessful false, a JUnit error', async () => {
    writeFileSync(join(dir, 'portal.yaml'), html.kubeconfig({ user: USER, token: TOKEN }));
    writeFileSync(join(dir, 'good.yaml'), healthy.kubeconfig({ user: USER, token: TOKEN }));
    writeFileSync(
      join(dir, 'complyd.yaml'),
      [
        'clusters:',
        '  - { name: portal, kubeconfig: portal.yaml }',
        '  - { name: good, kubeconfig: good.yaml }',
        'storage: { sqlite: complyd.sqlite }',
        'output: { dir: out, formats: [sarif, junit, json] }',
        'collect: { requestTimeout: 10s, clusterTimeout: 60s, pageSize: 5 }',
        'log: { level: silent }',
        '',
      ].join('\n'),
    );
    const res = await runCli(['scan', '-c', join(dir, 'complyd.yaml')], { cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(/portal\s+failed/);
    expect(res.stdout).toMatch(/good\s+complete/);

    const files = readdirSync(join(dir, 'out'));
    const read = (ext: string): string => readFileSync(join(dir, 'out', files.find((f) => f.endsWith(ext)) ?? 'missing'), 'utf8');
    const sarif = JSON.parse(read('.sarif')) as { runs: Array<{ automationDetails: { id: string }; invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ message: { text: string } }> }> }> };
    const run = (cluster: string) => sarif.runs.find((r) => r.automationDetails.id.includes(`/${cluster}/`));
    expect(run('portal')?.invocations[0]?.executionSuccessful).toBe(false);
    expect(run('portal')?.invocations[0]?.toolExecutionNotifications[0]?.message.text).toMatch(/was not assessed: .*not a Kubernetes API server/);
    expect(run('good')?.invocations[0]?.executionSuccessful).toBe(true);
    expect(read('.junit.xml')).toMatch(/<testsuite name="portal"[^>]*errors="1"[\s\S]*cluster not assessed: [^"]*not a Kubernetes API server/);
    const json = JSON.parse(read('.json')) as { clusters: Array<{ name: string; status: string; error?: string }> };
    expect(json.clusters.find((c) => c.name === 'portal')).toMatchObject({ status: 'failed', error: expect.stringContaining('not a Kubernetes API server') });
  }, 90_000);
});
