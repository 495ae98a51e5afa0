import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { collectCluster, type CollectOptions } from '../../src/collect/collector.js';
import { ClusterAccessError } from '../../src/core/errors.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { silentLogger } from '../../src/core/log.js';
import type { ClusterTarget } from '../../src/core/types.js';

const SECRET_VALUE = 'c3VwZXItc2VjcmV0LXZhbHVl'; // base64 of a value that must never be collected
const KUBECONFIG_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.kube-proxy-token'; // in a ConfigMap's kubeconfig key: never kept
const PROXY_CONFIG = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\n';

function pod(ns: string, name: string, extra: Record<string, unknown> = {}): ApiObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name }, managedFields: [{ manager: 'kubectl' }] },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    status: { phase: 'Running', podIP: '10.0.0.1' },
    ...extra,
  };
}

const OBJECTS: ApiObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: {}, status: { nodeInfo: { kubeletVersion: 'v1.31.4' } } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' }, spec: {}, status: { nodeInfo: { kubeletVersion: 'v1.31.4' } } },
  ...Array.from({ length: 23 }, (_, i) => pod('shop', `web-${i}`)),
  pod('kube-system', 'kube-apiserver-cp-1', {
    metadata: {
      name: 'kube-apiserver-cp-1',
      namespace: 'kube-system',
      labels: { component: 'kube-apiserver', tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.mirror': 'abc' },
    },
    spec: { nodeName: 'cp-1', containers: [{ name: 'kube-apiserver', command: ['kube-apiserver', '--authorization-mode=Node,RBAC', '--anonymous-auth=false'] }] },
  }),
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, type: 'Opaque', data: { password: SECRET_VALUE } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-proxy', namespace: 'kube-system' },
    data: { 'config.conf': PROXY_CONFIG, 'kubeconfig.conf': `apiVersion: v1\nkind: Config\nusers:\n- name: default\n  user:\n    token: ${KUBECONFIG_TOKEN}\n` },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
    spec: { template: { spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.31.4', command: ['kube-proxy', '--config=/var/lib/kube-proxy/config.conf'] }] } } },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: '.:53 { forward . /etc/resolv.conf }' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'shop' }, data: { 'config.conf': PROXY_CONFIG } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  },
];

describe('collectCluster through @kubernetes/client-node against a fake API server', () => {
  let server: FakeApiServer;
  let dir: string;

  const target = (kubeconfig: string, extra: Partial<ClusterTarget> = {}): ClusterTarget => {
    const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(path, kubeconfig);
    return { name: 'shop-prod', kubeconfig: path, labels: { env: 'prod' }, configPath: 'clusters[0]', ...extra };
  };
  const opts = (extra: Partial<CollectOptions> = {}): CollectOptions => ({
    pageSize: 10,
    requestTimeoutMs: 5000,
    clusterTimeoutMs: 20_000,
    now: () => new Date('2026-11-01T12:00:00Z'),
    log: silentLogger(),
    ...extra,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-collect-'));
    server = await startFakeApiServer({
      objects: OBJECTS,
      tokens: { 'good-token': 'system:serviceaccount:complyd:scanner' },
      kubelets: { 'worker-1': 'disabled' },
    });
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.clearFaults();
    server.clearRequests();
  });

  it('collects every resource, paging with limit/continue, and normalizes objects', async () => {
    const snap = await collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
    expect(snap.cluster).toBe('shop-prod');
    expect(snap.serverVersion?.gitVersion).toMatch(/^v1\.\d+/);
    expect(snap.objects.pods).toHaveLength(24);
    expect(snap.objects.namespaces?.map((n) => n.metadata.name).sort()).toEqual(['kube-system', 'shop']);
    expect(snap.objects.deployments?.[0]).toMatchObject({ kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } });
    // 24 pods in pages of 10: three requests, the later ones carrying a continue token.
    const podPages = server.requests.filter((r) => r.path === '/api/v1/pods');
    expect(podPages.map((r) => r.query.limit)).toEqual(['10', '10', '10']);
    expect(podPages.filter((r) => r.query.continue).length).toBe(2);
    // Only what controls need: no managedFields, no pod status.
    const web0 = snap.objects.pods?.find((p) => p.metadata.name === 'web-0');
    expect(web0).toBeDefined();
    expect(JSON.stringify(web0)).not.toContain('managedFields');
    expect(web0?.status).toBeUndefined();
  });

  it('lists Secrets as metadata only: no value ever enters the snapshot', async () => {
    const snap = await collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
    expect(snap.objects.secrets?.map((s) => s.metadata.name)).toEqual(['db']);
    expect(JSON.stringify(snap)).not.toContain(SECRET_VALUE);
    const secretReq = server.requests.find((r) => r.path === '/api/v1/secrets');
    expect(secretReq?.accept).toContain('as=PartialObjectMetadataList');
  });

  it('reads control-plane flags from mirror pods and kubelet configs from configz, with gaps where they fail', async () => {
    const snap = await collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
    expect(snap.controlPlane).toEqual([
      expect.objectContaining({ component: 'kube-apiserver', pod: 'kube-apiserver-cp-1', node: 'cp-1', containers: [expect.objectContaining({ argv: ['kube-apiserver', '--authorization-mode=Node,RBAC', '--anonymous-auth=false'] })] }),
    ]);
    expect(snap.provider).toBe('kubeadm');
    expect(snap.kubelets.find((k) => k.node === 'cp-1')?.config).toEqual(expect.objectContaining({ authentication: expect.any(Object) }));
    expect(snap.kubelets.find((k) => k.node === 'worker-1')?.config).toBeUndefined();
    expect(snap.gaps).toEqual([{ evidence: 'kubelets/worker-1', reason: 'method-not-allowed', message: expect.stringContaining('Debug endpoints are disabled') }]);
  });

  it("keeps kube-proxy's configuration from its kube-system ConfigMap, and of every ConfigMap only key names and lengths", async () => {
    const snap = await collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
    expect(snap.kubeProxyConfigs).toEqual([{ namespace: 'kube-system', configMap: 'kube-proxy', key: 'config.conf', text: PROXY_CONFIG }]);
    const json = JSON.stringify(snap);
    expect(json).not.toContain(KUBECONFIG_TOKEN);
    expect(json).not.toContain('forward . /etc/resolv.conf');
    expect(snap.objects.configmaps?.map((c) => [c.metadata.namespace, c.metadata.name, c.dataKeys?.map((k) => `${k.key}:${k.length}`)])).toEqual([
      ['kube-system', 'coredns', ['Corefile:35']],
      ['kube-system', 'kube-proxy', [`config.conf:${PROXY_CONFIG.length}`, expect.stringMatching(/^kubeconfig\.conf:\d+$/)]],
      ['shop', 'kube-proxy', [`config.conf:${PROXY_CONFIG.length}`]],
    ]);
    expect(server.requests.filter((r) => r.path.includes('configmaps')).map((r) => r.path).sort()).toEqual(['/api/v1/configmaps', '/api/v1/namespaces/kube-system/configmaps']);

    // Refused: a gap for the ConfigMaps (their control is then unknown) and for kube-proxy's file.
    server.setFault('configmaps', { forbidden: true });
    const denied = await collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
    expect(denied.kubeProxyConfigs).toBeUndefined();
    expect(denied.objects.configmaps).toBeUndefined();
    expect(denied.gaps).toContainEqual({ evidence: 'kubeProxyConfig', reason: 'forbidden', message: expect.stringContaining('list configmaps in kube-system: HTTP 403') });
    expect(denied.gaps).toContainEqual({ evidence: 'configmaps', reason: 'forbidden', message: expect.stringContaining('list configmaps: HTTP 403') });
    // ...so the control that judges ConfigMaps is unknown there, never a pass.
    const judged = evaluate(denied, CONTROLS.filter((c) => c.id === 'HARD-configmap-literal-credentials'), new Date());
    expect(judged.map((f) => f.status)).toEqual(['unknown']);
    expect(denied.objects.pods).toHaveLength(24);
  });

  it("does not ask for kube-system's ConfigMaps where no kube-proxy DaemonSet runs (no request, no gap)", async () => {
    const bare = await startFakeApiServer({ objects: OBJECTS.filter((o) => o.kind !== 'DaemonSet'), tokens: { 'good-token': 'scanner' } });
    try {
      const snap = await collectCluster(target(bare.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
      expect(snap.kubeProxyConfigs).toBeUndefined();
      expect(snap.gaps.filter((g) => g.evidence === 'kubeProxyConfig')).toEqual([]);
      expect(bare.requests.some((r) => r.path.includes('namespaces/kube-system/configmaps'))).toBe(false);
    } finally {
      await bare.close();
    }
  });

  it('records a 403 on one resource as a gap and still collects the rest', async () => {
    server.setFault('secrets', { forbidden: true });
    server.setFault('deployments', { broken: 'malformed' });
    const snap = await collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
    expect(snap.objects.secrets).toBeUndefined();
    expect(snap.objects.deployments).toBeUndefined();
    expect(snap.objects.pods).toHaveLength(24);
    expect(snap.gaps).toEqual(
      expect.arrayContaining([
        { evidence: 'secrets', reason: 'forbidden', message: expect.stringMatching(/list secrets: HTTP 403: secrets is forbidden: User "system:serviceaccount:complyd:scanner" cannot list/) },
        { evidence: 'deployments', reason: 'malformed', message: expect.stringContaining('not valid JSON') },
      ]),
    );
  });

  it('restarts a list whose continue token expired, and reports a second expiry', async () => {
    server.setFault('pods', { delayMs: 100 });
    const pending = collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
    while (!server.requests.some((r) => r.path === '/api/v1/pods' && r.status === 200)) await new Promise((r) => setTimeout(r, 5));
    server.compact(); // an etcd compaction: the token of the first page is now too old
    const snap = await pending;
    expect(snap.objects.pods).toHaveLength(24);
    const podRequests = server.requests.filter((r) => r.path === '/api/v1/pods');
    expect(podRequests.some((r) => r.status === 410)).toBe(true);
    expect(snap.gaps.filter((g) => g.evidence === 'pods')).toEqual([]);

    server.setFault('pods', { expireContinue: true });
    const snap2 = await collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts());
    expect(snap2.objects.pods).toBeUndefined();
    expect(snap2.gaps).toContainEqual({ evidence: 'pods', reason: 'expired', message: expect.stringContaining('continue parameter is too old') });
    expect(snap2.gaps).toContainEqual(expect.objectContaining({ evidence: 'controlPlane' }));
  });

  it('authenticates with a client certificate', async () => {
    const snap = await collectCluster(target(server.kubeconfig({ user: 'auditor', clientCert: true })), opts());
    expect(snap.objects.nodes).toHaveLength(2);
    expect(server.requests.at(-1)?.user).toBe('auditor');
  });

  it('authenticates through an exec credential plugin, as cloud kubeconfigs do', async () => {
    const plugin = join(dir, 'credential-plugin.mjs');
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'good-token' } }));`,
    );
    const kubeconfig = `apiVersion: v1
kind: Config
clusters:
  - name: exec-cluster
    cluster:
      server: ${server.url}
      certificate-authority-data: ${Buffer.from(server.caPem).toString('base64')}
users:
  - name: exec-user
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: ${process.execPath}
        args: [${plugin}]
        interactiveMode: Never
contexts:
  - name: exec
    context: { cluster: exec-cluster, user: exec-user }
current-context: exec
`;
    const snap = await collectCluster(target(kubeconfig), opts());
    expect(snap.objects.nodes).toHaveLength(2);
    expect(server.requests.at(-1)?.user).toBe('system:serviceaccount:complyd:scanner');
  });

  it('fails the cluster as a whole on a wrong token (401) or an unreachable server', async () => {
    await expect(collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'wrong' })), opts())).rejects.toThrow(
      expect.objectContaining({ name: 'ClusterAccessError', reason: 'unauthorized', message: expect.stringContaining('HTTP 401: Unauthorized') }),
    );
    const closed = server.kubeconfig({ user: 'scanner', token: 'good-token', server: 'https://127.0.0.1:9' });
    const err = await collectCluster(target(closed), opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterAccessError);
    expect(err).toMatchObject({ reason: 'unreachable', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses a server whose certificate is not signed by the kubeconfig CA', async () => {
    const other = await startFakeApiServer({ objects: [] });
    try {
      const kc = server.kubeconfig({ user: 'scanner', token: 'good-token', caPem: other.caPem });
      await expect(collectCluster(target(kc), opts())).rejects.toMatchObject({ reason: 'tls' });
    } finally {
      await other.close();
    }
  });

  it('turns a slow resource into a timeout gap without losing the others', async () => {
    server.setFault('roles', { delayMs: 3000 });
    const snap = await collectCluster(target(server.kubeconfig({ user: 'scanner', token: 'good-token' })), opts({ requestTimeoutMs: 300 }));
    expect(snap.gaps).toContainEqual({ evidence: 'roles', reason: 'timeout', message: expect.stringContaining('no answer') });
    expect(snap.objects.pods).toHaveLength(24);
  });

  it('names the config key and file for broken kubeconfigs', async () => {
    const missing: ClusterTarget = { name: 'x', kubeconfig: join(dir, 'absent.yaml'), labels: {}, configPath: 'clusters[3]' };
    await expect(collectCluster(missing, opts())).rejects.toThrow(`clusters[3].kubeconfig: file not found: ${join(dir, 'absent.yaml')}`);
    await expect(collectCluster(target('apiVersion: v1\nclusters: [oops\n', { configPath: 'clusters[1]' }), opts())).rejects.toThrow(
      expect.objectContaining({ name: 'KubeconfigError', message: expect.stringMatching(/^clusters\[1\]\.kubeconfig: cannot parse .*\.yaml: /) }),
    );
    const kc = server.kubeconfig({ user: 'scanner', token: 'good-token', contextName: 'prod' });
    await expect(collectCluster(target(kc, { context: 'staging' }), opts())).rejects.toThrow(/^clusters\[0\]\.context: context "staging" not found in .*\.yaml \(contexts: prod\)$/);
  });
});
