import type { Verdict } from '../../../core/types.js';
import { describeRole, describeSubject, isSystemSubject, rbacGraph, type PolicyRule, type RbacGrant } from '../../../evaluate/rbac.js';
import { defineControl } from '../../define.js';
import { BINDING_EVIDENCE, NSA_THEME, RBAC_EVIDENCE, SECTION, bindingFailures, clusterRef, concludeCluster, latentFailures, manual, refOf, scopeOf, unresolvedBindings, type Offence } from './common.js';

/**
 * The verbs of the API's resources. A rule listing all of them has what `*` gives on ordinary
 * resources: it reads every Secret and token, creates Pods as any service account and writes
 * every binding, so it is cluster-admin by another spelling (the special verbs bind, escalate,
 * impersonate follow from those powers).
 */
export const RESOURCE_VERBS: readonly string[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** A rule that allows every verb on every resource of every group: what cluster-admin is. */
export function grantsEverything(rule: PolicyRule): boolean {
  const everyVerb = rule.verbs.includes('*') || RESOURCE_VERBS.every((v) => rule.verbs.includes(v));
  return everyVerb && rule.apiGroups.includes('*') && rule.resources.includes('*') && rule.resourceNames.length === 0;
}

/** Why a grant amounts to cluster-admin, or undefined when it does not. */
function clusterAdminReason(grant: RbacGrant): string | undefined {
  if (grant.roleRef.kind === 'ClusterRole' && grant.roleRef.name === 'cluster-admin') return `bound to ClusterRole cluster-admin ${scopeOf(grant)}`;
  const full = grant.role?.rules.find((r) => grantsEverything(r.rule));
  if (!full || !grant.role) return undefined;
  return `${describeRole(grant.role)} allows every verb on every resource (${describeRole(full.source)} rules[${full.index}]), like cluster-admin, ${scopeOf(grant)}`;
}

export const clusterAdmin = defineControl({
  id: 'CIS-5.1.1',
  title: 'cluster-admin is bound only to system identities',
  section: SECTION.rbac,
  severity: 'critical',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.1.1', nsa: NSA_THEME.rbac, kubescape: ['C-0185', 'C-0035'] },
  level: 'L1',
  needs: RBAC_EVIDENCE,
  rationale:
    'cluster-admin (or any role allowing every verb on every resource) gives total control of the cluster, or of a namespace through a RoleBinding; every extra holder is an account whose compromise is a full compromise. A role counts as cluster-admin when one rule covers every API group and resource with "*" or with all of get, list, watch, create, update, patch, delete and deletecollection written out (kube-bench and Kubescape C-0035 match only the literal "*" verb). A binding to a role not among the manifests read is unknown; a role equal to cluster-admin that nothing binds yet fails as latent (ADR 0016). RoleBindings count as well as ClusterRoleBindings (Kubescape C-0185 reads ClusterRoleBindings only), and every subject of the ClusterRoleBinding named cluster-admin is judged, where kube-bench passes that binding by its name.',
  remediation:
    'Replace bindings of cluster-admin (and of roles equivalent to it) to people, groups and workloads with roles limited to what they do; keep a break-glass path outside day-to-day identities.',
  // Judged by the role's content as well as its name: a custom "*/*/*" role is cluster-admin by another name.
  evaluate: (ctx) => {
    const graph = rbacGraph(ctx);
    const offences: Offence[] = graph.grants.flatMap((grant) => {
      const why = isSystemSubject(grant.subject) ? undefined : clusterAdminReason(grant);
      return why ? [{ grant, why }] : [];
    });
    const expected = 'cluster-admin, or a role equal to it, bound only to system identities';
    const failing = new Set(offences.map((o) => o.grant.binding));
    const verdicts = [
      ...bindingFailures(offences, expected),
      // A binding to a role that was not read may be cluster-admin by another name: unknown, not a pass.
      ...unresolvedBindings(ctx, graph, failing),
      ...latentFailures(ctx, graph, (role) => role.rules.filter((r) => grantsEverything(r.rule)), 'do everything cluster-admin can', expected),
    ];
    return concludeCluster(ctx, verdicts, RBAC_EVIDENCE, graph.bindings.length, `only system identities hold cluster-admin (${graph.bindings.length} bindings examined)`);
  },
});

const MASTERS = 'system:masters';

export const systemMasters = defineControl({
  id: 'CIS-5.1.7',
  title: 'The system:masters group is not used',
  section: SECTION.rbac,
  severity: 'high',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.1.7', nsa: NSA_THEME.rbac, kubescape: ['C-0246'] },
  level: 'L1',
  manual:
    'Membership of system:masters is written into client certificates (O=system:masters) and cannot be listed through the API. Check which certificates carry it: on kubeadm only the break-glass super-admin.conf (1.29+) should.',
  needs: BINDING_EVIDENCE,
  rationale:
    'Members of system:masters bypass authorization entirely: no RBAC change, not even deleting the cluster-admin binding, can restrict them, and a certificate cannot be revoked before it expires.',
  remediation:
    'Issue day-to-day administrator certificates for ordinary groups bound to suitable roles; keep a single system:masters certificate offline for break-glass use.',
  evaluate: (ctx) => {
    const graph = rbacGraph(ctx);
    const naming = graph.grants.filter((g) => g.subject.kind === 'Group' && g.subject.name === MASTERS);
    const isDefault = (g: RbacGrant) => g.binding.kind === 'ClusterRoleBinding' && g.binding.metadata.name === 'cluster-admin' && g.roleRef.name === 'cluster-admin';
    const extra = naming.filter((g) => !isDefault(g));
    const verdicts: Verdict[] = extra.map((g) =>
      manual(refOf(g.binding), `binds ${describeSubject(g.subject)} to ${describeRole(g.roleRef)}; the group already bypasses authorization, so this binding hints that the group is in use`, {
        path: `subjects[${g.subjectIndex}]`,
        observed: describeSubject(g.subject),
        expected: 'no binding beyond the default cluster-admin ClusterRoleBinding',
      }),
    );
    const seen = naming.length === 0 ? 'no binding names the group' : `bindings naming the group: ${[...new Set(naming.map((g) => g.binding.metadata.name))].join(', ')}`;
    return [...verdicts, manual(clusterRef(ctx), `${seen}. Which client certificates carry O=${MASTERS} cannot be seen through the API.`)];
  },
});
