import type { KubeObject } from '../../src/core/types.js';
import {
  RbacGraph,
  describeSubject,
  isBroadSubject,
  isSystemSubject,
  ruleAllows,
  parseRule,
  selectorMatches,
  type AccessQuery,
  type RbacObjects,
} from '../../src/evaluate/rbac.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };

const clusterRole = (name: string, rules: Rule[], extra: Partial<KubeObject> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: RBAC,
  kind: 'ClusterRole',
  metadata: { name, ...(labels ? { labels } : {}) },
  rules,
  ...extra,
});
const role = (namespace: string, name: string, rules: Rule[]): KubeObject => ({ apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules });
const subject = (kind: string, name: string, namespace?: string) => ({ kind, name, ...(namespace ? { namespace } : {}) });
const crb = (name: string, roleName: string, subjects: unknown[]): KubeObject => ({
  apiVersion: RBAC,
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
});
const rb = (namespace: string, name: string, ref: { kind: 'Role' | 'ClusterRole'; name: string }, subjects: unknown[]): KubeObject => ({
  apiVersion: RBAC,
  kind: 'RoleBinding',
  metadata: { name, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...ref },
  subjects,
});

function graph(objects: KubeObject[]): RbacGraph {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const input: RbacObjects = { roles: of('Role'), clusterRoles: of('ClusterRole'), roleBindings: of('RoleBinding'), clusterRoleBindings: of('ClusterRoleBinding') };
  return new RbacGraph(input);
}

/** Who can, as `Kind name@scope` strings. */
function who(g: RbacGraph, q: AccessQuery): string[] {
  return [...new Set(g.whoCan(q).map((m) => `${describeSubject(m.grant.subject)}@${m.grant.namespace ?? '*'}`))].sort();
}

const readSecrets: AccessQuery = { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] };

describe('ClusterRole aggregation', () => {
  const view = clusterRole('view', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }], {}, { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' });
  const edit = clusterRole(
    'edit',
    [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create'] }],
    { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } }] } },
    { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' },
  );
  const admin = clusterRole('admin', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] } });
  const binding = rb('dev', 'developers-admin', { kind: 'ClusterRole', name: 'admin' }, [subject('Group', 'developers')]);

  it('gathers the rules of matching ClusterRoles, transitively, and names where each rule is written', () => {
    const g = graph([view, edit, admin, binding]);
    const matches = g.whoCan(readSecrets);
    expect(matches).toHaveLength(1);
    expect(matches[0]?.rule.source).toEqual({ kind: 'ClusterRole', name: 'edit' });
    expect(matches[0]?.rule.index).toBe(0);
    // view's rule reaches admin through edit.
    expect(who(g, { apiGroups: [''], resources: ['pods'], verbs: ['list'] })).toEqual(['Group developers@dev']);
  });

  it('keeps a rule the controller already copied into the aggregated role once, at the role\'s own index', () => {
    const copied = clusterRole('admin', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create'] }], {
      aggregationRule: admin.aggregationRule ?? {},
    });
    const g = graph([view, edit, copied, binding]);
    const rules = g.role({ kind: 'ClusterRole', name: 'admin' })?.rules ?? [];
    expect(rules.map((r) => `${r.source.name}[${r.index}]`)).toEqual(['admin[0]', 'view[0]']);
  });

  it('matches selectors with matchExpressions and survives aggregation cycles', () => {
    const a = clusterRole('a', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }], {
      aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['b'] }] }] },
    }, { team: 'a' });
    const b = clusterRole('b', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], {
      aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] }] },
    }, { team: 'b' });
    const g = graph([a, b, crb('a', 'a', [subject('User', 'alice')])]);
    expect(who(g, { apiGroups: [''], resources: ['secrets'], verbs: ['get'] })).toEqual(['User alice@*']);
  });

  it('evaluates label selectors as Kubernetes does', () => {
    const labels = { tier: 'web', env: 'prod' };
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { tier: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { tier: 'db' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  });
});

