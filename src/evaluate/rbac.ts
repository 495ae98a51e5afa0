import type { KubeObject } from '../core/types.js';
import { objectRef } from '../core/resource-ref.js';
import type { EvalContext } from './context.js';

/**
 * An RBAC graph of one snapshot: the effective rules of every Role and ClusterRole (ClusterRole
 * aggregation included), every binding resolved to its subjects and its scope, and the query
 * "who can <verb> <resource> in <group>, where". Pure: it reads the RBAC objects of a snapshot
 * and answers the way the RBAC authorizer would for those objects.
 *
 * Matching follows the authorizer:
 * - `*` in verbs, apiGroups or resources matches anything; `*` in resources also matches every
 *   subresource. `pods` does not match `pods/exec`; a `*` followed by `/exec` matches every
 *   `exec` subresource.
 * - A rule with resourceNames only matches a request for one of those names: it never grants
 *   `list`, `watch` or `create` on the whole resource. A query without a name asks about any
 *   object, so such rules do not answer it.
 * - A RoleBinding grants only inside its namespace, even when it references a ClusterRole, and
 *   never grants cluster-scoped resources (nodes, persistentvolumes, webhook configurations...),
 *   with one exception: `bind` on clusterroles, which the API server checks in the namespace of
 *   a RoleBinding that refers to a ClusterRole, so a namespaced grant of it lets its holder bind
 *   ClusterRoles in that namespace (the "role-grantor" example of the RBAC documentation).
 */

/** One PolicyRule, with the lists the API leaves out made empty. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export type RoleKind = 'Role' | 'ClusterRole';

export interface RoleId {
  readonly kind: RoleKind;
  readonly name: string;
  /** Only for a Role. */
  readonly namespace?: string;
}

/** A rule as it takes effect in a role, and where it is written (`source.rules[index]`). */
export interface EffectiveRule {
  readonly rule: PolicyRule;
  /** The role itself, or a ClusterRole aggregated into it. */
  readonly source: RoleId;
  readonly index: number;
}

export interface RbacRole extends RoleId {
  readonly object: KubeObject;
  /** Its own rules first, then those gathered through aggregationRule; duplicates once. */
  readonly rules: readonly EffectiveRule[];
}

export interface RbacSubject {
  /** User, Group or ServiceAccount (anything else is kept as written and matches nothing system). */
  readonly kind: string;
  readonly name: string;
  /** ServiceAccounts only. */
  readonly namespace?: string;
}

/** One subject of one binding: who gets which role, where. */
export interface RbacGrant {
  readonly binding: KubeObject;
  readonly subject: RbacSubject;
  /** Position in the binding's `subjects`, for evidence paths. */
  readonly subjectIndex: number;
  readonly roleRef: RoleId;
  /** The referenced role, when it is among the objects read. */
  readonly role?: RbacRole;
  /** The namespace a RoleBinding limits the grant to; absent for a ClusterRoleBinding. */
  readonly namespace?: string;
}

/** "Who can do this?" Each list means any of its entries. */
export interface AccessQuery {
  /** Verbs asked about; absent means any verb at all. */
  readonly verbs?: readonly string[];
  /** API groups; `''` is the core group. */
  readonly apiGroups: readonly string[];
  /** `secrets`, `nodes/proxy`; `userextras/*` asks about any subresource of userextras. */
  readonly resources: readonly string[];
  /** A single object's name; absent asks about any object of the resource. */
  readonly resourceName?: string;
  /** Where; absent means anywhere (any namespace, or cluster-wide). */
  readonly namespace?: string;
}

export interface AccessMatch {
  readonly grant: RbacGrant;
  readonly rule: EffectiveRule;
}

/** Resources that live outside namespaces, so a RoleBinding cannot grant them. */
const CLUSTER_SCOPED = new Set([
  'nodes',
  'persistentvolumes',
  'namespaces',
  'clusterroles',
  'clusterrolebindings',
  'certificatesigningrequests',
  'signers',
  'validatingwebhookconfigurations',
  'mutatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'mutatingadmissionpolicies',
  'mutatingadmissionpolicybindings',
  'customresourcedefinitions',
  'apiservices',
  'storageclasses',
  'csidrivers',
  'csinodes',
  'volumeattachments',
  'priorityclasses',
  'runtimeclasses',
  'ingressclasses',
  'podsecuritypolicies',
  'clustertrustbundles',
  // Impersonation targets other than service accounts carry no namespace.
  'users',
  'groups',
  'uids',
  'userextras',
]);

