/** The fake API server: TLS, bearer-token and client-certificate authentication, client-node, kubeconfig. */
import { CoreV1Api, VersionApi, AppsV1Api } from '@kubernetes/client-node';
import YAML from 'yaml';
import { createCertificateAuthority, createClientCertificate, createServerPki } from '../../src/demo/certs.js';
import type { FakeApiServer } from '../../src/demo/fake-apiserver.js';
import {
  kubeConfig,
  PARTIAL_ACCEPT,
  rawRequest,
  startFixtureServer,
  TOKEN,
  USER,
  type Raw,
  type RequestOptions,
} from './fake-apiserver-fixture.js';

let server: FakeApiServer;
const request = (path: string, opts: RequestOptions = {}): Promise<Raw> => rawRequest(opts.srv ?? server, path, opts);

beforeAll(async () => {
  server = await startFixtureServer(createServerPki('test-ca'));
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