describe('wildcards', () => {
  const allows = (rule: Rule, q: AccessQuery) => ruleAllows(parseRule(rule), q);

  it('"*" in verbs, apiGroups or resources matches anything', () => {
    expect(allows({ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }, readSecrets)).toBe(true);
    expect(allows({ apiGroups: ['*'], resources: ['secrets'], verbs: ['list'] }, readSecrets)).toBe(true);
    expect(allows({ apiGroups: [''], resources: ['*'], verbs: ['watch'] }, readSecrets)).toBe(true);
    expect(allows({ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }, readSecrets)).toBe(false);
  });

  it('"*" in resources covers subresources; a resource does not cover its subresources', () => {
    const exec: AccessQuery = { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] };
    expect(allows({ apiGroups: [''], resources: ['*'], verbs: ['create'] }, exec)).toBe(true);
    expect(allows({ apiGroups: [''], resources: ['pods'], verbs: ['create'] }, exec)).toBe(false);
    expect(allows({ apiGroups: [''], resources: ['*/exec'], verbs: ['create'] }, exec)).toBe(true);
    expect(allows({ apiGroups: [''], resources: ['*/exec'], verbs: ['create'] }, { apiGroups: [''], resources: ['pods'], verbs: ['create'] })).toBe(false);
  });

  it('a query without verbs asks about any verb; nonResourceURLs rules grant no resource', () => {
    const anyVerb: AccessQuery = { apiGroups: [''], resources: ['nodes/proxy'] };
    expect(allows({ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }, anyVerb)).toBe(true);
    expect(allows({ nonResourceURLs: ['*'], verbs: ['*'] }, anyVerb)).toBe(false);
  });
});