const WILDCARD = '*';

function isClusterScoped(resource: string): boolean {
  return CLUSTER_SCOPED.has(resource.split('/')[0] ?? resource);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function parseRule(raw: unknown): PolicyRule {
  const r = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return {
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    verbs: strings(r.verbs),
    resourceNames: strings(r.resourceNames),
    nonResourceURLs: strings(r.nonResourceURLs),
  };
}

function resourceMatches(ruleResource: string, asked: string): boolean {
  if (ruleResource === WILDCARD || ruleResource === asked) return true;
  const slash = asked.indexOf('/');
  if (asked.endsWith('/*')) {
    // Any subresource of a base: `userextras/*` is answered by `userextras/scopes` or `*/scopes`.
    const base = asked.slice(0, -1);
    return ruleResource.startsWith(base) || (ruleResource.startsWith('*/') && ruleResource.length > 2);
  }
  return slash > 0 && ruleResource === `*${asked.slice(slash)}`;
}

/** Does one rule allow what the query asks (ignoring where, which the binding decides)? */
export function ruleAllows(rule: PolicyRule, query: AccessQuery): boolean {
  if (rule.resources.length === 0) return false; // nonResourceURLs only
  const verbOk = query.verbs === undefined ? rule.verbs.length > 0 : rule.verbs.some((v) => v === WILDCARD || query.verbs?.includes(v));
  if (!verbOk) return false;
  if (!rule.apiGroups.some((g) => g === WILDCARD || query.apiGroups.includes(g))) return false;
  const resources = matchingResources(rule, query);
  if (resources.length === 0) return false;
  return rule.resourceNames.length === 0 || (query.resourceName !== undefined && rule.resourceNames.includes(query.resourceName));
}

function matchingResources(rule: PolicyRule, query: AccessQuery): string[] {
  return query.resources.filter((asked) => rule.resources.some((r) => resourceMatches(r, asked)));
}

/** Is `bind` both allowed by the rule and asked about by the query? */
function bindAsked(rule: PolicyRule, query: AccessQuery): boolean {
  const allowed = rule.verbs.includes(WILDCARD) || rule.verbs.includes('bind');
  return allowed && (query.verbs === undefined || query.verbs.includes('bind'));
}

/**
 * Does a rule granted inside a namespace (by a Role or a RoleBinding) answer the query? Only for
 * namespaced resources, and for `bind` on clusterroles (see the header).
 */
function reachesInNamespace(rule: PolicyRule, query: AccessQuery): boolean {
  return matchingResources(rule, query).some((r) => !isClusterScoped(r) || (r === 'clusterroles' && bindAsked(rule, query)));
}

/** Does a grant's scope reach what the query asks about? */
function scopeAllows(grant: RbacGrant, rule: PolicyRule, query: AccessQuery): boolean {
  if (grant.namespace === undefined) return true;
  if (query.namespace !== undefined && query.namespace !== grant.namespace) return false;
  return reachesInNamespace(rule, query);
}

// ---------------------------------------------------------------------------------------------
// Label selectors, as ClusterRole aggregation uses them.

interface LabelSelector {
  matchLabels?: Record<string, unknown>;
  matchExpressions?: Array<{ key?: unknown; operator?: unknown; values?: unknown }>;
}

/** Kubernetes label selector semantics; an empty selector matches every object. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const key = typeof e.key === 'string' ? e.key : '';
    const values = strings(e.values);
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false; // an operator the API would have refused
    }
  }
  return true;
}

function selectorsOf(role: KubeObject): LabelSelector[] {
  const list = role.aggregationRule?.clusterRoleSelectors;
  return Array.isArray(list) ? list.filter((s): s is LabelSelector => s !== null && typeof s === 'object') : [];
}

// ---------------------------------------------------------------------------------------------
// The graph.

export interface RbacObjects {
  readonly roles: readonly KubeObject[];
  readonly clusterRoles: readonly KubeObject[];
  readonly roleBindings: readonly KubeObject[];
  readonly clusterRoleBindings: readonly KubeObject[];
}

function roleKey(id: RoleId): string {
  return id.kind === 'Role' ? `Role/${id.namespace ?? ''}/${id.name}` : `ClusterRole/${id.name}`;
}

function ownRules(object: KubeObject, id: RoleId): EffectiveRule[] {
  return (object.rules ?? []).map((raw, index) => ({ rule: parseRule(raw), source: id, index }));
}

export class RbacGraph {
  readonly roles: readonly RbacRole[];
  readonly grants: readonly RbacGrant[];
  /** Bindings examined (RoleBindings and ClusterRoleBindings). */
  readonly bindings: readonly KubeObject[];
  private readonly byKey: ReadonlyMap<string, RbacRole>;

  constructor(objects: RbacObjects) {
    const clusterRoleRules = aggregate(objects.clusterRoles);
    const roles: RbacRole[] = [];
    for (const object of objects.clusterRoles) {
      const id: RoleId = { kind: 'ClusterRole', name: object.metadata.name };
      roles.push({ ...id, object, rules: clusterRoleRules.get(object.metadata.name) ?? [] });
    }
    for (const object of objects.roles) {
      const id: RoleId = { kind: 'Role', name: object.metadata.name, namespace: object.metadata.namespace ?? '' };
      roles.push({ ...id, object, rules: ownRules(object, id) });
    }
    this.roles = roles;
    this.byKey = new Map(roles.map((r) => [roleKey(r), r]));
    this.bindings = [...objects.clusterRoleBindings, ...objects.roleBindings];
    this.grants = this.bindings.flatMap((b) => this.grantsOf(b));
  }

  /** A role by kind, name and (for a Role) namespace. */
  role(id: RoleId): RbacRole | undefined {
    return this.byKey.get(roleKey(id));
  }

  /** Every (grant, rule) pair that allows what the query asks. */
  whoCan(query: AccessQuery): AccessMatch[] {
    const out: AccessMatch[] = [];
    for (const grant of this.grants) {
      for (const rule of grant.role?.rules ?? []) {
        if (ruleAllows(rule.rule, query) && scopeAllows(grant, rule.rule, query)) out.push({ grant, rule });
      }
    }
    return out;
  }

  /**
   * Roles that no binding read references and whose rules no other ClusterRole gathers by
   * aggregation: what they allow is granted to nobody yet, but one binding away.
   */
  unboundRoles(): RbacRole[] {
    const referenced = new Set(this.grants.map((g) => roleKey(g.roleRef)));
    // A binding with no subjects still references its role.
    for (const b of this.bindings) {
      const name = typeof b.roleRef?.name === 'string' ? b.roleRef.name : '';
      const kind = b.roleRef?.kind === 'Role' && b.kind === 'RoleBinding' ? 'Role' : 'ClusterRole';
      referenced.add(roleKey(kind === 'Role' ? { kind, name, namespace: b.metadata.namespace ?? '' } : { kind, name }));
    }
    const aggregated = new Set<string>();
    for (const r of this.roles) for (const e of r.rules) if (roleKey(e.source) !== roleKey(r)) aggregated.add(roleKey(e.source));
    return this.roles.filter((r) => !referenced.has(roleKey(r)) && !aggregated.has(roleKey(r)));
  }

  /** The rules of a role that would allow the query once bound (a Role grants namespaced resources only). */
  rulesAllowing(role: RbacRole, query: AccessQuery): EffectiveRule[] {
    return role.rules.filter((r) => ruleAllows(r.rule, query) && (role.kind === 'ClusterRole' || reachesInNamespace(r.rule, query)));
  }

  private grantsOf(binding: KubeObject): RbacGrant[] {
    const ref = binding.roleRef ?? {};
    const namespaced = binding.kind === 'RoleBinding';
    const refKind: RoleKind = ref.kind === 'Role' && namespaced ? 'Role' : 'ClusterRole';
    const name = typeof ref.name === 'string' ? ref.name : '';
    const roleRef: RoleId = refKind === 'Role' ? { kind: 'Role', name, namespace: binding.metadata.namespace ?? '' } : { kind: 'ClusterRole', name };
    const role = this.role(roleRef);
    return (binding.subjects ?? []).flatMap((raw, subjectIndex) => {
      const subject = parseSubject(raw, binding.metadata.namespace);
      if (!subject) return [];
      return [
        {
          binding,
          subject,
          subjectIndex,
          roleRef,
          ...(role ? { role } : {}),
          ...(namespaced ? { namespace: binding.metadata.namespace ?? '' } : {}),
        },
      ];
    });
  }
}

