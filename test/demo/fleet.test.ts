import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, VersionApi } from '@kubernetes/client-node';
import YAML from 'yaml';
import { demoFixturesDir, listFleetClusters, readFleetFile, startDemoFleet, type DemoFleet } from '../../src/demo/fleet.js';
import { loadFixtureDir, loadFixtureFile } from '../../src/demo/fixtures.js';
import { RESOURCE_TYPES } from '../../src/demo/fake-apiserver.js';

const DEMO_SECRET = 'DEMO-SECRET-VALUE-DO-NOT-LEAK';

let workDir: string;
let fleet: DemoFleet;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'complyd-fleet-'));
  fleet = await startDemoFleet({ fixturesDir: demoFixturesDir(), workDir });
});

afterAll(async () => {
  await fleet?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

function cluster(name: string) {
  const c = fleet.clusters.find((x) => x.name === name);
  if (!c) throw new Error(`no cluster ${name}`);
  return c;
}

function kubeConfigFor(name: string): KubeConfig {
  const c = cluster(name);
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfigPath);
  if (c.context) kc.setCurrentContext(c.context);
  return kc;
}

/** A raw GET through client-node's own TLS/auth options, as the collector does it. */
async function rawGet(name: string, path: string, accept?: string): Promise<{ status: number; text: string }> {
  const kc = kubeConfigFor(name);
  const opts: https.RequestOptions = { headers: accept ? { Accept: accept } : {} };
  await kc.applyToHTTPSOptions(opts);
  const server = kc.getCurrentCluster()?.server ?? '';
  return new Promise((resolve, reject) => {
    const req = https.request(`${server}${path}`, { ...opts, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('demo fleet', () => {
  test('demoFixturesDir finds config/demo-fleet of the package', () => {
    const dir = demoFixturesDir();
    expect(dir.endsWith(join('config', 'demo-fleet'))).toBe(true);
    expect(listFleetClusters(dir)).toEqual(['analytics-eks', 'dev-k3s', 'edge-lab', 'prod-eu', 'staging-us']);
  });

  test('one server per reachable cluster, labels from fleet.yaml, private kubeconfig files', () => {
    expect(fleet.clusters.map((c) => c.name)).toEqual(['analytics-eks', 'dev-k3s', 'edge-lab', 'prod-eu', 'staging-us']);
    expect([...fleet.servers.keys()].sort()).toEqual(['analytics-eks', 'dev-k3s', 'prod-eu', 'staging-us']);
    expect(cluster('prod-eu').labels).toEqual({ env: 'prod', region: 'eu-west-1', owner: 'platform-team' });
    expect(cluster('edge-lab').unreachable).toBe(true);
    for (const c of fleet.clusters) {
      expect(c.kubeconfigPath.startsWith(join(workDir, 'kubeconfigs'))).toBe(true);
      expect(statSync(c.kubeconfigPath).mode & 0o777).toBe(0o600);
    }
  });

  test('staging-us and dev-k3s share one kubeconfig with two contexts; others use current-context', () => {
    const staging = cluster('staging-us');
    const dev = cluster('dev-k3s');
    expect(staging.kubeconfigPath).toBe(dev.kubeconfigPath);
    expect(staging.context).toBe('staging-us');
    expect(dev.context).toBe('dev-k3s');
    expect(cluster('prod-eu').context).toBeUndefined();
    const doc = YAML.parse(readFileSync(staging.kubeconfigPath, 'utf8')) as {
      contexts: Array<{ name: string }>;
      users: Array<{ name: string; user: Record<string, string> }>;
    };
    expect(doc.contexts.map((c) => c.name)).toEqual(['dev-k3s', 'staging-us']);
    // staging-us authenticates with a client certificate, dev-k3s with a token.
    expect(doc.users.find((u) => u.name.endsWith('@staging-us'))?.user).toHaveProperty('client-certificate-data');
    expect(doc.users.find((u) => u.name.endsWith('@dev-k3s'))?.user).toHaveProperty('token');
  });

  test('every reachable cluster answers client-node with its own version over TLS', async () => {
    const expected: Record<string, string> = {
      'prod-eu': 'v1.31.4',
      'staging-us': 'v1.30.6',
      'dev-k3s': 'v1.30.4+k3s1',
      'analytics-eks': 'v1.31.3-eks-7636447',
    };
    for (const [name, gitVersion] of Object.entries(expected)) {
      const kc = kubeConfigFor(name);
      const v = await kc.makeApiClient(VersionApi).getCode();
      expect(v.gitVersion).toBe(gitVersion);
      const ns = await kc.makeApiClient(CoreV1Api).listNamespace();
      expect(ns.items.map((n) => n.metadata?.name)).toContain('kube-system');
    }
    expect((await kubeConfigFor('analytics-eks').makeApiClient(VersionApi).getCode()).minor).toBe('31+');
  });

  test('edge-lab is unreachable: the connection is refused', async () => {
    const kc = kubeConfigFor('edge-lab');
    await expect(kc.makeApiClient(VersionApi).getCode()).rejects.toThrow(/ECONNREFUSED/);
  });

  test('staging-us forbids secrets and rolebindings, nothing else', async () => {
    const kc = kubeConfigFor('staging-us');
    await expect(kc.makeApiClient(CoreV1Api).listSecretForAllNamespaces()).rejects.toMatchObject({ code: 403 });
    await expect(kc.makeApiClient(RbacAuthorizationV1Api).listRoleBindingForAllNamespaces()).rejects.toMatchObject({
      code: 403,
    });
    const res = await rawGet('staging-us', '/api/v1/secrets');
    expect(JSON.parse(res.text)).toMatchObject({
      message: 'secrets is forbidden: User "complyd-scanner" cannot list resource "secrets" in API group "" at the cluster scope',
    });
    const roles = await kc.makeApiClient(RbacAuthorizationV1Api).listClusterRoleBinding();
    expect(roles.items.length).toBeGreaterThan(0);
    expect((await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces()).items.length).toBeGreaterThan(0);
  });

  test('kubelet configz: prod-eu has one weak worker; dev-k3s has one node answering 405', async () => {
    const weak = JSON.parse((await rawGet('prod-eu', '/api/v1/nodes/prod-eu-worker-3/proxy/configz')).text) as {
      kubeletconfig: Record<string, unknown>;
    };
    expect(weak.kubeletconfig.readOnlyPort).toBe(10255);
    expect(weak.kubeletconfig.authentication).toMatchObject({ anonymous: { enabled: true }, webhook: { enabled: true } });
    expect(weak.kubeletconfig).not.toHaveProperty('protectKernelDefaults');
    const good = JSON.parse((await rawGet('prod-eu', '/api/v1/nodes/prod-eu-worker-1/proxy/configz')).text) as {
      kubeletconfig: Record<string, unknown>;
    };
    expect(good.kubeletconfig).not.toHaveProperty('readOnlyPort');
    expect(good.kubeletconfig.protectKernelDefaults).toBe(true);

    const disabled = await rawGet('dev-k3s', '/api/v1/nodes/k3s-agent-2/proxy/configz');
    expect(disabled.status).toBe(405);
    expect(disabled.text.trim()).toBe('Debug endpoints are disabled.');
    const k3s = JSON.parse((await rawGet('dev-k3s', '/api/v1/nodes/k3s-server-1/proxy/configz')).text) as {
      kubeletconfig: Record<string, unknown>;
    };
    expect(k3s.kubeletconfig.staticPodPath).toBe('/var/lib/rancher/k3s/agent/pod-manifests');
    const eks = JSON.parse((await rawGet('analytics-eks', '/api/v1/nodes/ip-10-42-40-12.ec2.internal/proxy/configz')).text) as {
      kubeletconfig: Record<string, unknown>;
    };
    expect(eks.kubeletconfig).toMatchObject({ providerID: 'aws:///us-east-1c/i-0f6a2c7d13e9b5480', maxPods: 234 });
  });

  test('prod-eu: kubeadm mirror pods carry the control-plane flags; lists are capped at 25 per page', async () => {
    const api = kubeConfigFor('prod-eu').makeApiClient(CoreV1Api);
    const cp = await api.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'tier=control-plane' });
    expect(cp.items.map((p) => p.metadata?.labels?.component).sort()).toEqual([
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
    ]);
    const apiserver = cp.items.find((p) => p.metadata?.name === 'kube-apiserver-prod-eu-cp-1');
    expect(apiserver?.metadata?.annotations?.['kubernetes.io/config.mirror']).toMatch(/^[0-9a-f]{32}$/);
    expect(apiserver?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'prod-eu-cp-1' });
    expect(apiserver?.spec?.containers[0]?.command).toContain('--authorization-mode=Node,RBAC');
    const page = await api.listPodForAllNamespaces();
    expect(page.items).toHaveLength(25);
    expect(page.metadata?._continue).toBeTruthy();
    // No mirror pods where the control plane is not static pods.
    for (const name of ['dev-k3s', 'analytics-eks']) {
      const pods = await kubeConfigFor(name).makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'kube-system' });
      expect(pods.items.filter((p) => p.metadata?.annotations?.['kubernetes.io/config.mirror'])).toEqual([]);
    }
  });

  test('the demo secret is served base64 in full lists and never in metadata-only lists', async () => {
    const encoded = Buffer.from(DEMO_SECRET).toString('base64');
    const full = await rawGet('prod-eu', '/api/v1/namespaces/payments/secrets');
    expect(full.text).toContain(encoded);
    const meta = await rawGet(
      'prod-eu',
      '/api/v1/namespaces/payments/secrets',
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
    );
    const body = JSON.parse(meta.text) as { kind: string; items: Array<Record<string, unknown>> };
    expect(body.kind).toBe('PartialObjectMetadataList');
    expect(meta.text).not.toContain(encoded);
    expect(body.items.every((i) => !('data' in i))).toBe(true);
    // ...but, as in a real cluster, the last-applied annotation still carries the raw value.
    const annotated = body.items.find(
      (i) => (i.metadata as { name: string }).name === 'payments-api-credentials',
    ) as { metadata: { annotations: Record<string, string> } };
    expect(annotated.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain(DEMO_SECRET);
  });

  // prod-eu's 28 admission policies and bindings (ADR 0020) take it past 200.
  test('each cluster serves 60-240 objects', () => {
    for (const [name, server] of fleet.servers) {
      const n = server.objectCount();
      expect([name, n >= 60 && n <= 240]).toEqual([name, true]);
    }
  });
});

describe('fixture integrity', () => {
  const served = new Set(RESOURCE_TYPES.map((t) => t.kind));
  type Obj = {
    kind: string;
    metadata: { name: string; namespace?: string; uid?: string; ownerReferences?: Array<{ kind: string; name: string; uid: string }> };
    spec?: { nodeName?: string; serviceAccountName?: string };
  };

  for (const name of ['prod-eu', 'staging-us', 'dev-k3s', 'analytics-eks']) {
    test(`${name}: uids unique, owner references and node/service-account references resolve`, () => {
      const objs = loadFixtureDir(join(demoFixturesDir(), name)) as unknown as Obj[];
      const byUid = new Map<string, Obj>();
      for (const o of objs) {
        expect(o.metadata.uid).toBeDefined();
        expect(byUid.has(o.metadata.uid ?? '')).toBe(false);
        byUid.set(o.metadata.uid ?? '', o);
      }
      const nodes = new Set(objs.filter((o) => o.kind === 'Node').map((o) => o.metadata.name));
      const sas = new Set(objs.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
      for (const o of objs) {
        for (const ref of o.metadata.ownerReferences ?? []) {
          if (!served.has(ref.kind)) continue; // e.g. k3s HelmChart (a CRD)
          const owner = byUid.get(ref.uid);
          expect([o.metadata.name, owner?.kind, owner?.metadata.name]).toEqual([o.metadata.name, ref.kind, ref.name]);
        }
        if (o.kind === 'Pod') {
          expect(nodes.has(o.spec?.nodeName ?? '')).toBe(true);
          if (o.spec?.serviceAccountName) expect([o.metadata.name, sas.has(`${o.metadata.namespace}/${o.spec.serviceAccountName}`)]).toEqual([o.metadata.name, true]);
        }
      }
    });
  }

  test('a bad YAML document is reported with its file and document number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-fixture-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [unclosed\n');
      expect(() => loadFixtureFile(file)).toThrow(`${file} (document 2): invalid YAML`);
      writeFileSync(file, '---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n---\n- not an object\n');
      expect(() => loadFixtureFile(file)).toThrow(`${file} (document 2): a document must be a mapping`);
      writeFileSync(file, 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n');
      expect(loadFixtureFile(file)).toHaveLength(1);
      writeFileSync(join(dir, 'fleet.yaml'), 'auth: {mode: carrier-pigeon, user: x}\n');
      expect(() => readFleetFile(join(dir, 'fleet.yaml'))).toThrow(/fleet\.yaml: auth\.mode/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
