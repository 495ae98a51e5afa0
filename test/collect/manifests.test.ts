import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifests, ManifestError } from '../../src/collect/manifests.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { CONTROLS } from '../../src/controls/index.js';

const DIR = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));
const at = (rel: string): string => join(DIR, rel);
const NOW = new Date('2026-11-01T12:00:00Z');

/** The one problem loading `paths` reports (the test fails on none or several). */
async function loadError(paths: string[]): Promise<ManifestError> {
  const { unreadable } = await loadManifests(paths, { collectedAt: NOW });
  expect(unreadable).toHaveLength(1);
  expect(unreadable[0]).toBeInstanceOf(ManifestError);
  return unreadable[0] as ManifestError;
}

describe('loadManifests', () => {
  it('reads a directory recursively: multi-document YAML, .yml, nothing else', async () => {
    const { snapshot, skipped } = await loadManifests([at('app')], { collectedAt: NOW });
    expect(snapshot).toMatchObject({
      cluster: 'manifests',
      labels: {},
      collectedAt: '2026-11-01T12:00:00.000Z',
      provider: 'unknown',
      controlPlane: [],
      kubelets: [],
      gaps: [],
      source: 'manifests',
    });
    const names = Object.fromEntries(Object.entries(snapshot.objects).map(([k, list]) => [k, list.map((o) => `${o.kind}/${o.metadata.name}`)]));
    expect(names).toEqual({
      namespaces: ['Namespace/shop'],
      deployments: ['Deployment/storefront'],
      services: ['Service/storefront'],
      secrets: ['Secret/storefront-db'],
      roles: ['Role/storefront-reader'],
      rolebindings: ['RoleBinding/storefront-reader'],
      serviceaccounts: ['ServiceAccount/storefront'],
      configmaps: ['ConfigMap/storefront-config'],
    });
    // The comment-only document is neither an object nor a skip; unknown kinds are listed.
    expect(skipped).toEqual([
      { file: at('app/shop.yaml'), doc: 6, kind: 'Job', reason: 'batch.volcano.sh/v1alpha1 Job is not a resource complyd judges' },
    ]);
  });

  it('reads YAML as kubectl does: `yes` is true', async () => {
    const { snapshot } = await loadManifests([at('app/shop.yaml')], { collectedAt: NOW });
    expect(snapshot.objects.deployments?.[0]?.spec).toMatchObject({ template: { spec: { hostNetwork: true } } });
    const findings = evaluate(snapshot, CONTROLS.filter((c) => c.id === 'PSS-host-network'), NOW);
    expect(findings.map((f) => [f.status, f.resource.name, f.evidence?.path])).toEqual([['fail', 'storefront', 'spec.template.spec.hostNetwork']]);
  });

  it('keeps the fields controls read and drops the rest', async () => {
    const { snapshot } = await loadManifests([at('app')], { collectedAt: NOW });
    const deploy = snapshot.objects.deployments?.[0];
    expect(deploy?.metadata).toEqual({ name: 'storefront', namespace: 'shop', labels: { app: 'storefront' } });
    expect(snapshot.objects.services?.[0]?.status).toEqual({ loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } });
    expect(snapshot.objects.serviceaccounts?.[0]).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'storefront', namespace: 'shop' },
      automountServiceAccountToken: false,
    });
    expect(snapshot.objects.rolebindings?.[0]).toMatchObject({
      subjects: [{ kind: 'ServiceAccount', name: 'storefront', namespace: 'shop' }],
      roleRef: { kind: 'Role', name: 'storefront-reader' },
    });
  });

  it('never keeps a Secret value, not even inside last-applied-configuration', async () => {
    const { snapshot } = await loadManifests([at('app/secret.yaml')], { collectedAt: NOW });
    expect(snapshot.objects.secrets).toEqual([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'storefront-db', namespace: 'shop', annotations: { owner: 'team-shop' } }, type: 'Opaque' },
    ]);
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain('aHVudGVyMi1zM2NyM3Q=');
    expect(text).not.toContain('storefront-admin-7f3k');
  });

  it('reads a `kubectl get -o json` List dump', async () => {
    const { snapshot, skipped } = await loadManifests([at('list-dump.json')], { collectedAt: NOW });
    const [p] = snapshot.objects.pods ?? [];
    expect(p?.metadata).toEqual({
      name: 'storefront-6d4b9c7f5-abcde',
      namespace: 'shop',
      uid: '3b1f0c2e-6a55-4c0b-9d0e-0f6a1c2b3d4e',
      creationTimestamp: '2026-10-30T08:12:44Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'storefront-6d4b9c7f5', uid: '9f1c', controller: true }],
    });
    expect(p?.status).toBeUndefined();
    expect(snapshot.objects.nodes?.[0]?.status).toEqual({
      nodeInfo: { kubeletVersion: 'v1.34.1', osImage: 'Debian GNU/Linux 12 (bookworm)' },
      addresses: [{ type: 'InternalIP', address: '172.18.0.3' }, { type: 'Hostname', address: 'worker-1' }],
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    // The ConfigMap is kept as its key names only.
    expect(skipped).toEqual([]);
    expect(snapshot.objects.configmaps?.map((c) => Object.keys(c).sort())).toEqual([expect.not.arrayContaining(['data'])]);
    // The pod's ReplicaSet is not in the dump, so the pod is judged itself.
    const findings = evaluate(snapshot, CONTROLS.filter((c) => c.id === 'PSS-privileged'), NOW);
    expect(findings.map((f) => [f.status, f.resource.kind, f.resource.container])).toEqual([['fail', 'Pod', 'web']]);
  });

  it('fills kind and apiVersion of typed list items (PodList)', async () => {
    const { snapshot } = await loadManifests([at('podlist.json')], { collectedAt: NOW });
    expect(snapshot.objects.pods?.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([['v1', 'Pod', 'kube-apiserver-control-plane']]);
  });

  it('keeps the last of two definitions of one object and lists the first', async () => {
    const { snapshot, skipped } = await loadManifests([at('duplicate.yaml')], { collectedAt: NOW });
    expect(snapshot.objects.serviceaccounts?.map((o) => o.automountServiceAccountToken)).toEqual([false]);
    expect(skipped).toEqual([
      { file: at('duplicate.yaml'), doc: 1, kind: 'ServiceAccount', reason: `serviceaccounts/ci/builder is defined again in ${at('duplicate.yaml')} document 2; the later one is used` },
    ]);
  });

  it('reads several paths in order', async () => {
    const { snapshot } = await loadManifests([at('podlist.json'), at('list-dump.json')], { collectedAt: NOW });
    expect(snapshot.objects.pods?.map((o) => o.metadata.name)).toEqual(['kube-apiserver-control-plane', 'storefront-6d4b9c7f5-abcde']);
  });

  it('defaults collectedAt to now', async () => {
    const before = Date.now();
    const { snapshot } = await loadManifests([at('podlist.json')]);
    expect(Date.parse(snapshot.collectedAt)).toBeGreaterThanOrEqual(before);
  });
});

describe('loadManifests errors', () => {
  it('names file, document and line of a YAML syntax error', async () => {
    const err = await loadError([at('broken/syntax.yaml')]);
    expect(err.message).toMatch(new RegExp(`^${escape(at('broken/syntax.yaml'))}: document 2 \\(line \\d+\\): invalid YAML: `));
    expect(err).toMatchObject({ file: at('broken/syntax.yaml'), doc: 2, code: 'MANIFEST' });
    expect(err.line).toBeGreaterThanOrEqual(11);
  });

  it('names the document of an object without a name, and the line it starts on', async () => {
    const err = await loadError([at('broken/no-name.yaml')]);
    expect(err.message).toBe(`${at('broken/no-name.yaml')}: document 2 (line 8): deployments: metadata.name is missing`);
  });

  it('refuses a label that is not a string, as the API server does', async () => {
    const err = await loadError([at('broken/bad-label.yaml')]);
    expect(err.message).toBe(`${at('broken/bad-label.yaml')}: document 1 (line 1): pods/labelled: metadata.labels.canary must be a string, got boolean true`);
  });

  it('names the line of truncated JSON', async () => {
    const err = await loadError([at('broken/truncated.json')]);
    expect(err.message).toMatch(new RegExp(`^${escape(at('broken/truncated.json'))}: document 1 \\(line \\d+\\): invalid JSON: `));
    expect(err.line).toBeGreaterThanOrEqual(5);
  });

  it('refuses a document that is not an object', async () => {
    const err = await loadError([at('broken/scalar.yaml')]);
    expect(err.message).toBe(`${at('broken/scalar.yaml')}: document 1 (line 1): expected a Kubernetes object, got string`);
  });

  it('names a path that does not exist', async () => {
    const err = await loadError([at('nowhere.yaml')]);
    expect(err.message).toBe(`${at('nowhere.yaml')}: cannot read: no such file or directory (ENOENT)`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