/**
 * Effective rules of every ClusterRole: its own, plus those of every other ClusterRole whose
 * labels one of its clusterRoleSelectors matches, followed transitively (edit gathers view,
 * admin gathers edit). On a live cluster the controller has already copied them in; the
 * duplicates are then kept once, at the role's own index.
 */
function aggregate(clusterRoles: readonly KubeObject[]): Map<string, EffectiveRule[]> {
  const byName = new Map(clusterRoles.map((r) => [r.metadata.name, r]));
  const done = new Map<string, EffectiveRule[]>();

  const resolve = (name: string, visiting: Set<string>): EffectiveRule[] => {
    const cached = done.get(name);
    if (cached) return cached;
    const object = byName.get(name);
    if (!object) return [];
    const rules = ownRules(object, { kind: 'ClusterRole', name });
    const selectors = selectorsOf(object);
    if (selectors.length > 0 && !visiting.has(name)) {
      visiting.add(name);
      for (const other of clusterRoles) {
        const otherName = other.metadata.name;
        if (otherName === name || visiting.has(otherName)) continue;
        if (selectors.some((s) => selectorMatches(s, other.metadata.labels ?? {}))) rules.push(...resolve(otherName, visiting));
      }
      visiting.delete(name);
    }
    const unique = dedupe(rules);
    if (visiting.size === 0) done.set(name, unique);
    return unique;
  };

  for (const name of byName.keys()) done.set(name, resolve(name, new Set()));
  return done;
}

