import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../../src/collect/manifests.js';
import { UsageError } from '../../src/core/errors.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { CONTROLS } from '../../src/controls/index.js';

const NOW = new Date('2026-11-01T12:00:00Z');

/** Objects without metadata.namespace, as `kubectl create deployment --dry-run -o yaml` writes them. */
const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers: [{ name: app, image: nginx:1.27 }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: web-edit }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit }
subjects: [{ kind: ServiceAccount, name: web }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: reader }
rules: [{ apiGroups: [''], resources: [pods], verbs: [get] }]
---
apiVersion: v1
kind: Namespace
metadata: { name: shop }
`;

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'complyd-ns-'));
  file = join(dir, 'app.yaml');
  await writeFile(file, MANIFEST);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('manifests without metadata.namespace', () => {
  it('are placed in default, as kubectl apply does; cluster-scoped objects stay outside namespaces', async () => {
    const { snapshot } = await loadManifests([file], { collectedAt: NOW });
    expect(snapshot.objects.deployments?.[0]?.metadata.namespace).toBe('default');
    expect(snapshot.objects.rolebindings?.[0]?.metadata.namespace).toBe('default');
    expect(snapshot.objects.clusterroles?.[0]?.metadata.namespace).toBeUndefined();
    expect(snapshot.objects.namespaces?.[0]?.metadata.namespace).toBeUndefined();
  });

  it('are placed in the namespace given, as kubectl apply -n does', async () => {
    const { snapshot } = await loadManifests([file], { collectedAt: NOW, namespace: 'shop' });
    expect(snapshot.objects.deployments?.[0]?.metadata.namespace).toBe('shop');
    expect(snapshot.objects.rolebindings?.[0]?.metadata.namespace).toBe('shop');
  });

  it('are judged by the default-namespace control there', async () => {
    const { snapshot } = await loadManifests([file], { collectedAt: NOW });
    const findings = evaluate(snapshot, CONTROLS.filter((c) => c.id === 'CIS-5.6.4'), NOW);
    expect(findings.some((f) => f.status === 'fail' && f.resource.namespace === 'default')).toBe(true);
    const elsewhere = await loadManifests([file], { collectedAt: NOW, namespace: 'shop' });
    const moved = evaluate(elsewhere.snapshot, CONTROLS.filter((c) => c.id === 'CIS-5.6.4'), NOW);
    expect(moved.some((f) => f.status === 'fail')).toBe(false);
  });

  it('are judged by the namespace controls and resolve their service accounts there', async () => {
    // The same objects, all without a namespace but the Namespace itself: loaded with -n shop they
    // meet shop's Pod Security labels, its NetworkPolicy and its ServiceAccount.
    const shop = join(dir, 'shop.yaml');
    await writeFile(
      shop,
      `${MANIFEST.replace('metadata: { name: shop }', "metadata: { name: shop, labels: { pod-security.kubernetes.io/enforce: restricted } }").replace('containers: [', 'serviceAccountName: web\n      containers: [')}
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: web }
automountServiceAccountToken: false
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny }
spec: { podSelector: {} }
`,
    );
    const judged = async (namespace?: string) => {
      const { snapshot } = await loadManifests([shop], { collectedAt: NOW, ...(namespace ? { namespace } : {}) });
      const ids = ['CIS-5.1.6', 'CIS-5.2.1', 'CIS-5.3.2'];
      return evaluate(snapshot, CONTROLS.filter((c) => ids.includes(c.id)), NOW)
        .filter((f) => f.resource.namespace === (namespace ?? 'default') || f.resource.name === (namespace ?? 'default'))
        .map((f) => [f.controlId, f.status]);
    };
    expect(await judged('shop')).toEqual([
      ['CIS-5.1.6', 'pass'],
      ['CIS-5.2.1', 'pass'],
      ['CIS-5.3.2', 'pass'],
    ]);
    // In default, the Namespace object named shop does not apply: its labels are unknown, never a pass.
    expect((await judged()).find(([id]) => id === 'CIS-5.2.1')).toEqual(['CIS-5.2.1', 'unknown']);
  });

  it('refuse a namespace name the API server would refuse, naming the option', async () => {
    await expect(loadManifests([file], { namespace: 'Shop_1' })).rejects.toThrow(UsageError);
    await expect(loadManifests([file], { namespace: 'Shop_1' })).rejects.toThrow(/--namespace: "Shop_1"/);
  });
});