describe('subresources', () => {
  it('tells nodes from nodes/proxy, serviceaccounts from serviceaccounts/token, CSRs from their approval', () => {
    const cases: Array<[Rule, AccessQuery, boolean]> = [
      [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }, { apiGroups: [''], resources: ['nodes/proxy'] }, false],
      [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }, { apiGroups: [''], resources: ['nodes/proxy'] }, true],
      [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['create'] }, { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }, false],
      [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }, { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }, true],
      [
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['update'] },
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
        false,
      ],
      [
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['patch'] },
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update', 'patch'] },
        true,
      ],
      // "any subresource of userextras", as impersonation of extra fields asks.
      [{ apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes'], verbs: ['impersonate'] }, { apiGroups: ['authentication.k8s.io'], resources: ['userextras/*'], verbs: ['impersonate'] }, true],
    ];
    for (const [rule, q, expected] of cases) expect([rule, ruleAllows(parseRule(rule), q)]).toEqual([rule, expected]);
  });
});

describe('resourceNames', () => {
  const named: Rule = { apiGroups: [''], resources: ['secrets'], resourceNames: ['api-credentials'], verbs: ['get', 'list'] };

  it('does not answer a question about any object of the resource', () => {
    expect(ruleAllows(parseRule(named), readSecrets)).toBe(false);
  });

  it('answers for the objects it names only', () => {
    expect(ruleAllows(parseRule(named), { ...readSecrets, resourceName: 'api-credentials' })).toBe(true);
    expect(ruleAllows(parseRule(named), { ...readSecrets, resourceName: 'db-password' })).toBe(false);
    // Without names, a rule answers for every name.
    expect(ruleAllows(parseRule({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }), { ...readSecrets, resourceName: 'db-password' })).toBe(true);
  });
});

describe('bindings and their scope', () => {
  const secretsReader = clusterRole('secrets-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
  const nodeAdmin = clusterRole('node-admin', [{ apiGroups: [''], resources: ['nodes/proxy', 'persistentvolumes', 'pods'], verbs: ['*'] }]);

  it('limits a RoleBinding that references a ClusterRole to the binding\'s namespace', () => {
    const g = graph([secretsReader, rb('shop', 'read', { kind: 'ClusterRole', name: 'secrets-reader' }, [subject('Group', 'shop-devs')])]);
    expect(who(g, readSecrets)).toEqual(['Group shop-devs@shop']);
    expect(who(g, { ...readSecrets, namespace: 'shop' })).toEqual(['Group shop-devs@shop']);
    expect(who(g, { ...readSecrets, namespace: 'payments' })).toEqual([]);
  });

  it('grants nothing cluster-scoped through a RoleBinding, everything through a ClusterRoleBinding', () => {
    const g = graph([
      nodeAdmin,
      rb('ops', 'node-admin', { kind: 'ClusterRole', name: 'node-admin' }, [subject('Group', 'ops')]),
      crb('node-admin', 'node-admin', [subject('User', 'root@example.com')]),
    ]);
    expect(who(g, { apiGroups: [''], resources: ['nodes/proxy'] })).toEqual(['User root@example.com@*']);
    expect(who(g, { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['create'] })).toEqual(['User root@example.com@*']);
    expect(who(g, { apiGroups: [''], resources: ['pods'], verbs: ['create'], namespace: 'ops' })).toEqual(['Group ops@ops', 'User root@example.com@*']);
  });

  it('grants bind on clusterroles inside a namespace (the API server checks it there), but not escalate', () => {
    // The RBAC documentation's role-grantor: a RoleBinding lets user-1 bind ClusterRoles in its namespace.
    const grantor = clusterRole('role-grantor', [
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind', 'escalate'] },
    ]);
    const g = graph([grantor, rb('user-1-namespace', 'role-grantor-binding', { kind: 'ClusterRole', name: 'role-grantor' }, [subject('User', 'user-1')])]);
    const on = (verbs: string[]): AccessQuery => ({ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs });
    expect(who(g, on(['bind']))).toEqual(['User user-1@user-1-namespace']);
    expect(who(g, on(['escalate']))).toEqual([]);
    expect(who(g, { ...on(['bind']), namespace: 'other' })).toEqual([]);
    // A Role can hold it too, and a "*" verb includes bind.
    const local = role('shop', 'binder', [{ apiGroups: ['*'], resources: ['clusterroles'], verbs: ['*'] }]);
    expect(g.rulesAllowing(graph([local]).roles[0]!, on(['bind']))).toHaveLength(1);
  });

  it('resolves a RoleBinding\'s Role in its own namespace only', () => {
    const g = graph([
      role('shop', 'reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]),
      rb('payments', 'reader', { kind: 'Role', name: 'reader' }, [subject('ServiceAccount', 'api')]),
    ]);
    const [grant] = g.grants;
    expect(grant?.role).toBeUndefined();
    expect(grant?.subject).toEqual({ kind: 'ServiceAccount', name: 'api', namespace: 'payments' });
    expect(g.whoCan(readSecrets)).toEqual([]);
  });

  it('keeps the position of each subject for evidence', () => {
    const g = graph([secretsReader, crb('mixed', 'secrets-reader', [subject('Group', 'system:masters'), subject('User', 'bob'), { kind: 'User' }])]);
    expect(g.grants.map((x) => [x.subjectIndex, describeSubject(x.subject)])).toEqual([
      [0, 'Group system:masters'],
      [1, 'User bob'],
    ]);
  });
});

describe('system allow-list', () => {
  it.each([
    ['Group', 'system:masters', undefined, true],
    ['Group', 'system:nodes', undefined, true],
    ['Group', 'system:bootstrappers:kubeadm:default-node-token', undefined, true],
    ['User', 'system:kube-controller-manager', undefined, true],
    ['User', 'system:node:worker-1', undefined, true],
    ['ServiceAccount', 'clusterrole-aggregation-controller', 'kube-system', true],
    ['User', 'system:serviceaccount:kube-system:generic-garbage-collector', undefined, true],
    ['ServiceAccount', 'kube-proxy', 'kube-system', true],
    ['ServiceAccount', 'clusterrole-aggregation-controller', 'default', false],
    ['ServiceAccount', 'helm-traefik', 'kube-system', false],
    ['Group', 'system:authenticated', undefined, false],
    ['Group', 'system:serviceaccounts:payments', undefined, false],
    ['User', 'system:anonymous', undefined, false],
    ['Group', 'system:custom-admins', undefined, false],
    ['User', 'alice@example.com', undefined, false],
  ])('%s %s (%s) is system: %s', (kind, name, namespace, expected) => {
    expect(isSystemSubject({ kind, name, ...(namespace ? { namespace } : {}) })).toBe(expected);
  });

  it('knows the groups that stand for many identities', () => {
    expect(isBroadSubject({ kind: 'Group', name: 'system:authenticated' })).toBe(true);
    expect(isBroadSubject({ kind: 'Group', name: 'system:serviceaccounts:payments' })).toBe(true);
    expect(isBroadSubject({ kind: 'User', name: 'system:anonymous' })).toBe(true);
    expect(isBroadSubject({ kind: 'Group', name: 'sre' })).toBe(false);
  });
});