function dedupe(rules: readonly EffectiveRule[]): EffectiveRule[] {
  const seen = new Set<string>();
  return rules.filter((r) => {
    const key = JSON.stringify(r.rule);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SA_USER_PREFIX = 'system:serviceaccount:';

function parseSubject(raw: unknown, bindingNamespace: string | undefined): RbacSubject | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const s = raw as Record<string, unknown>;
  if (typeof s.kind !== 'string' || typeof s.name !== 'string') return undefined;
  if (s.kind === 'ServiceAccount') {
    const namespace = typeof s.namespace === 'string' && s.namespace ? s.namespace : (bindingNamespace ?? '');
    return { kind: 'ServiceAccount', name: s.name, namespace };
  }
  return { kind: s.kind, name: s.name };
}

/** The service account a subject is, whether written as a ServiceAccount or as its user name. */
export function serviceAccountOf(subject: RbacSubject): { namespace: string; name: string } | undefined {
  if (subject.kind === 'ServiceAccount') return { namespace: subject.namespace ?? '', name: subject.name };
  if (subject.kind === 'User' && subject.name.startsWith(SA_USER_PREFIX)) {
    const [namespace, name] = subject.name.slice(SA_USER_PREFIX.length).split(':');
    if (namespace && name) return { namespace, name };
  }
  return undefined;
}

/** `User alice@example.com`, `Group sre`, `ServiceAccount payments/api`. */
export function describeSubject(subject: RbacSubject): string {
  const sa = subject.kind === 'ServiceAccount' ? serviceAccountOf(subject) : undefined;
  return sa ? `ServiceAccount ${sa.namespace}/${sa.name}` : `${subject.kind} ${subject.name}`;
}

/** `ClusterRole edit`, `Role payments/deployer`. */
export function describeRole(id: RoleId): string {
  return id.kind === 'Role' ? `Role ${id.namespace ?? ''}/${id.name}` : `ClusterRole ${id.name}`;
}

export { objectRef };

// ---------------------------------------------------------------------------------------------
// Who counts as "the system".

/**
 * Groups that stand for many identities at once. They are never system subjects, even with
 * the `system:` prefix: granting them a risky permission grants it to everyone in them.
 */
export const BROAD_GROUPS: readonly string[] = ['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts'];

/**
 * Kubernetes' own identities, whose powers come with the cluster and are not an administrator's
 * choice. Findings of 5.1.x are about everyone else.
 *
 * - Groups: `system:masters` (break-glass; 5.1.7 reports it), `system:nodes`, `system:monitoring`,
 *   `system:bootstrappers` and `system:bootstrappers:*` (node bootstrap tokens).
 * - Users: `system:kube-controller-manager`, `system:kube-scheduler`, `system:kube-proxy`,
 *   `system:apiserver`, `system:volume-scheduler`, `system:node:<node>`, and the k3s
 *   supervisor users `system:k3s-controller`, `system:k3s-supervisor`.
 * - ServiceAccounts in kube-system that kube-controller-manager runs its controllers as
 *   (`--use-service-account-credentials`, bound to `system:controller:<name>` roles): see
 *   CONTROLLER_SERVICE_ACCOUNTS; and kube-system/kube-proxy. A service account's user name
 *   (`system:serviceaccount:kube-system:<name>`) is treated the same.
 *
 * Not system: `system:authenticated`, `system:unauthenticated`, `system:anonymous`,
 * `system:serviceaccounts` and `system:serviceaccounts:<namespace>`, any other `system:` name,
 * and add-on service accounts in kube-system (CNI, DNS, ingress, Helm controllers...).
 */
export const SYSTEM_GROUPS: readonly string[] = ['system:masters', 'system:nodes', 'system:monitoring', 'system:bootstrappers'];
export const SYSTEM_USERS: readonly string[] = [
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:kube-proxy',
  'system:apiserver',
  'system:volume-scheduler',
  'system:k3s-controller',
  'system:k3s-supervisor',
];
/** kube-controller-manager's controllers (kubernetes bootstrap policy, `system:controller:<name>`). */
export const CONTROLLER_SERVICE_ACCOUNTS: readonly string[] = [
  'attachdetach-controller',
  'bootstrap-signer',
  'certificate-controller',
  'clusterrole-aggregation-controller',
  'cronjob-controller',
  'daemon-set-controller',
  'deployment-controller',
  'device-taint-eviction-controller',
  'disruption-controller',
  'endpoint-controller',
  'endpointslice-controller',
  'endpointslicemirroring-controller',
  'ephemeral-volume-controller',
  'expand-controller',
  'generic-garbage-collector',
  'horizontal-pod-autoscaler',
  'job-controller',
  'kube-apiserver-serving-clustertrustbundle-publisher',
  'legacy-service-account-token-cleaner',
  'namespace-controller',
  'node-controller',
  'persistent-volume-binder',
  'pod-garbage-collector',
  'podcertificaterequestcleaner',
  'pv-protection-controller',
  'pvc-protection-controller',
  'replicaset-controller',
  'replication-controller',
  'resource-claim-controller',
  'resourcequota-controller',
  'root-ca-cert-publisher',
  'route-controller',
  'selinux-warning-controller',
  'service-account-controller',
  'service-cidrs-controller',
  'service-controller',
  'statefulset-controller',
  'storage-version-garbage-collector',
  'storage-version-migrator-controller',
  'token-cleaner',
  'ttl-after-finished-controller',
  'ttl-controller',
  'validatingadmissionpolicy-status-controller',
  'volumeattributesclass-protection-controller',
];
const SYSTEM_SERVICE_ACCOUNTS = new Set([...CONTROLLER_SERVICE_ACCOUNTS, 'kube-proxy']);

/** Is this one of Kubernetes' own identities (see SYSTEM_GROUPS)? */
export function isSystemSubject(subject: RbacSubject): boolean {
  const sa = serviceAccountOf(subject);
  if (sa) return sa.namespace === 'kube-system' && SYSTEM_SERVICE_ACCOUNTS.has(sa.name);
  if (subject.kind === 'Group') return SYSTEM_GROUPS.includes(subject.name) || subject.name.startsWith('system:bootstrappers:');
  if (subject.kind === 'User') return SYSTEM_USERS.includes(subject.name) || subject.name.startsWith('system:node:');
  return false;
}

/**
 * Roles Kubernetes ships and keeps up to date (cluster-admin, admin, edit, system:controller:*...),
 * recognised by the `system:` name prefix or the `kubernetes.io/bootstrapping: rbac-defaults`
 * label. What they allow is by design; who is bound to them is what the controls judge.
 */
export function isKubernetesRole(role: RbacRole): boolean {
  return role.name.startsWith('system:') || role.object.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults';
}

/** A group that stands for many identities (all authenticated users, all service accounts...). */
export function isBroadSubject(subject: RbacSubject): boolean {
  if (subject.kind === 'User') return subject.name === 'system:anonymous';
  return subject.kind === 'Group' && (BROAD_GROUPS.includes(subject.name) || subject.name.startsWith('system:serviceaccounts:'));
}

/** The RBAC graph of the snapshot being judged, built once and shared by every control. */
export function rbacGraph(ctx: EvalContext): RbacGraph {
  return ctx.shared('rbac', () =>
    new RbacGraph({
      roles: ctx.objects('roles'),
      clusterRoles: ctx.objects('clusterroles'),
      roleBindings: ctx.objects('rolebindings'),
      clusterRoleBindings: ctx.objects('clusterrolebindings'),
    }),
  );
}
