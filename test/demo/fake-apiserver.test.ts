import https from 'node:https';
import { CoreV1Api, KubeConfig, VersionApi, AppsV1Api } from '@kubernetes/client-node';
import YAML from 'yaml';
import { createCertificateAuthority, createClientCertificate, createServerPki, type ServerPki } from '../../src/demo/certs.js';
import {
  CONTINUE_EXPIRED_MESSAGE,
  startFakeApiServer,
  type ApiObject,
  type FakeApiServer,
} from '../../src/demo/fake-apiserver.js';

const TOKEN = 'good-token-123';
const USER = 'scanner@example.com';
const SECRET_VALUE = 'c3VwZXItc2VjcmV0'; // base64 of super-secret
const PARTIAL_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

function fixtureObjects(): ApiObject[] {
  const objs: ApiObject[] = [];
  for (const ns of ['default', 'payments', 'web']) objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const n of ['node-1', 'node-2', 'node-3']) {
    objs.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n, labels: { 'kubernetes.io/hostname': n } },
      status: { addresses: [{ type: 'InternalIP', address: `10.0.0.${n.slice(-1)}` }] },
    });
  }
  objs.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'payments', labels: { app: 'api' } },
    spec: { replicas: 3 },
  });
  // 25 pods across namespaces, declared out of order: the server sorts them by key.
  for (let i = 24; i >= 0; i--) {
    const ns = ['payments', 'web', 'default'][i % 3] ?? 'default';
    objs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `pod-${String(i).padStart(2, '0')}`,
        namespace: ns,
        labels: { app: i % 2 === 0 ? 'even' : 'odd', tier: i < 5 ? 'db' : 'web' },
        ...(ns === 'payments' ? { ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }] } : {}),
      },
      spec: { nodeName: `node-${(i % 3) + 1}`, containers: [{ name: 'c', image: 'nginx:1.27' }] },
      status: { phase: i === 3 ? 'Pending' : 'Running' },
    });
  }
  objs.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db-password',
      namespace: 'payments',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Secret"}' },
    },
    type: 'Opaque',
    data: { password: SECRET_VALUE },
  });
  objs.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tls', namespace: 'web' },
    type: 'kubernetes.io/tls',
    stringData: { 'tls.crt': 'CERT', 'tls.key': 'KEY' },
  });
  return objs;
}

let pki: ServerPki;
let server: FakeApiServer;

