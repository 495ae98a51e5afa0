/** The fake API server: faults (forbidden, broken, slow) and kubelet configz through the node proxy. */
import { CoreV1Api } from '@kubernetes/client-node';
import { createServerPki } from '../../src/demo/certs.js';
import type { FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { kubeConfig, rawRequest, startFixtureServer, USER, type Raw, type RequestOptions } from './fake-apiserver-fixture.js';

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

  test('hostile answers: html, contentType, wrongKind', async () => {
    server.setFault('*', { broken: 'html' });
    const version = await request('/version');
    expect(version.status).toBe(200);
    expect(version.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(version.text).toMatch(/^<!DOCTYPE html>/);

    server.setFault('*', { broken: 'contentType' });
    const pods = await request('/api/v1/pods');
    expect(pods.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(pods.json()).toMatchObject({ kind: 'PodList' });

    server.setFault('*', { broken: 'wrongKind' });
    expect((await request('/api/v1/pods')).json()).toMatchObject({ kind: 'Table', rows: [] });
    // Only lists are answered with another kind.
    expect((await request('/version')).json()).toMatchObject({ gitVersion: expect.any(String) });
  });

  test('throttle and serverError, spent after `times` requests', async () => {
    server.setFault('pods', { throttle: { retryAfter: '3' }, times: 2 });
    const first = await request('/api/v1/pods');
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('3');
    expect(first.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    expect((await request('/api/v1/pods')).status).toBe(429);
    expect((await request('/api/v1/pods')).status).toBe(200);

    server.setFault('nodes', { serverError: 503 });
    const unavailable = await request('/api/v1/nodes');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('1');
    server.setFault('nodes', { serverError: 502 });
    expect(await request('/api/v1/nodes')).toMatchObject({ status: 502, text: 'Bad Gateway\n' });
  });

  test('endlessContinue never ends a list; oversizeBytes streams a huge list without Content-Length', async () => {
    server.setFault('namespaces', { endlessContinue: true });
    let token = '';
    for (let i = 0; i < 5; i++) {
      const page = await request(`/api/v1/namespaces?limit=2${token ? `&continue=${token}` : ''}`);
      const body = page.json() as { items: unknown[]; metadata: { continue?: string } };
      expect(body.items).toHaveLength(2);
      expect(body.metadata.continue).toBeTruthy();
      token = body.metadata.continue ?? '';
    }

    server.setFault('namespaces', { oversizeBytes: 2 * 2 ** 20 });
    const huge = await request('/api/v1/namespaces');
    expect(huge.status).toBe(200);
    expect(huge.headers['content-length']).toBeUndefined();
    expect(huge.text.length).toBeGreaterThanOrEqual(2 * 2 ** 20);
    expect(huge.json()).toMatchObject({ kind: 'NamespaceList' });
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
