import type { Severity, Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import { isBroadSubject, isSystemSubject, rbacGraph, type AccessMatch, type AccessQuery, type RbacRole } from '../../../evaluate/rbac.js';
import { defineControl, type CatalogControl } from '../../define.js';
import { NSA_THEME, RBAC_EVIDENCE, SECTION, bindingFailures, concludeCluster, describeRule, latentFailures, rulesFor, scopeOf, unresolvedBindings } from './common.js';

/**
 * CIS 5.1.x items that ask "who holds this permission?": each is an RBAC query, and each
 * binding that gives the permission to a subject outside the system allow-list
 * (src/evaluate/rbac.ts) fails, naming the subject and the role rule that grants it.
 */

export interface PermissionSpec {
  id: string;
  cis: string;
  title: string;
  severity: Severity;
  kubescape: readonly string[];
  /** "read Secrets": completes "no subject outside the system allow-list can …". */
  what: string;
  queries: readonly AccessQuery[];
  rationale: string;
  remediation: string;
  /** The permission is one complyd's own scanner role needs (see isScannerGrant). */
  scannerNeedsIt?: boolean;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

/**
 * complyd's read-only scanner role (deploy/kubernetes/rbac.yaml): a ClusterRole named
 * complyd-scanner or labelled app.kubernetes.io/name=complyd whose rules only read. It needs
 * `list secrets` (metadata) and `get nodes/proxy` (kubelet configz), so 5.1.2 and 5.1.10 do not
 * report it, unless it is bound to a group of many identities.
 */
function isScannerGrant(match: AccessMatch): boolean {
  const role = match.grant.role;
  return !!role && !isBroadSubject(match.grant.subject) && isScannerRole(role);
}

function isScannerRole(role: RbacRole): boolean {
  if (role.kind !== 'ClusterRole') return false;
  const ours = role.name === 'complyd-scanner' || role.object.metadata.labels?.['app.kubernetes.io/name'] === 'complyd';
  return ours && role.rules.every((r) => r.rule.verbs.every((v) => READ_VERBS.has(v)));
}

/** Who holds the permission: one failure per binding, unknown for bindings to roles not read, latent roles (ADR 0016). */
export function judgePermission(ctx: EvalContext, spec: Pick<PermissionSpec, 'what' | 'queries' | 'scannerNeedsIt'>): Verdict[] {
  const graph = rbacGraph(ctx);
  const matches = spec.queries
    .flatMap((q) => graph.whoCan(q))
    .filter((m) => !isSystemSubject(m.grant.subject) && !(spec.scannerNeedsIt && isScannerGrant(m)));
  const expected = `no subject outside the system allow-list can ${spec.what}`;
  const offences = matches.map((m) => ({ grant: m.grant, why: `can ${spec.what} ${scopeOf(m.grant)} through ${describeRule(m)}` }));
  const verdicts = [
    ...bindingFailures(offences, expected),
    ...unresolvedBindings(ctx, graph),
    ...latentFailures(ctx, graph, (role) => (spec.scannerNeedsIt && isScannerRole(role) ? [] : rulesFor(graph, role, spec.queries)), spec.what, expected),
  ];
  return concludeCluster(ctx, verdicts, RBAC_EVIDENCE, graph.bindings.length, `${expected} (${graph.bindings.length} bindings examined)`);
}

/**
 * What every permission control counts, and where that parts from kube-bench and Kubescape
 * (ADR 0027); appended to each rationale.
 */
const PERMISSION_SCOPE =
  'A rule counts with "*" in its verbs, API groups or resources, and through every ClusterRole it aggregates; a rule limited by resourceNames grants only the objects it names and is not counted, as kube-bench\'s kubectl auth can-i answers, where Kubescape counts the rule whatever its resourceNames. Kubernetes\' own identities (system:masters, nodes, the controllers\' service accounts) are not reported; Kubescape\'s rules report them and leave them to its exceptions.';

function permissionControl(spec: PermissionSpec): CatalogControl {
  return defineControl({
    id: spec.id,
    title: spec.title,
    section: SECTION.rbac,
    severity: spec.severity,
    frameworks: ['cis-1.12', 'nsa'],
    refs: { cis: spec.cis, nsa: NSA_THEME.rbac, kubescape: spec.kubescape },
    level: 'L1',
    needs: RBAC_EVIDENCE,
    rationale: `${spec.rationale} ${PERMISSION_SCOPE}`,
    remediation: spec.remediation,
    evaluate: (ctx) => judgePermission(ctx, spec),
  });
}

const core = (resources: string[], verbs?: string[]): AccessQuery => ({ apiGroups: [''], resources, ...(verbs ? { verbs } : {}) });

export const secretsAccess = permissionControl({
  id: 'CIS-5.1.2',
  cis: '5.1.2',
  title: 'Only system identities can read Secrets',
  severity: 'high',
  kubescape: ['C-0186', 'C-0015'],
  what: 'get, list or watch Secrets',
  queries: [core(['secrets'], ['get', 'list', 'watch'])],
  scannerNeedsIt: true,
  rationale:
    'Reading a Secret yields its value: service account tokens, database passwords, TLS keys. `list` and `watch` return every Secret of a namespace at once, so one broad grant exposes all credentials it covers. complyd\'s own read-only scanner role (deploy/kubernetes/rbac.yaml: list secrets, read as metadata only) is not reported unless it is bound to a broad group; Kubescape reports it like any role.',
  remediation:
    'Remove get, list and watch on secrets from roles bound to people and workloads; where a workload needs one Secret, grant get with resourceNames, or mount the Secret instead of reading it through the API.',
});

export const podCreation = permissionControl({
  id: 'CIS-5.1.4',
  cis: '5.1.4',
  title: 'Only system identities can create Pods',
  severity: 'medium',
  kubescape: ['C-0188'],
  what: 'create Pods',
  queries: [core(['pods'], ['create'])],
  rationale:
    'Whoever creates a Pod chooses its service account, volumes and security context, and so can run with any Secret or token of the namespace and, where admission allows it, with host access.',
  remediation:
    'Let people deploy through workload controllers or a delivery pipeline instead of creating Pods directly; keep create on pods for controllers, and enforce Pod Security admission in namespaces where it must stay.',
});

export const escalationVerbs = permissionControl({
  id: 'CIS-5.1.8',
  cis: '5.1.8',
  title: 'Only system identities hold bind, escalate or impersonate',
  severity: 'high',
  kubescape: ['C-0191', 'C-0065'],
  what: 'bind or escalate roles, or impersonate users, groups or service accounts',
  queries: [
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'], verbs: ['bind', 'escalate'] },
    core(['users', 'groups', 'serviceaccounts', 'uids'], ['impersonate']),
    { apiGroups: ['authentication.k8s.io'], resources: ['userextras/*'], verbs: ['impersonate'] },
  ],
  rationale:
    'bind and escalate let a subject grant or write roles with permissions it does not hold, and impersonate lets it act as anyone, including cluster administrators: each is a direct path to full control. bind on clusterroles counts when a RoleBinding or Role grants it too: the API server checks it in the namespace of the RoleBinding being written, so its holder can bind admin or any other ClusterRole there.',
  remediation:
    'Remove the bind, escalate and impersonate verbs (and "*" verbs on roles, clusterroles, users, groups and serviceaccounts) from roles bound to people and workloads; keep them for break-glass administrators only.',
});

export const persistentVolumeCreation = permissionControl({
  id: 'CIS-5.1.9',
  cis: '5.1.9',
  title: 'Only system identities can create PersistentVolumes',
  severity: 'medium',
  kubescape: ['C-0278'],
  what: 'create PersistentVolumes',
  queries: [core(['persistentvolumes'], ['create'])],
  rationale:
    'A PersistentVolume can point at a hostPath on a node; whoever creates one and claims it mounts the node\'s filesystem into a Pod, bypassing the Pod Security checks on volumes.',
  remediation: 'Keep create on persistentvolumes for storage administrators and provisioners; let users request storage through PersistentVolumeClaims and StorageClasses.',
});

export const nodeProxy = permissionControl({
  id: 'CIS-5.1.10',
  cis: '5.1.10',
  title: 'Only system identities can use the nodes/proxy subresource',
  severity: 'high',
  kubescape: ['C-0279'],
  what: 'use nodes/proxy',
  queries: [core(['nodes/proxy'])],
  scannerNeedsIt: true,
  rationale:
    'nodes/proxy reaches the kubelet API through the API server: it can read every pod\'s logs and, with create, run commands in any container of the node, outside audit of pods/exec.',
  remediation:
    'Remove nodes/proxy (and "*" resources on the core group) from roles bound to people and workloads; complyd\'s own read-only scanner role needs get on nodes/proxy for kubelet configz and is not reported.',
});

export const csrApproval = permissionControl({
  id: 'CIS-5.1.11',
  cis: '5.1.11',
  title: 'Only system identities can approve certificate signing requests',
  severity: 'high',
  kubescape: ['C-0280'],
  what: 'update the approval of CertificateSigningRequests',
  queries: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update', 'patch'] }],
  rationale:
    'Approving a CSR lets a client certificate be issued for any user or group name the request carries; with a kube-apiserver-client signer that can mean a certificate for an administrator.',
  remediation:
    'Keep update and patch on certificatesigningrequests/approval (with approve on signers) for the certificate controller and a few trusted administrators.',
});

export const webhookConfiguration = permissionControl({
  id: 'CIS-5.1.12',
  cis: '5.1.12',
  title: 'Only system identities can change admission webhook configurations',
  severity: 'high',
  kubescape: ['C-0281'],
  what: 'create, update, patch or delete admission webhook configurations',
  queries: [
    {
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
      verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
    },
  ],
  rationale:
    'Admission webhooks see and can change every object written to the cluster; whoever edits their configuration can disable policy enforcement or send Secrets and Pods to an endpoint of their choice.',
  remediation: 'Keep write verbs on validatingwebhookconfigurations and mutatingwebhookconfigurations for cluster administrators and the operators that own those webhooks.',
});

export const tokenCreation = permissionControl({
  id: 'CIS-5.1.13',
  cis: '5.1.13',
  title: 'Only system identities can mint service account tokens',
  severity: 'high',
  kubescape: ['C-0282'],
  what: 'create serviceaccounts/token',
  queries: [core(['serviceaccounts/token'], ['create'])],
  rationale:
    'create on serviceaccounts/token issues a token for any service account in scope, and with it every permission that account holds, without running a pod.',
  remediation: 'Remove create on serviceaccounts/token from roles bound to people and workloads; keep it for the kubelet and controllers that request tokens on behalf of pods.',
});