function request(
  path: string,
  opts: { token?: string | null; accept?: string; cert?: { certPem: string; keyPem: string }; method?: string; srv?: FakeApiServer } = {},
): Promise<Raw> {
  const srv = opts.srv ?? server;
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (opts.accept) headers.Accept = opts.accept;
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${srv.url}${path}`,
      {
        method: opts.method ?? 'GET',
        ca: srv.caPem,
        headers,
        ...(opts.cert ? { cert: opts.cert.certPem, key: opts.cert.keyPem } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('aborted')));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function kubeConfig(yaml: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
}

beforeAll(async () => {
  pki = createServerPki('test-ca');
  server = await startFakeApiServer({
    objects: fixtureObjects(),
    pki,
    tokens: { [TOKEN]: USER, 'other-token': { user: 'bob', groups: ['devs'] } },
    version: { gitVersion: 'v1.30.6', minor: '30' },
    kubelets: {
      'node-1': { kind: 'KubeletConfiguration', readOnlyPort: 10255, authentication: { anonymous: { enabled: true } } },
      'node-2': 'disabled',
      'node-3': 'unreachable',
    },
    uidSeed: 'unit',
  });
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  server.clearFaults();
});

describe('TLS, authentication and @kubernetes/client-node', () => {
  test('client-node reads /version and lists namespaces with a bearer token', async () => {
    const kc = kubeConfig(server.kubeconfig({ user: USER, clusterName: 'unit', contextName: 'unit-ctx' }));
    expect(kc.getCurrentContext()).toBe('unit-ctx');
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.30.6');
    expect(version.minor).toBe('30');
    expect(version.platform).toBe('linux/amd64');
    const list = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toEqual(['default', 'payments', 'web']);
    // The NamespaceDefaultLabelName admission label is filled in.
    expect(list.items[1]?.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('payments');
    const deps = await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'payments' });
    expect(deps.items).toHaveLength(1);
    expect(deps.items[0]?.spec?.replicas).toBe(3);
  });

  test('client-node authenticates with a client certificate (CN = user)', async () => {
    server.clearRequests();
    const kc = kubeConfig(server.kubeconfig({ user: 'cert-user', groups: ['complyd:readers'], clientCert: true }));
    const list = await kc.makeApiClient(CoreV1Api).listNode();
    expect(list.items).toHaveLength(3);
    expect(server.requests.at(-1)?.user).toBe('cert-user');
  });

  test('a wrong token, no credentials, or a certificate from another CA answer 401 Unauthorized', async () => {
    const expected = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    };
    const wrong = await request('/api/v1/namespaces', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual(expected);
    const none = await request('/version', { token: null });
    expect(none.status).toBe(401);
    const foreignCa = createCertificateAuthority('someone-else');
    const foreign = await request('/api/v1/namespaces', { token: null, cert: createClientCertificate(foreignCa, { user: USER }) });
    expect(foreign.status).toBe(401);
    const ours = await request('/api/v1/namespaces', { token: null, cert: server.clientCertificate('carol') });
    expect(ours.status).toBe(200);

    const kc = kubeConfig(server.kubeconfig({ user: USER, token: 'wrong' }));
    await expect(kc.makeApiClient(CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401 });
  });

  test('a client that does not trust the CA fails the TLS handshake', async () => {
    const other = createServerPki('other-ca');
    const kc = kubeConfig(server.kubeconfig({ user: USER, caPem: other.ca.certPem }));
    await expect(kc.makeApiClient(VersionApi).getCode()).rejects.toThrow(/certificate|self.signed|verify/i);
  });

  test('the request log records method, path, query, accept and user, never the token', async () => {
    server.clearRequests();
    await request('/api/v1/pods?limit=2', { accept: PARTIAL_ACCEPT });
    expect(server.requests).toEqual([
      { method: 'GET', path: '/api/v1/pods', query: { limit: '2' }, accept: PARTIAL_ACCEPT, user: USER, status: 200 },
    ]);
    expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
  });

  test('kubeconfig() renders certificate-authority-data and client cert data', () => {
    const doc = YAML.parse(server.kubeconfig({ user: 'dave', clientCert: true, clusterName: 'c1', contextName: 'x' })) as {
      clusters: Array<{ name: string; cluster: Record<string, string> }>;
      users: Array<{ name: string; user: Record<string, string> }>;
      'current-context': string;
    };
    expect(doc['current-context']).toBe('x');
    expect(Buffer.from(doc.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString()).toBe(server.caPem);
    expect(doc.clusters[0]?.cluster.server).toBe(server.url);
    expect(Buffer.from(doc.users[0]?.user['client-certificate-data'] ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(doc.users[0]?.user['client-key-data'] ?? '', 'base64').toString()).toContain('PRIVATE KEY');
    expect(() => server.kubeconfig({ user: 'nobody-with-a-token' })).toThrow(/no token/);
  });
});

describe('API shapes', () => {
  test('typed lists omit kind/apiVersion on items; single GETs carry them', async () => {
    const list = await request('/api/v1/namespaces/payments/pods');
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json');
    const body = list.json() as { kind: string; apiVersion: string; metadata: Record<string, unknown>; items: ApiObject[] };
    expect(body.kind).toBe('PodList');
    expect(body.apiVersion).toBe('v1');
    expect(body.metadata).toEqual({ resourceVersion: expect.stringMatching(/^\d+$/) });
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) {
      expect(item).not.toHaveProperty('kind');
      expect(item).not.toHaveProperty('apiVersion');
    }
    const one = await request('/api/v1/namespaces/payments/pods/pod-00');
    expect(one.json()).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'pod-00', namespace: 'payments' } });
    const dep = await request('/apis/apps/v1/namespaces/payments/deployments/api');
    expect(dep.json()).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1' });
  });

  test('missing uid/resourceVersion/creationTimestamp are filled deterministically; owner uids resolve', async () => {
    const pod = (await request('/api/v1/namespaces/payments/pods/pod-00')).json() as { metadata: Record<string, unknown> };
    const dep = (await request('/apis/apps/v1/namespaces/payments/deployments/api')).json() as {
      metadata: Record<string, unknown>;
    };
    expect(pod.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pod.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(pod.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(pod.metadata.ownerReferences).toEqual([
      { kind: 'Deployment', name: 'api', controller: true, uid: dep.metadata.uid, apiVersion: 'apps/v1' },
    ]);
    // Same seed, same objects -> same uids.
    const again = await startFakeApiServer({ objects: fixtureObjects(), pki, tokens: { [TOKEN]: USER }, uidSeed: 'unit' });
    try {
      const pod2 = (await request('/api/v1/namespaces/payments/pods/pod-00', { srv: again })).json() as {
        metadata: Record<string, unknown>;
      };
      expect(pod2.metadata.uid).toBe(pod.metadata.uid);
      expect(pod2.metadata.resourceVersion).toBe(pod.metadata.resourceVersion);
    } finally {
      await again.close();
    }
  });

  test('Secrets keep their data; stringData becomes base64 data', async () => {
    const body = (await request('/api/v1/secrets')).json() as { kind: string; items: ApiObject[] };
    expect(body.kind).toBe('SecretList');
    const [db, tls] = body.items as Array<{ data: Record<string, string>; stringData?: unknown; type: string }>;
    expect(db?.data.password).toBe(SECRET_VALUE);
    expect(tls?.type).toBe('kubernetes.io/tls');
    expect(tls?.data['tls.key']).toBe(Buffer.from('KEY').toString('base64'));
    expect(tls).not.toHaveProperty('stringData');
  });

  test('unknown paths, unknown objects, cluster-scoped-in-namespace and non-GET answer like the API', async () => {
    const unknown = await request('/apis/foo.example.com/v1/widgets');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
    expect((await request('/api/v1/namespaces/default/nodes')).status).toBe(404);
    const missing = await request('/apis/apps/v1/namespaces/web/deployments/nope');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({
      reason: 'NotFound',
      message: 'deployments.apps "nope" not found',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
    });
    const post = await request('/api/v1/namespaces', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
    // A namespace that does not exist lists as empty, as in the real API.
    const empty = (await request('/api/v1/namespaces/ghost/pods')).json() as { items: unknown[] };
    expect(empty.items).toEqual([]);
  });

  test('discovery: /api, /apis, /apis/{group}/{version}', async () => {
    expect((await request('/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const apis = (await request('/apis')).json() as { kind: string; groups: Array<{ name: string }> };
    expect(apis.kind).toBe('APIGroupList');
    expect(apis.groups.map((g) => g.name).sort()).toEqual(['apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io']);
    const rbac = (await request('/apis/rbac.authorization.k8s.io/v1')).json() as {
      groupVersion: string;
      resources: Array<{ name: string; namespaced: boolean }>;
    };
    expect(rbac.groupVersion).toBe('rbac.authorization.k8s.io/v1');
    expect(rbac.resources.find((r) => r.name === 'clusterroles')?.namespaced).toBe(false);
  });

  test('label and field selectors filter; an unsupported field label is a 400', async () => {
    const tls = (await request('/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls')).json() as { items: ApiObject[] };
    expect(tls.items.map((s) => (s.metadata as { name: string }).name)).toEqual(['tls']);
    const web = (await request('/api/v1/pods?fieldSelector=metadata.namespace%3Dweb,status.phase%3DRunning')).json() as {
      items: ApiObject[];
    };
    expect(web.items).toHaveLength(8);
    const pending = (await request('/api/v1/pods?fieldSelector=status.phase!%3DRunning')).json() as { items: ApiObject[] };
    expect(pending.items.map((p) => (p.metadata as { name: string }).name)).toEqual(['pod-03']);
    const sel = (await request(`/api/v1/pods?labelSelector=${encodeURIComponent('app=even,tier in (db)')}`)).json() as {
      items: ApiObject[];
    };
    expect(sel.items.map((p) => (p.metadata as { name: string }).name).sort()).toEqual(['pod-00', 'pod-02', 'pod-04']);
    const bad = await request('/api/v1/pods?fieldSelector=spec.bogus%3D1');
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ reason: 'BadRequest', message: 'field label not supported: spec.bogus' });
  });
});

describe('paging', () => {
  const podNames = (items: ApiObject[]): string[] =>
    items.map((p) => `${(p.metadata as { namespace: string }).namespace}/${(p.metadata as { name: string }).name}`);

  test('limit/continue return every item exactly once, in key order, at one resourceVersion', async () => {
    const seen: string[] = [];
    const rvs = new Set<string>();
    const remaining: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = `limit=7${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const res = await request(`/api/v1/pods?${q}`);
      expect(res.status).toBe(200);
      const body = res.json() as { metadata: { continue?: string; remainingItemCount?: number; resourceVersion: string }; items: ApiObject[] };
      seen.push(...podNames(body.items));
      rvs.add(body.metadata.resourceVersion);
      if (body.metadata.remainingItemCount !== undefined) remaining.push(body.metadata.remainingItemCount);
      token = body.metadata.continue;
      if (token) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen).toEqual([...seen].sort());
    expect(rvs.size).toBe(1);
    expect(remaining).toEqual([18, 11, 4]);
  });

  test('client-node pages through listPodForAllNamespaces', async () => {
    const api = kubeConfig(server.kubeconfig({ user: USER })).makeApiClient(CoreV1Api);
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const page = await api.listPodForAllNamespaces({ limit: 10, ...(cont ? { _continue: cont } : {}) });
      names.push(...page.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
      cont = page.metadata?._continue;
    } while (cont);
    expect(names).toHaveLength(25);
    expect(new Set(names).size).toBe(25);
  });

  test('the server-side maximum page size forces paging even without limit', async () => {
    const small = await startFakeApiServer({ objects: fixtureObjects(), pki, tokens: { [TOKEN]: USER }, maxPageSize: 10 });
    try {
      const first = (await request('/api/v1/pods', { srv: small })).json() as {
        metadata: { continue?: string; remainingItemCount?: number };
        items: unknown[];
      };
      expect(first.items).toHaveLength(10);
      expect(first.metadata.remainingItemCount).toBe(15);
      const big = (await request('/api/v1/pods?limit=500', { srv: small })).json() as { items: unknown[] };
      expect(big.items).toHaveLength(10);
      const rest = (await request(`/api/v1/pods?continue=${first.metadata.continue}`, { srv: small })).json() as {
        items: unknown[];
      };
      expect(rest.items).toHaveLength(10);
    } finally {
      await small.close();
    }
  });

  test('expireContinue answers 410 Expired on continue; compact() expires older tokens; bad tokens are 400', async () => {
    const first = (await request('/api/v1/pods?limit=5')).json() as { metadata: { continue: string } };
    server.setFault('pods', { expireContinue: true });
    const expired = await request(`/api/v1/pods?limit=5&continue=${first.metadata.continue}`);
    expect(expired.status).toBe(410);
    expect(expired.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: CONTINUE_EXPIRED_MESSAGE,
      reason: 'Expired',
      code: 410,
    });
    // A fresh list (no continue) still works with the fault on.
    expect((await request('/api/v1/pods?limit=5')).status).toBe(200);
    server.clearFaults();
    expect((await request(`/api/v1/pods?limit=5&continue=${first.metadata.continue}`)).status).toBe(200);
    server.compact();
    expect((await request(`/api/v1/pods?limit=5&continue=${first.metadata.continue}`)).status).toBe(410);
    const fresh = (await request('/api/v1/pods?limit=5')).json() as { metadata: { continue: string } };
    expect((await request(`/api/v1/pods?limit=5&continue=${fresh.metadata.continue}`)).status).toBe(200);
    const bad = await request('/api/v1/pods?limit=5&continue=%21%21');
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ reason: 'BadRequest', message: expect.stringContaining('continue key is not valid') });
  });
});

