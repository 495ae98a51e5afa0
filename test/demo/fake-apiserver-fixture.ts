/** The fake API server fixture shared by the fake-apiserver test files: objects, server, raw requests. */
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { ServerPki } from '../../src/demo/certs.js';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';

export const TOKEN = 'good-token-123';
export const USER = 'scanner@example.com';
export const SECRET_VALUE = 'c3VwZXItc2VjcmV0'; // base64 of super-secret
export const PARTIAL_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

export interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

export interface RequestOptions {
  token?: string | null;
  accept?: string;
  cert?: { certPem: string; keyPem: string };
  method?: string;
  /** Another server than the test file's own. */
  srv?: FakeApiServer;
}

export function fixtureObjects(): ApiObject[] {
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

/** The test files' server: the fixture objects, two tokens, and one kubelet of each behaviour. */
export function startFixtureServer(pki: ServerPki): Promise<FakeApiServer> {
  return startFakeApiServer({
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
}

/** A GET (or `method`) with the fixture's token unless told otherwise, read whole. */
export function rawRequest(srv: FakeApiServer, path: string, opts: RequestOptions = {}): Promise<Raw> {
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

export function kubeConfig(yaml: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
}
