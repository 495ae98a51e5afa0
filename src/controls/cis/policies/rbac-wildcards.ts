import type { Verdict } from '../../../core/types.js';
import { describeSubject, isKubernetesRole, rbacGraph, type RbacGraph, type RbacRole } from '../../../evaluate/rbac.js';
import { failFields, type Offender } from '../../pss/common.js';
import { defineControl } from '../../define.js';
import { NSA_THEME, SECTION, concludeCluster, refOf } from './common.js';

const NEEDS = ['roles', 'clusterroles'] as const;
const FIELDS = ['apiGroups', 'resources', 'verbs', 'nonResourceURLs'] as const;

/**
 * `*`, or `*` for every resource with one subresource (`*` + `/scale`). In nonResourceURLs only
 * `*` itself: a path prefix such as `/healthz/*` names one endpoint family, while `*` takes in
 * every path the API server serves, /logs and /debug included, and any added later.
 */
const isWildcard = (field: (typeof FIELDS)[number], entry: string): boolean => entry === '*' || (field !== 'nonResourceURLs' && entry.startsWith('*/'));

/** Kubernetes' own roles' wildcards are by design (isKubernetesRole); who is bound to them is 5.1.1's concern. */
const isSystemRole = isKubernetesRole;

/** The wildcard entries of a role's own rules; aggregated rules are judged in their own role. */
function offendersOf(role: RbacRole): Offender[] {
  return (role.object.rules ?? []).flatMap((raw, i) => {
    const rule = (raw ?? {}) as Record<string, unknown>;
    return FIELDS.flatMap((field) => {
      const list = rule[field];
      return Array.isArray(list) && list.some((e) => typeof e === 'string' && isWildcard(field, e)) ? [{ path: `rules[${i}].${field}`, value: list }] : [];
    });
  });
}

function boundTo(graph: RbacGraph, role: RbacRole): string {
  const holders = graph.grants.filter((g) => g.role === role).map((g) => `${describeSubject(g.subject)} (${g.binding.kind} ${g.binding.metadata.name})`);
  return holders.length > 0 ? `bound to ${[...new Set(holders)].join(', ')}` : 'not bound to anyone among the bindings read';
}

export const wildcardRoles = defineControl({
  id: 'CIS-5.1.3',
  title: 'Roles and ClusterRoles avoid wildcards',
  section: SECTION.rbac,
  severity: 'medium',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.1.3', nsa: NSA_THEME.rbac, kubescape: ['C-0187'] },
  level: 'L1',
  needs: [...NEEDS],
  rationale:
    'A "*" in apiGroups, resources, verbs or nonResourceURLs grants more than anyone reviewed: every resource type or API path added later, including custom resources and subresources such as pods/exec, falls under it automatically. Every role outside Kubernetes\' own is judged on what it is written with, bound or not, as the benchmark asks; Kubernetes\' own roles (cluster-admin, admin, edit and the system: roles) keep their wildcards by design, where kube-bench flags them too. Kubescape C-0187 instead reports only subjects bound to a rule of "*" verbs on "*" resources, so a role with one wildcard field fails here and passes there (ADR 0027).',
  remediation: 'List the API groups, resources and verbs each role needs explicitly instead of "*"; split broad roles by duty.',
  evaluate: (ctx) => {
    const graph = rbacGraph(ctx);
    const candidates = graph.roles.filter((r) => !isSystemRole(r));
    const verdicts: Verdict[] = candidates.flatMap((role) => {
      const offenders = offendersOf(role);
      if (offenders.length === 0) return [];
      return [{ ...failFields(refOf(role.object), offenders, 'explicit API groups, resources and verbs, no "*"'), message: boundTo(graph, role) }];
    });
    return concludeCluster(ctx, verdicts, NEEDS, graph.roles.length, `no role outside Kubernetes' own uses a wildcard (${graph.roles.length} roles examined)`);
  },
});