describe('metadata-only lists', () => {
  test('PartialObjectMetadataList carries metadata only, never data', async () => {
    const res = await request('/api/v1/secrets', { accept: `${PARTIAL_ACCEPT},application/json` });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(PARTIAL_ACCEPT);
    const body = res.json() as { kind: string; apiVersion: string; items: Array<Record<string, unknown>> };
    expect(body.kind).toBe('PartialObjectMetadataList');
    expect(body.apiVersion).toBe('meta.k8s.io/v1');
    expect(body.items).toHaveLength(2);
    for (const item of body.items) {
      expect(Object.keys(item).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
      expect(item.kind).toBe('PartialObjectMetadata');
    }
    expect(res.text).not.toContain(SECRET_VALUE);
    expect(res.text).not.toContain('"data"');
    // The real API keeps annotations, last-applied-configuration included.
    expect(res.text).toContain('kubectl.kubernetes.io/last-applied-configuration');
  });

  test('the first supported type of the Accept header wins; nothing supported is 406', async () => {
    const tableFirst = await request('/api/v1/secrets', {
      accept: `application/json;as=Table;g=meta.k8s.io;v=v1,${PARTIAL_ACCEPT},application/json`,
    });
    expect((tableFirst.json() as { kind: string }).kind).toBe('PartialObjectMetadataList');
    const jsonFirst = await request('/api/v1/secrets', { accept: `application/json,${PARTIAL_ACCEPT}` });
    expect((jsonFirst.json() as { kind: string }).kind).toBe('SecretList');
    expect(jsonFirst.text).toContain(SECRET_VALUE);
    const single = await request('/api/v1/namespaces/payments/secrets/db-password', {
      accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
    });
    expect(single.json()).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'db-password' } });
    expect(single.text).not.toContain(SECRET_VALUE);
    const none = await request('/api/v1/secrets', { accept: 'application/vnd.kubernetes.protobuf' });
    expect(none.status).toBe(406);
    expect(none.json()).toMatchObject({ reason: 'NotAcceptable', code: 406 });
  });
});

