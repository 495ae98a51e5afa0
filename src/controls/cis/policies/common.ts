import type { Evidence, EvidenceKind, KubeObject, ResourceRef, Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import { describeRole, describeSubject, isKubernetesRole, isSystemSubject, objectRef, type AccessMatch, type AccessQuery, type EffectiveRule, type RbacGraph, type RbacGrant, type RbacRole } from '../../../evaluate/rbac.js';
import { fail } from '../../verdicts.js';

/** What the CIS section 5 controls share: sections, NSA themes, evidence lists and verdict shapes. */

export const SECTION = {
  rbac: 'CIS 5.1: RBAC and service accounts',
  podSecurity: 'CIS 5.2: Pod Security Standards',
  network: 'CIS 5.3: Network policies and CNI',
  secrets: 'CIS 5.4: Secrets management',
  admission: 'CIS 5.5: Extensible admission control',
  general: 'CIS 5.6: General policies',
} as const;

/** NSA/CISA hardening guide themes, as the catalog names them. */
export const NSA_THEME = {
  rbac: 'Authentication & authorization: RBAC least privilege',
  tokens: 'Pod security: protecting SA tokens',
  enforcement: 'Pod security: pod security enforcement (PSA or policy engine)',
  escalation: 'Pod security: privilege escalation and capabilities',
  hardening: 'Pod security: seccomp, AppArmor, SELinux',
  immutable: 'Pod security: immutable container filesystem',
  networkPolicies: 'Network separation: network policies (default deny)',
  namespaces: 'Network separation: namespaces',
  secrets: 'Network separation: secrets handling',
} as const;

export const RBAC_EVIDENCE: readonly EvidenceKind[] = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'];
export const BINDING_EVIDENCE: readonly EvidenceKind[] = ['rolebindings', 'clusterrolebindings'];

export function clusterRef(ctx: EvalContext): ResourceRef {
  return { kind: 'Cluster', name: ctx.snapshot.cluster };
}

/** Was every piece of this evidence read? A gap means only failures can be stated, never a pass. */
export function complete(ctx: EvalContext, needs: readonly EvidenceKind[]): boolean {
  return !ctx.snapshot.gaps.some((g) => needs.some((n) => g.evidence === n || g.evidence.startsWith(`${n}/`)));
}

/** A finding a person must judge, with the evidence complyd saw. */
export function manual(resource: ResourceRef, message: string, evidence?: Evidence): Verdict {
  return evidence ? { status: 'manual', resource, evidence, message } : { status: 'manual', resource, message };
}

export function passBecause(resource: ResourceRef, message: string, evidence?: Evidence): Verdict {
  return evidence ? { status: 'pass', resource, evidence, message } : { status: 'pass', resource, message };
}

export function unknownBecause(resource: ResourceRef, message: string): Verdict {
  return { status: 'unknown', resource, message };
}

export function refOf(object: KubeObject): ResourceRef {
  return objectRef(object);
}

/**
 * A cluster-wide control with nothing found: one pass on the cluster, but only when every
 * piece of evidence was read and something was examined, and nothing came out unknown.
 */
export function concludeCluster(ctx: EvalContext, verdicts: Verdict[], needs: readonly EvidenceKind[], examined: number, message: string): Verdict[] {
  if (verdicts.length > 0 || examined === 0 || !complete(ctx, needs)) return verdicts;
  return [passBecause(clusterRef(ctx), message)];
}

/** `ClusterRole edit rules[1]`, or `ClusterRole admin (rules[1] of aggregated ClusterRole edit)`. */
export function describeRule(match: AccessMatch): string {
  const role = match.grant.role;
  const { source, index } = match.rule;
  if (!role || (source.kind === role.kind && source.name === role.name)) return `${describeRole(source)} rules[${index}]`;
  return `${describeRole(role)} (rules[${index}] of aggregated ${describeRole(source)})`;
}

export function scopeOf(grant: RbacGrant): string {
  return grant.namespace === undefined ? 'cluster-wide' : `in namespace ${grant.namespace}`;
}

/** One subject of a binding that a control objects to, and why. */
export interface Offence {
  grant: RbacGrant;
  why: string;
}

/**
 * One failure per binding: the offending subjects (`subjects[i]`, or `subjects` with each index
 * when there are several) and, as the message, through which role and rule they get the right.
 */
export function bindingFailures(offences: readonly Offence[], expected: string): Verdict[] {
  const byBinding = new Map<KubeObject, Offence[]>();
  for (const o of offences) byBinding.set(o.grant.binding, [...(byBinding.get(o.grant.binding) ?? []), o]);
  return [...byBinding.entries()].map(([binding, list]) => {
    const bySubject = new Map<number, Offence>();
    for (const o of list) if (!bySubject.has(o.grant.subjectIndex)) bySubject.set(o.grant.subjectIndex, o);
    const subjects = [...bySubject.values()].sort((a, b) => a.grant.subjectIndex - b.grant.subjectIndex);
    const [first] = subjects;
    const verdict =
      subjects.length === 1 && first
        ? fail(refOf(binding), `subjects[${first.grant.subjectIndex}]`, describeSubject(first.grant.subject), expected)
        : fail(refOf(binding), 'subjects', Object.fromEntries(subjects.map((o) => [`[${o.grant.subjectIndex}]`, describeSubject(o.grant.subject)])), expected);
    const reasons = [...new Set(list.map((o) => o.why))];
    return { ...verdict, message: reasons.join('; ') };
  });
}

/**
 * Bindings whose role is not among the manifests read: what they grant cannot be told, so a
 * control that asks what they grant is `unknown` for them, never a pass. On a live cluster a
 * missing role is either a gap (reported as unknown by the evaluator) or a dangling binding,
 * which grants nothing. `except` names bindings already failing for another reason.
 */
export function unresolvedBindings(ctx: EvalContext, graph: RbacGraph, except: ReadonlySet<KubeObject> = new Set()): Verdict[] {
  if (ctx.snapshot.source !== 'manifests') return [];
  const seen = new Set<KubeObject>();
  const out: Verdict[] = [];
  for (const g of graph.grants) {
    if (g.role || isSystemSubject(g.subject) || seen.has(g.binding) || except.has(g.binding)) continue;
    seen.add(g.binding);
    out.push(unknownBecause(refOf(g.binding), `roleRef ${describeRole(g.roleRef)} is not among the objects read, so what this binding grants is unknown`));
  }
  return out;
}

/** Where a rule of a role is written: its own `rules[i]`, or the rule of a ClusterRole it aggregates. */
function rulePath(role: RbacRole, rule: EffectiveRule): string {
  return rule.source.kind === role.kind && rule.source.name === role.name ? `rules[${rule.index}]` : `aggregationRule (${describeRole(rule.source)} rules[${rule.index}])`;
}

/**
 * Latent findings (ADR 0016): a role outside Kubernetes' own that allows the permission but that
 * no binding read references yet fails on the role itself, its message starting with
 * `latent:`, so a dangerous role is seen before someone binds it. `allows` picks its rules.
 * When the bindings that could reference the role were not all read, the message says it may
 * be bound already: the role allows the permission either way, but "not yet used" is not known.
 */
export function latentFailures(ctx: EvalContext, graph: RbacGraph, allows: (role: RbacRole) => readonly EffectiveRule[], what: string, expected: string): Verdict[] {
  // A Role can only be bound by a RoleBinding; a ClusterRole by either kind.
  const unread = (role: RbacRole): EvidenceKind[] => {
    const kinds: readonly EvidenceKind[] = role.kind === 'Role' ? ['rolebindings'] : BINDING_EVIDENCE;
    return kinds.filter((e) => !complete(ctx, [e]));
  };
  return graph.unboundRoles().flatMap((role) => {
    if (isKubernetesRole(role)) return [];
    const rules = allows(role);
    const [first] = rules;
    if (!first) return [];
    // The rule as written in its role, not as parsed.
    const written = (r: EffectiveRule): unknown => graph.role(r.source)?.object.rules?.[r.index] ?? r.rule;
    const verdict =
      rules.length === 1
        ? fail(refOf(role.object), rulePath(role, first), written(first), expected)
        : fail(refOf(role.object), 'rules', Object.fromEntries(rules.map((r) => [rulePath(role, r), written(r)])), expected);
    const missing = unread(role);
    const maybeBound = missing.length > 0 ? ` (${missing.join(' and ')} could not be read, so it may be bound already)` : '';
    return [{ ...verdict, message: `latent: no binding read references ${describeRole(role)}${maybeBound}; whoever it is bound to can ${what}` }];
  });
}

/** The rules of a role that answer any of these queries, each once. */
export function rulesFor(graph: RbacGraph, role: RbacRole, queries: readonly AccessQuery[]): EffectiveRule[] {
  return [...new Set(queries.flatMap((q) => graph.rulesAllowing(role, q)))];
}

/** latentFailures for the roles that answer any of these queries. */
export function latentForQueries(ctx: EvalContext, graph: RbacGraph, queries: readonly AccessQuery[], what: string, expected: string): Verdict[] {
  return latentFailures(ctx, graph, (role) => rulesFor(graph, role, queries), what, expected);
}
