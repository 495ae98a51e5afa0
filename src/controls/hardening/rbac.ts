import type { AccessQuery } from '../../evaluate/rbac.js';
import { defineControl } from '../define.js';
import { judgePermission } from '../cis/policies/rbac-permissions.js';
import { RBAC_EVIDENCE } from '../cis/policies/common.js';
import { NSA_THEME, SECTION } from './common.js';

/**
 * "Who can ...?" beyond the CIS 5.1 items, judged like them (src/evaluate/rbac.ts): a binding
 * giving the permission to a subject outside Kubernetes' own identities fails, naming the rule;
 * a binding to a role not read is unknown; a role nobody binds yet fails as latent on the role.
 */

const WRITE = ['create', 'update', 'patch'];

const EXEC: readonly AccessQuery[] = [
  { apiGroups: [''], resources: ['pods/exec', 'pods/attach'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create', 'get'] },
];

export const podExec = defineControl({
  id: 'HARD-rbac-pod-exec',
  title: 'Only system identities can exec, attach or port-forward into pods',
  section: SECTION.rbac,
  severity: 'high',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.rbac, kubescape: ['C-0002', 'C-0063'] },
  needs: RBAC_EVIDENCE,
  rationale:
    'pods/exec and pods/attach run commands in, or take over the terminal of, any container in scope: its files, its mounted Secrets and its service account token become the caller\'s. pods/portforward reaches ports that NetworkPolicy and Services keep private. The API server authorizes these with create (and, for older clients over a GET upgrade, get), so both verbs count, as in Kubescape C-0002 and C-0063.',
  remediation: 'Remove pods/exec, pods/attach and pods/portforward from roles bound to people and workloads; grant them for a limited time to on-call engineers, in the namespaces they support, through a break-glass process.',
  evaluate: (ctx) => judgePermission(ctx, { what: 'exec, attach or port-forward into pods', queries: EXEC }),
});

const WORKLOADS: readonly AccessQuery[] = [
  { apiGroups: ['apps'], resources: ['deployments', 'daemonsets', 'statefulsets', 'replicasets'], verbs: WRITE },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: WRITE },
  { apiGroups: [''], resources: ['replicationcontrollers'], verbs: WRITE },
];

export const workloadWrite = defineControl({
  id: 'HARD-rbac-workload-write',
  title: 'Only system identities can create or change pod-running workloads',
  section: SECTION.rbac,
  severity: 'medium',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.rbac, kubescape: ['C-0188'] },
  needs: RBAC_EVIDENCE,
  rationale:
    'Creating or updating a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob or ReplicationController is creating Pods by another name: the controller runs whatever template it is given, with any service account, volume and security context admission allows. CIS 5.1.4 asks only about create on pods; this control asks about the workloads (create, update, patch), which is where delivery pipelines and people usually hold the right. Expect findings for deployment tools: review and except them.',
  remediation: 'Keep write access to workloads for the delivery pipeline\'s identity and the controllers; give people read access and changes through the pipeline; enforce Pod Security admission in every namespace where someone can write workloads.',
  evaluate: (ctx) => judgePermission(ctx, { what: 'create, update or patch workloads that run pods', queries: WORKLOADS }),
});

const CLUSTER_MANAGEMENT: readonly AccessQuery[] = [
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings'], verbs: [...WRITE, 'delete'] },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: [...WRITE, 'delete'] },
  { apiGroups: [''], resources: ['namespaces', 'nodes'], verbs: ['update', 'patch', 'delete'] },
];

export const clusterManagement = defineControl({
  id: 'HARD-rbac-cluster-management',
  title: 'Only system identities can manage the cluster as a whole',
  section: SECTION.rbac,
  severity: 'high',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.rbac, kubescape: ['C-0035'] },
  needs: RBAC_EVIDENCE,
  rationale:
    'Writing ClusterRoles or ClusterRoleBindings re-draws everyone\'s permissions (escalation prevention still lets a holder grant what it holds, and most holders hold a lot); writing CustomResourceDefinitions changes the API itself; updating or deleting Namespaces and Nodes removes their workloads or relabels them out of their policies (the Pod Security labels live on Namespaces). Holders of these are cluster administrators whatever their role is called; CIS 5.1.1 finds cluster-admin and its equivalents, this control finds the narrower roles that amount to the same.',
  remediation: 'Keep these rights for a small administrator group and the controllers that need them (GitOps agents, operators), and review every other holder.',
  evaluate: (ctx) => judgePermission(ctx, { what: 'manage the cluster (write cluster roles and bindings, CRDs, namespaces or nodes)', queries: CLUSTER_MANAGEMENT }),
});