describe('faults', () => {
  test('forbidden answers 403 with the RBAC message, per resource and scope', async () => {
    server.setFault('secrets', { forbidden: true });
    const cluster = await request('/api/v1/secrets');
    expect(cluster.status).toBe(403);
    expect(cluster.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `secrets is forbidden: User "${USER}" cannot list resource "secrets" in API group "" at the cluster scope`,
      reason: 'Forbidden',
      details: { kind: 'secrets' },
      code: 403,
    });
    const ns = await request('/api/v1/namespaces/web/secrets');
    expect((ns.json() as { message: string }).message).toBe(
      `secrets is forbidden: User "${USER}" cannot list resource "secrets" in API group "" in the namespace "web"`,
    );
    expect((await request('/api/v1/pods')).status).toBe(200);

    server.setFault('deployments.apps', { forbidden: true, users: ['bob'] });
    expect((await request('/apis/apps/v1/deployments')).status).toBe(200);
    const bob = await request('/apis/apps/v1/deployments', { token: 'other-token' });
    expect(bob.status).toBe(403);
    expect(bob.json()).toMatchObject({
      message: 'deployments.apps is forbidden: User "bob" cannot list resource "deployments" in API group "apps" at the cluster scope',
      details: { group: 'apps', kind: 'deployments' },
    });

    const kc = kubeConfig(server.kubeconfig({ user: USER }));
    await expect(kc.makeApiClient(CoreV1Api).listSecretForAllNamespaces()).rejects.toMatchObject({ code: 403 });
  });

  test('broken: status500, malformed and reset', async () => {
    server.setFault('nodes', { broken: 'status500' });
    const e500 = await request('/api/v1/nodes');
    expect(e500.status).toBe(500);
    expect(e500.json()).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });

    server.setFault('nodes', { broken: 'malformed' });
    const bad = await request('/api/v1/nodes');
    expect(bad.status).toBe(200);
    expect(bad.text.startsWith('{"kind":"NodeList"')).toBe(true);
    expect(() => bad.json()).toThrow(SyntaxError);

    server.setFault('nodes', { broken: 'reset' });
    await expect(request('/api/v1/nodes')).rejects.toThrow(/aborted|socket hang up|ECONNRESET|terminated/i);
    expect(server.requests.at(-1)).toMatchObject({ path: '/api/v1/nodes', status: 0 });

    // Faults can be keyed by path fragment too.
    server.clearFaults();
    server.setFault('/namespaces/web/', { broken: 'status500' });
    expect((await request('/api/v1/namespaces/web/pods')).status).toBe(500);
    expect((await request('/api/v1/namespaces/payments/pods')).status).toBe(200);
  });

  test('delayMs slows the answer down', async () => {
    const t0 = Date.now();
    expect((await request('/api/v1/services')).status).toBe(200);
    const fast = Date.now() - t0;
    server.setFault('services', { delayMs: 400 });
    const t1 = Date.now();
    expect((await request('/api/v1/services')).status).toBe(200);
    const slow = Date.now() - t1;
    expect(slow).toBeGreaterThanOrEqual(390);
    expect(slow).toBeGreaterThan(fast);
  });
});

