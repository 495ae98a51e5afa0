import { MalformedObjectError, normalizeObject, RESOURCE_OF_KIND, resourceOf } from '../../src/collect/normalize.js';
import { RESOURCE_KINDS } from '../../src/core/types.js';

describe('normalizeObject', () => {
  it('fills kind and apiVersion that list items omit', () => {
    expect(normalizeObject({ metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [] } }, 'deployments')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { containers: [] },
    });
  });

  it('keeps a Secret as metadata and type, whatever the input holds', () => {
    const raw = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'shop',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"c2VjcmV0"}}' },
        managedFields: [{ manager: 'kubectl' }],
      },
      type: 'kubernetes.io/basic-auth',
      data: { password: 'c2VjcmV0' },
      stringData: { username: 'admin' },
      immutable: true,
    };
    expect(normalizeObject(raw, 'secrets')).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, type: 'kubernetes.io/basic-auth' });
  });

  it('turns a metadata-only list item (PartialObjectMetadata) into its real kind', () => {
    const raw = { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name: 'tls', namespace: 'shop', uid: 'u1' } };
    expect(normalizeObject(raw, 'secrets')).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'shop', uid: 'u1' } });
  });

  it('keeps status only for nodes and services, and only the fields controls read', () => {
    const node = normalizeObject(
      { kind: 'Node', metadata: { name: 'n1' }, status: { nodeInfo: { kubeletVersion: 'v1.34.0' }, images: [{ names: ['x'] }], allocatable: { cpu: '4' } } },
      'nodes',
    );
    expect(node.status).toEqual({ nodeInfo: { kubeletVersion: 'v1.34.0' } });
    const podStatus = normalizeObject({ kind: 'Pod', metadata: { name: 'p' }, spec: {}, status: { phase: 'Running' } }, 'pods').status;
    expect(podStatus).toBeUndefined();
  });

  it('keeps RBAC fields on RBAC objects only', () => {
    const role = normalizeObject(
      { kind: 'ClusterRole', metadata: { name: 'view' }, rules: [{ verbs: ['get'] }], aggregationRule: { clusterRoleSelectors: [] } },
      'clusterroles',
    );
    expect(role).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'view' },
      rules: [{ verbs: ['get'] }],
      aggregationRule: { clusterRoleSelectors: [] },
    });
    expect(normalizeObject({ kind: 'Pod', metadata: { name: 'p' }, rules: [] }, 'pods').rules).toBeUndefined();
  });

  it('does not share structure with its input', () => {
    const raw = { kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } };
    const out = normalizeObject(raw, 'pods');
    raw.spec.containers.push({ name: 'd' });
    raw.metadata.labels.a = 'changed';
    expect(out.spec).toEqual({ containers: [{ name: 'c' }] });
    expect(out.metadata.labels).toEqual({ a: 'b' });
  });

  it.each([
    ['not an object', 'x', undefined, 'pods: expected an object, got "x"'],
    ['null', null, 4, 'pods[4]: expected an object, got null'],
    ['no metadata', { kind: 'Pod' }, 2, 'pods[2]: metadata is missing or not an object'],
    ['no name', { kind: 'Pod', metadata: { namespace: 'x' } }, 0, 'pods[0]: metadata.name is missing'],
    ['wrong kind', { kind: 'Service', metadata: { name: 's', namespace: 'x' } }, 1, 'pods/x/s: kind "Service" does not belong to pods (expected Pod)'],
    ['spec not an object', { metadata: { name: 'p' }, spec: [] }, undefined, 'pods/p: spec must be an object, got a list'],
    ['annotation not a string', { metadata: { name: 'p', annotations: { replicas: 3 } } }, undefined, 'pods/p: metadata.annotations.replicas must be a string, got number 3'],
  ])('throws MalformedObjectError: %s', (_title, raw, index, message) => {
    let caught: unknown;
    try {
      normalizeObject(raw, 'pods', index);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MalformedObjectError);
    expect((caught as MalformedObjectError).message).toBe(message);
    expect((caught as MalformedObjectError).resource).toBe('pods');
  });
});

describe('RESOURCE_OF_KIND and resourceOf', () => {
  it('maps a kind to every collected resource', () => {
    expect(new Set(Object.values(RESOURCE_OF_KIND))).toEqual(new Set(RESOURCE_KINDS));
  });

  it.each([
    ['apps/v1', 'Deployment', 'deployments'],
    ['extensions/v1beta1', 'Deployment', 'deployments'],
    ['batch/v1', 'Job', 'jobs'],
    ['batch.volcano.sh/v1alpha1', 'Job', undefined],
    ['v1', 'Pod', 'pods'],
    ['apps/v1', 'Pod', undefined],
    [undefined, 'ClusterRoleBinding', 'clusterrolebindings'],
    ['v1', 'ConfigMap', 'configmaps'],
    ['policy/v1', 'PodDisruptionBudget', undefined],
    ['v1', 'toString', undefined],
  ])('%s %s -> %s', (apiVersion, kind, resource) => {
    expect(resourceOf(apiVersion, kind)).toBe(resource);
  });
});
