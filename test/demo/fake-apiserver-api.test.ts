/** The fake API server: object shapes, discovery, selectors, paging, metadata-only lists, construction. */
import { CoreV1Api } from '@kubernetes/client-node';
import { createServerPki, type ServerPki } from '../../src/demo/certs.js';
import {
  CONTINUE_EXPIRED_MESSAGE,
  startFakeApiServer,
  type ApiObject,
  type FakeApiServer,
} from '../../src/demo/fake-apiserver.js';
import {
  fixtureObjects,
  kubeConfig,
  PARTIAL_ACCEPT,
  rawRequest,
  SECRET_VALUE,
  startFixtureServer,
  TOKEN,
  USER,
  type Raw,
  type RequestOptions,
} from './fake-apiserver-fixture.js';

let pki: ServerPki;
let server: FakeApiServer;
const request = (path: string, opts: RequestOptions = {}): Promise<Raw> => rawRequest(opts.srv ?? server, path, opts);

beforeAll(async () => {
  pki = createServerPki('test-ca');
  server = await startFixtureServer(pki);
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  server.clearFaults();
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
    expect(apis.groups.map((g) => g.name).sort()).toEqual(['admissionregistration.k8s.io', 'apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io']);
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