describe('kubelet configz through the node proxy', () => {
  test('a node answers its kubeletconfig', async () => {
    const res = await request('/api/v1/nodes/node-1/proxy/configz');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      kubeletconfig: { kind: 'KubeletConfiguration', readOnlyPort: 10255, authentication: { anonymous: { enabled: true } } },
    });
  });

  test('a kubelet with debugging handlers disabled answers 405 in plain text', async () => {
    const res = await request('/api/v1/nodes/node-2/proxy/configz');
    expect(res.status).toBe(405);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text.trim()).toBe('Debug endpoints are disabled.');
  });

  test('an unknown node is 404 NotFound; an unreachable kubelet is 503', async () => {
    const res = await request('/api/v1/nodes/ghost/proxy/configz');
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'nodes "ghost" not found',
      details: { name: 'ghost', kind: 'nodes' },
    });
    const down = await request('/api/v1/nodes/node-3/proxy/configz');
    expect(down.status).toBe(503);
    expect(down.json()).toMatchObject({ reason: 'ServiceUnavailable', message: expect.stringContaining('10.0.0.3:10250') });
  });

  test('behaviour changes at runtime; nodes/proxy can be forbidden on its own', async () => {
    server.setKubelet('node-2', { enableDebuggingHandlers: true });
    try {
      expect((await request('/api/v1/nodes/node-2/proxy/configz')).json()).toEqual({
        kubeletconfig: { enableDebuggingHandlers: true },
      });
    } finally {
      server.setKubelet('node-2', 'disabled');
    }
    server.setFault('nodes/proxy', { forbidden: true });
    const res = await request('/api/v1/nodes/node-1/proxy/configz');
    expect(res.status).toBe(403);
    expect((res.json() as { message: string }).message).toBe(
      `nodes "node-1" is forbidden: User "${USER}" cannot get resource "nodes/proxy" in API group "" at the cluster scope`,
    );
    expect((await request('/api/v1/nodes')).status).toBe(200);
  });
});

describe('construction', () => {
  test('unknown kinds, wrong apiVersions and duplicates are rejected with the object named', async () => {
    await expect(
      startFakeApiServer({ objects: [{ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } }], pki }),
    ).rejects.toThrow(/objects\[0\] \(Widget w\).*not served/);
    await expect(
      startFakeApiServer({ objects: [{ apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'd' } }], pki }),
    ).rejects.toThrow(/apiVersion must be apps\/v1/);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } };
    await expect(startFakeApiServer({ objects: [ns, ns], pki })).rejects.toThrow(/defined twice/);
  });
});
