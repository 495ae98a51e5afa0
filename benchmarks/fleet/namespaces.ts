/** Application namespaces: their workloads, RBAC and network policies. */
import { APP_NAMES, ENVS, TEAMS, addNamespace, appCtx, workloadAnnotations, type ClusterBuilder, type NsCtx } from './builder.js';
import { randomRules } from './cluster.js';
import { addBarePod, addCronJob, addDeployment, addIngress, addSecret, addService, addStandaloneJob, addStatefulSet } from './workloads.js';

export function addNamespaceRbac(b: ClusterBuilder, ns: NsCtx): void {
  const r = b.rng;
  const roles = r.int(0, 3);
  const roleNames: string[] = [];
  for (let i = 0; i < roles; i++) {
    const name = b.unique(`role/${ns.name}`, `${r.pick(ns.apps.length > 0 ? ns.apps : ['app'])}-${r.pick(['leader-election', 'reader', 'manager', 'config-writer'])}`);
    roleNames.push(name);
    b.add('roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: b.meta(name, ns.name, { labels: { 'app.kubernetes.io/managed-by': ns.style === 'helm' ? 'Helm' : 'kustomize' } }),
      rules: randomRules(b, false),
    });
  }
  const bindings = r.int(1, 3) + roles;
  for (let i = 0; i < bindings; i++) {
    const toRole = i < roles && roleNames[i] !== undefined;
    const roleRef = toRole
      ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleNames[i] as string }
      : { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: r.weighted([['edit', 5], ['view', 4], ['admin', 2], ['cluster-admin', 0.3]]) };
    const subjects = toRole || r.chance(0.3)
      ? [{ kind: 'ServiceAccount', name: r.pick(ns.serviceAccounts), namespace: ns.name }]
      : [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `oidc:${ns.team}-${r.pick(['developers', 'oncall', 'readonly'])}` }];
    b.add('rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: b.meta(b.unique(`rb/${ns.name}`, `${roleRef.name}-binding`), ns.name),
      roleRef,
      subjects,
    });
  }
}

export function addNetworkPolicies(b: ClusterBuilder, ns: NsCtx): void {
  const r = b.rng;
  if (r.chance(0.4)) return;
  const meta = (name: string) => b.meta(name, ns.name, { labels: { 'app.kubernetes.io/managed-by': ns.style === 'helm' ? 'Helm' : 'kustomize' } });
  b.add('networkpolicies', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta('default-deny'),
    spec: { podSelector: {}, policyTypes: r.chance(0.5) ? ['Ingress', 'Egress'] : ['Ingress'] },
  });
  if (r.chance(0.7)) {
    b.add('networkpolicies', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-ingress-controller'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }],
      },
    });
  }
  for (const app of ns.apps.slice(0, r.int(0, 2))) {
    b.add('networkpolicies', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(b.unique(`np/${ns.name}`, `${app}-allow`)),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080, protocol: 'TCP' }] }],
        egress: [
          { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
          { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
        ],
      },
    });
  }
}

/** One application namespace: deployments with their ReplicaSets and Pods, and the rest. */
export function addAppNamespace(b: ClusterBuilder): void {
  const r = b.rng;
  const team = r.pick(TEAMS);
  const env = r.pick(ENVS);
  const ns = addNamespace(b, b.unique('ns', r.chance(0.5) ? `${team}-${env}` : `${team}-${r.pick(APP_NAMES)}`), team, env);
  if (r.chance(0.5)) addSecret(b, ns, 'registry-credentials', 'kubernetes.io/dockerconfigjson');

  const deployments = r.int(2, 9);
  for (let d = 0; d < deployments; d++) if (!addApp(b, ns)) break;
  if (r.chance(0.2) && b.remaining > 12) addStatefulSet(b, ns);
  const crons = r.chance(0.35) ? r.int(1, 3) : 0;
  for (let i = 0; i < crons && b.remaining > 10; i++) addCronJob(b, ns);
  if (r.chance(0.1) && b.remaining > 6) addStandaloneJob(b, ns);
  if (r.chance(0.03) && b.remaining > 4) addBarePod(b, ns);
  if (b.remaining > 10) addNamespaceRbac(b, ns);
  if (b.remaining > 8) addNetworkPolicies(b, ns);
}

/** One app: a Deployment (with ReplicaSets and Pods) and what usually comes with it. False when the budget is spent. */
function addApp(b: ClusterBuilder, ns: NsCtx): boolean {
  const r = b.rng;
  const replicas = r.weighted([[1, 25], [2, 35], [3, 20], [4, 10], [6, 6], [10, 4]] as const);
  const oldRevisions = r.weighted([[0, 15], [1, 25], [2, 25], [3, 15], [4, 8], [6, 7], [9, 5]] as const);
  const need = 1 + oldRevisions + 1 + replicas + 4;
  if (b.remaining < need + 4) return false;
  const app = appCtx(b, ns, r.pick(APP_NAMES));
  addDeployment(b, ns, app, replicas, oldRevisions);
  if (r.chance(0.9)) addService(b, ns, app);
  if (r.chance(0.3)) addIngress(b, ns, app);
  if (r.chance(0.5)) {
    b.add('serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: b.meta(app.name, ns.name, { labels: app.labels, annotations: workloadAnnotations(b, app) }),
      ...(r.chance(0.3) ? { automountServiceAccountToken: false } : {}),
    });
    ns.serviceAccounts.push(app.name);
  }
  if (r.chance(0.6)) addSecret(b, ns, `${app.name}-secrets`, 'Opaque', app);
  if (app.style === 'helm') {
    const versions = r.weighted([[1, 25], [2, 20], [3, 20], [5, 15], [8, 10], [10, 10]] as const);
    for (let v = 1; v <= versions && b.remaining > 8; v++) {
      addSecret(b, ns, `sh.helm.release.v1.${app.release}.v${v}`, 'helm.sh/release.v1', undefined, {
        labels: { name: app.release, owner: 'helm', status: v === versions ? 'deployed' : 'superseded', version: String(v) },
      });
    }
  }
  return true;
}
