import type { Finding, KubeObject, Snapshot } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { NOW, snapshotOf } from './pss-helpers.js';

/**
 * Pass, fail and edge fixtures of the hardening RBAC controls (exec, workload write, cluster
 * management) and of HARD-service-exposure.
 */

function judge(controlId: string, objects: KubeObject[], change: Partial<Snapshot> = {}): Finding[] {
  const control = CONTROLS.find((c) => c.id === controlId);
  if (!control) throw new Error(`unknown control ${controlId}`);
  return evaluate({ ...snapshotOf(objects), ...change }, [control], NOW);
}

const summary = (fs: Finding[]) => fs.map((f) => [f.status, `${f.resource.kind}/${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`, f.evidence?.path, f.message?.startsWith('latent:') ?? false]);

const rbac = 'rbac.authorization.k8s.io/v1';
const rule = (apiGroups: string[], resources: string[], verbs: string[], extra: Record<string, unknown> = {}) => ({ apiGroups, resources, verbs, ...extra });
const clusterRole = (name: string, rules: unknown[], labels?: Record<string, string>): KubeObject => ({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name, ...(labels ? { labels } : {}) }, rules });
const role = (namespace: string, name: string, rules: unknown[]): KubeObject => ({ apiVersion: rbac, kind: 'Role', metadata: { name, namespace }, rules });
const crb = (name: string, roleName: string, subjects: unknown[]): KubeObject => ({
  apiVersion: rbac,
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
});
const rb = (namespace: string, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, subjects: unknown[]): KubeObject => ({
  apiVersion: rbac,
  kind: 'RoleBinding',
  metadata: { name, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  subjects,
});
const alice = { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' };
const controllerSa = { kind: 'ServiceAccount', name: 'deployment-controller', namespace: 'kube-system' };
const everyone = { kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' };

/** A role with one rule, bound to alice cluster-wide: what HARD-<id> says about the binding. */
const bound = (id: string, r: unknown, subject: unknown = alice) => summary(judge(id, [clusterRole('r', [r]), crb('b', 'r', [subject])]));
const FAIL_BINDING = [['fail', 'ClusterRoleBinding/b', 'subjects[0]', false]];
const PASS_CLUSTER = [['pass', 'Cluster/test', undefined, false]];

describe('HARD-rbac-pod-exec', () => {
  it.each([
    ['create pods/exec', rule([''], ['pods/exec'], ['create'])],
    ['get pods/exec (the GET upgrade of older clients)', rule([''], ['pods/exec'], ['get'])],
    ['create pods/attach', rule([''], ['pods/attach'], ['create'])],
    ['get pods/portforward', rule([''], ['pods/portforward'], ['get'])],
    ['*/exec, every exec subresource', rule([''], ['*/exec'], ['create'])],
    ['* verbs on * resources', rule([''], ['*'], ['*'])],
  ])('fails a binding that grants %s', (_name, r) => expect(bound('HARD-rbac-pod-exec', r)).toEqual(FAIL_BINDING));

  it.each([
    ['pods only (not its subresources)', rule([''], ['pods'], ['*'])],
    ['pods/log', rule([''], ['pods/log'], ['get', 'list'])],
    ['pods/exec with list and watch only', rule([''], ['pods/exec'], ['list', 'watch'])],
    ['pods/exec in another API group', rule(['apps'], ['pods/exec'], ['create'])],
    ['pods/exec on one named pod only (resourceNames)', rule([''], ['pods/exec'], ['create'], { resourceNames: ['debug'] })],
  ])('passes a binding that grants %s', (_name, r) => expect(bound('HARD-rbac-pod-exec', r)).toEqual(PASS_CLUSTER));

  it("passes Kubernetes' own identities, fails a group of everyone", () => {
    const exec = rule([''], ['pods/exec'], ['create']);
    expect(bound('HARD-rbac-pod-exec', exec, controllerSa)).toEqual(PASS_CLUSTER);
    expect(bound('HARD-rbac-pod-exec', exec, everyone)).toEqual(FAIL_BINDING);
  });

  it('fails a RoleBinding of a ClusterRole in its namespace', () => {
    const objects = [clusterRole('exec', [rule([''], ['pods/exec'], ['create'])]), rb('team', 'oncall', { kind: 'ClusterRole', name: 'exec' }, [alice])];
    expect(summary(judge('HARD-rbac-pod-exec', objects))).toEqual([['fail', 'RoleBinding/team/oncall', 'subjects[0]', false]]);
  });

  it('fails an unbound Role that allows exec as latent, on the role', () => {
    expect(summary(judge('HARD-rbac-pod-exec', [role('team', 'debugger', [rule([''], ['pods/portforward'], ['create'])])]))).toEqual([['fail', 'Role/team/debugger', 'rules[0]', true]]);
  });

  it('is unknown, never a pass, for a binding whose role is not among the manifests', () => {
    expect(summary(judge('HARD-rbac-pod-exec', [crb('b', 'not-here', [alice])]))).toEqual([['unknown', 'ClusterRoleBinding/b', undefined, false]]);
  });

  it('is unknown, never a pass, when the bindings could not be read', () => {
    const gaps: Snapshot['gaps'] = [{ evidence: 'rolebindings', reason: 'forbidden', message: 'list rolebindings: HTTP 403' }];
    const found = judge('HARD-rbac-pod-exec', [clusterRole('view', [rule([''], ['pods'], ['get'])]), crb('b', 'view', [alice])], { gaps, source: 'cluster' });
    expect(found.map((f) => f.status)).not.toContain('pass');
    expect(found.map((f) => f.status)).toContain('unknown');
  });
});

describe('HARD-rbac-workload-write', () => {
  it.each([
    ['apps', 'deployments'],
    ['apps', 'daemonsets'],
    ['apps', 'statefulsets'],
    ['apps', 'replicasets'],
    ['batch', 'jobs'],
    ['batch', 'cronjobs'],
    ['', 'replicationcontrollers'],
  ])('fails create, update or patch on %s/%s', (group, resource) => {
    for (const verb of ['create', 'update', 'patch']) expect(bound('HARD-rbac-workload-write', rule([group], [resource], [verb]))).toEqual(FAIL_BINDING);
  });

  it.each([
    ['reading workloads', rule(['apps', 'batch'], ['deployments', 'jobs'], ['get', 'list', 'watch'])],
    ['deleting workloads', rule(['apps'], ['deployments'], ['delete'])],
    ['scaling only (the scale subresource)', rule(['apps'], ['deployments/scale'], ['update', 'patch'])],
    ['deployments in the wrong API group', rule(['extensions-not-apps'], ['deployments'], ['create'])],
  ])('passes %s', (_name, r) => expect(bound('HARD-rbac-workload-write', r)).toEqual(PASS_CLUSTER));

  it('fails a RoleBinding to a namespaced Role that writes Deployments, and reports the Role as latent only while unbound', () => {
    const deployer = role('team', 'deployer', [rule(['apps'], ['deployments'], ['create', 'update', 'patch'])]);
    expect(summary(judge('HARD-rbac-workload-write', [deployer]))).toEqual([['fail', 'Role/team/deployer', 'rules[0]', true]]);
    expect(summary(judge('HARD-rbac-workload-write', [deployer, rb('team', 'ci', { kind: 'Role', name: 'deployer' }, [alice])]))).toEqual([['fail', 'RoleBinding/team/ci', 'subjects[0]', false]]);
  });
});

describe('HARD-rbac-cluster-management', () => {
  it.each([
    ['writing ClusterRoleBindings', rule(['rbac.authorization.k8s.io'], ['clusterrolebindings'], ['create'])],
    ['writing CRDs', rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], ['update'])],
    ['deleting Namespaces', rule([''], ['namespaces'], ['delete'])],
    ['patching Nodes', rule([''], ['nodes'], ['patch'])],
    ['cluster-admin spelled verb by verb', rule(['*'], ['*'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'])],
  ])('fails a ClusterRoleBinding granting %s', (_name, r) => expect(bound('HARD-rbac-cluster-management', r)).toEqual(FAIL_BINDING));

  it.each([
    ['reading cluster roles', rule(['rbac.authorization.k8s.io'], ['clusterroles', 'clusterrolebindings'], ['get', 'list', 'watch'])],
    ['creating Namespaces (not changing existing ones)', rule([''], ['namespaces'], ['create'])],
    ['writing namespaced Roles', rule(['rbac.authorization.k8s.io'], ['roles', 'rolebindings'], ['create', 'update'])],
  ])('passes %s', (_name, r) => expect(bound('HARD-rbac-cluster-management', r)).toEqual(PASS_CLUSTER));

  it('passes a RoleBinding of a ClusterRole that manages nodes: a RoleBinding never grants cluster-scoped resources', () => {
    const objects = [clusterRole('node-admin', [rule([''], ['nodes'], ['delete'])]), rb('team', 'b', { kind: 'ClusterRole', name: 'node-admin' }, [alice])];
    expect(summary(judge('HARD-rbac-cluster-management', objects))).toEqual(PASS_CLUSTER);
  });

  it('does not report a Role as latent for cluster-scoped rights it can never grant', () => {
    expect(summary(judge('HARD-rbac-cluster-management', [role('team', 'odd', [rule([''], ['nodes'], ['delete'])])]))).toEqual([]);
  });

  it("leaves Kubernetes' own unbound roles alone", () => {
    const own = clusterRole('admin', [rule(['*'], ['*'], ['*'])], { 'kubernetes.io/bootstrapping': 'rbac-defaults' });
    expect(summary(judge('HARD-rbac-cluster-management', [own]))).toEqual([]);
  });
});

describe('HARD-service-exposure', () => {
  const service = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'web' }, spec: { ports: [{ port: 80 }], ...spec } });
  const run = (objects: KubeObject[], change: Partial<Snapshot> = {}) => judge('HARD-service-exposure', objects, change).map((f) => [f.status, f.resource.name, f.evidence?.path, f.evidence?.observed]);

  it.each([
    ['ClusterIP', { type: 'ClusterIP' }],
    ['no type (ClusterIP by default)', {}],
    ['headless', { clusterIP: 'None' }],
    ['ExternalName', { type: 'ExternalName', externalName: 'db.example.com' }],
    ['an empty externalIPs list', { externalIPs: [] }],
  ])('passes %s', (_name, spec) => expect(run([service('s', spec)])).toEqual([['pass', 's', undefined, undefined]]));

  it('fails NodePort and LoadBalancer, one finding per Service', () => {
    expect(run([service('np', { type: 'NodePort' }), service('lb', { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'] })])).toEqual([
      ['fail', 'np', 'spec.type', 'NodePort'],
      ['fail', 'lb', 'spec.type', 'LoadBalancer'],
    ]);
  });

  it('fails externalIPs on a ClusterIP Service, and names both fields when both expose it', () => {
    expect(run([service('ext', { externalIPs: ['203.0.113.7'] })])).toEqual([['fail', 'ext', 'spec.externalIPs', '["203.0.113.7"]']]);
    const [both] = judge('HARD-service-exposure', [service('both', { type: 'LoadBalancer', externalIPs: ['203.0.113.7'] })], {});
    expect([both?.status, both?.evidence?.path]).toEqual(['fail', 'spec']);
    expect(both?.evidence?.observed).toContain('LoadBalancer');
    expect(both?.evidence?.observed).toContain('203.0.113.7');
  });

  it('is unknown, never a pass, when Services could not be read', () => {
    const gaps: Snapshot['gaps'] = [{ evidence: 'services', reason: 'forbidden', message: 'list services: HTTP 403' }];
    expect(judge('HARD-service-exposure', [], { gaps, source: 'cluster' }).map((f) => f.status)).toEqual(['unknown']);
  });
});
