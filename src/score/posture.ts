/**
 * Enforcement posture: per cluster and control, whether admission stops what the control
 * forbids (enforced: Deny), tells the client (warned), only records it (audited), or nothing
 * does (not enforced), and whether that is what the cluster's profile expects. Pure.
 *
 * Two enforcers are read: complyd's own ValidatingAdmissionPolicies (found by their
 * `complyd.io/control` annotation, effective only with a binding to an existing policy) and
 * Pod Security admission labels on namespaces (`enforce=restricted` covers the restricted and
 * baseline controls, `enforce=baseline` the baseline ones; warn and audit alike). Coverage is
 * per namespace: a control is enforced in the cluster only when every non-system namespace
 * denies it; the fraction of those that do is kept. Other engines are named, not judged.
 */
import {
  actionRank,
  ENFORCEMENT_STATES,
  ENGINES,
  type AdmissionAction,
  type AdmissionBindingInfo,
  type AdmissionCheck,
  type AdmissionEvidence,
  type ClusterPosture,
  type ControlPosture,
  type EnforcementState,
  type ExpectedEnforcement,
  policyReportSources,
} from '../core/admission.js';
import type { Framework } from '../core/control.js';
import { selectorMatches, type Labels } from '../core/label-selector.js';
import type { EvidenceKind, KubeObject, Snapshot } from '../core/types.js';

// System namespaces are left out of coverage: their components need what Pod Security forbids.
import { SYSTEM_NAMESPACES } from '../core/namespace-scope.js';

const PSA = 'pod-security.kubernetes.io';
const MODES = [
  ['enforce', 'Deny'],
  ['warn', 'Warn'],
  ['audit', 'Audit'],
] as const;

/** What posture needs of a control: its id, frameworks, evidence and, when exportable, its admission check. */
export interface PostureControl {
  readonly id: string;
  readonly frameworks: readonly Framework[];
  readonly needs: readonly EvidenceKind[];
  readonly admission?: Pick<AdmissionCheck, 'namespaces' | 'excludeNamespaces'>;
}

/** Evidence of controls judged on one object with a pod spec: the ones an admission policy can enforce. */
const POD_SPEC_KINDS: ReadonlySet<EvidenceKind> = new Set(['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs', 'replicationcontrollers']);

/** The Pod Security level whose admission covers a control, if any. */
function pssLevel(c: PostureControl): 'baseline' | 'restricted' | undefined {
  if (c.frameworks.includes('pss-baseline')) return 'baseline';
  if (c.frameworks.includes('pss-restricted')) return 'restricted';
  return undefined;
}

/** Whether a Pod Security level label covers a control of `level`. */
const covers = (label: string | undefined, level: 'baseline' | 'restricted'): boolean => label === 'restricted' || (label === 'baseline' && level === 'baseline');

/**
 * The policy version (1.x) from which Pod Security checks a control, where it is later than
 * v1.0, as the Pod Security Standards note it: a namespace pinned to an older version, or a
 * server older than that, does not check it whatever its level.
 */
const PSA_SINCE: Readonly<Record<string, number>> = {
  'PSS-allow-privilege-escalation': 8,
  'PSS-seccomp-restricted': 19,
  'PSS-capabilities-restricted': 22,
  'PSS-run-as-user': 23,
  'PSS-host-probes': 34,
};

/** What Pod Security labels must say to cover one control on one server. */
interface PodSecurityNeed {
  readonly level: 'baseline' | 'restricted';
  /** Minimum policy minor version. */
  readonly since: number;
  /** The server's minor version (what `latest` means), undefined when not read. */
  readonly server: number | undefined;
}

/** The policy minor version a mode's `-version` label selects: `latest` or unset is the server's, a pin above it counts as the server's. */
function policyMinor(label: string | undefined, server: number | undefined): number | undefined {
  if (label === undefined || label === 'latest') return server;
  const pinned = /^v1\.(\d+)$/.exec(label);
  if (!pinned) return undefined;
  const minor = Number(pinned[1]);
  return server === undefined ? minor : Math.min(minor, server);
}

/** Whether a namespace's Pod Security labels of one mode cover the control. An unknown version covers only the checks of v1.0. */
function modeCovers(ns: Ns, mode: (typeof MODES)[number][0], need: PodSecurityNeed): boolean {
  if (!covers(ns.labels[`${PSA}/${mode}`], need.level)) return false;
  if (need.since === 0) return true;
  const minor = policyMinor(ns.labels[`${PSA}/${mode}-version`], need.server);
  return minor !== undefined && minor >= need.since;
}

/** A namespace's enforce labels as drift names them: the level, and the version where it is pinned. */
function enforceLabel(ns: Ns): string {
  const level = ns.labels[`${PSA}/enforce`];
  const version = ns.labels[`${PSA}/enforce-version`];
  return level === undefined ? 'no label' : version && version !== 'latest' ? `${level} ${version}` : level;
}

/** What the profile expects of a control: its own key, else the strongest of its frameworks'. */
export function expectedAction(c: PostureControl, expected: ExpectedEnforcement | undefined): AdmissionAction | undefined {
  if (!expected) return undefined;
  const own = expected[c.id];
  if (own) return own;
  // A framework's expectation reaches only controls admission can enforce (one object with a pod spec).
  if (!c.needs.every((n) => POD_SPEC_KINDS.has(n))) return undefined;
  let best: AdmissionAction | undefined;
  for (const f of c.frameworks) {
    const a = expected[f];
    if (a && actionRank(a) > actionRank(best)) best = a;
  }
  return best;
}

function stateOf(rank: number): EnforcementState {
  return rank >= 3 ? 'enforced' : rank === 2 ? 'warned' : rank === 1 ? 'audited' : 'not-enforced';
}

interface Ns {
  name: string;
  labels: Labels;
}

type Need = PodSecurityNeed | undefined;

/** The strongest action a namespace gets from complyd's bindings, and with Pod Security labels counted too. */
function namespaceRanks(ns: Ns, bindings: readonly AdmissionBindingInfo[], need: Need): { policy: number; all: number } {
  let policy = 0;
  for (const b of bindings) {
    if (b.namespaceSelector && !selectorMatches(b.namespaceSelector, ns.labels)) continue;
    for (const a of b.actions) policy = Math.max(policy, actionRank(a));
  }
  let all = policy;
  if (need) for (const [mode, action] of MODES) if (modeCovers(ns, mode, need)) all = Math.max(all, actionRank(action));
  return { policy, all };
}

/** Why a control drifts: the binding of complyd's policy is gone, or namespaces do not enforce its level. */
function driftReasons(c: PostureControl, need: Need, namespaces: readonly Ns[], admission: AdmissionEvidence, bound: boolean): string[] {
  const reasons: string[] = [];
  const own = admission.policies?.find((p) => p.control === c.id && p.managedByComplyd);
  if (own && !(admission.bindings ?? []).some((b) => b.policyName === own.name)) reasons.push(`policy ${own.name} has no binding`);
  const weak = need ? namespaces.filter((ns) => !modeCovers(ns, 'enforce', need)) : [];
  if (need && weak.length > 0 && !bound) {
    const named = weak.slice(0, 3).map((n) => `${n.name}: ${enforceLabel(n)}`);
    const version = need.since > 0 ? ` from v1.${need.since}` : '';
    reasons.push(`${weak.length} of ${namespaces.length} namespaces do not enforce Pod Security ${need.level}${version} (${named.join(', ')}${weak.length > 3 ? ', ...' : ''})`);
  }
  return reasons;
}

/** Whether a control judges objects of a namespace at all (its admission check's namespace scope). */
function appliesIn(c: PostureControl, namespace: string): boolean {
  const scope = c.admission;
  if (scope?.namespaces && !scope.namespaces.includes(namespace)) return false;
  return !scope?.excludeNamespaces?.includes(namespace);
}

/** One control in one cluster. */
function controlPosture(c: PostureControl, namespaces: readonly Ns[] | undefined, admission: AdmissionEvidence, expected: AdmissionAction | undefined, server: number | undefined): ControlPosture {
  const level = pssLevel(c);
  const need: Need = level ? { level, since: PSA_SINCE[c.id] ?? 0, server } : undefined;
  const policies = new Set((admission.policies ?? []).map((p) => p.name));
  const bindings = (admission.bindings ?? []).filter((b) => b.control === c.id && b.managedByComplyd && policies.has(b.policyName));
  // Evidence missing for an enforcer that could count: what is seen is a floor, never the answer.
  const missing: string[] = [];
  if (!admission.policies || !admission.bindings) missing.push('ValidatingAdmissionPolicies or their bindings could not be read');
  if (level && !namespaces) missing.push('namespaces (and their Pod Security labels) could not be read');

  // A control scoped to some namespaces (a custom control's match) is enforced when those deny it.
  const inScope = namespaces?.filter((ns) => appliesIn(c, ns.name));
  // With no namespace of its own the cluster still has policies: one unlabelled stand-in.
  const targets: Ns[] = inScope && inScope.length > 0 ? inScope : [{ name: '', labels: {} }];
  const ranks = targets.map((ns) => namespaceRanks(ns, bindings, namespaces ? need : undefined));
  const weakest = Math.min(...ranks.map((r) => r.all));
  const by = new Set<'policy' | 'pod-security'>();
  for (const r of ranks) {
    if (r.policy > 0 && r.policy === r.all) by.add('policy');
    if (r.all > r.policy) by.add('pod-security');
  }
  const total = inScope?.length ?? 0;
  const seen = stateOf(weakest);
  const state: EnforcementState = seen !== 'enforced' && missing.length > 0 ? 'unknown' : seen;
  const reasons = state === 'unknown' ? [...missing] : [];
  const drift = expected !== undefined && state !== 'unknown' && actionRank(expected) > weakest;
  if (drift) {
    reasons.push(...driftReasons(c, need, inScope ?? [], admission, bindings.length > 0));
    if (reasons.length === 0) reasons.push(`expected ${expected}, found ${state}`);
  }
  return {
    controlId: c.id,
    state,
    by: state === 'not-enforced' || state === 'unknown' ? [] : [...by].sort(),
    namespaces: { denied: total === 0 ? 0 : ranks.filter((r) => r.all >= 3).length, total },
    ...(expected ? { expected } : {}),
    ...(drift ? { drift: true as const } : {}),
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
  };
}

function namespacesOf(snapshot: Snapshot): Ns[] | undefined {
  const listed: KubeObject[] | undefined = snapshot.objects.namespaces;
  if (!listed || snapshot.gaps.some((g) => g.evidence === 'namespaces')) return undefined;
  return listed.filter((n) => !SYSTEM_NAMESPACES.includes(n.metadata.name)).map((n) => ({ name: n.metadata.name, labels: n.metadata.labels ?? {} }));
}

/**
 * The posture of a cluster over the controls it was evaluated with: those Pod Security covers,
 * those complyd can export as admission policies (listed whether or not a policy is there, so
 * a policy and binding deleted together lower the coverage instead of leaving it), those
 * complyd's policies name, and those the profile expects. Undefined for a snapshot
 * without admission evidence (manifests, a collector that predates it).
 */
export function assessPosture(snapshot: Snapshot, controls: readonly PostureControl[], expected?: ExpectedEnforcement): ClusterPosture | undefined {
  const admission = snapshot.admission;
  if (!admission) return undefined;
  const named = new Set([...(admission.policies ?? []), ...(admission.bindings ?? [])].filter((x) => x.managedByComplyd).flatMap((x) => x.control ?? []));
  const namespaces = namespacesOf(snapshot);
  // What `latest` means to Pod Security: the server's minor version ("31+" on some providers).
  const minor = Number.parseInt(snapshot.serverVersion?.minor ?? '', 10);
  const server = snapshot.serverVersion?.major === '1' && Number.isFinite(minor) ? minor : undefined;
  const postures = controls
    .filter((c) => pssLevel(c) !== undefined || c.admission !== undefined || named.has(c.id) || expectedAction(c, expected) !== undefined)
    .map((c) => controlPosture(c, namespaces, admission, expectedAction(c, expected), server));
  const counts = Object.fromEntries(ENFORCEMENT_STATES.map((s) => [s, 0])) as Record<EnforcementState, number>;
  for (const p of postures) counts[p.state]++;
  return {
    controls: postures,
    counts,
    expected: postures.filter((p) => p.expected).length,
    drift: postures.filter((p) => p.drift).length,
    engines: ENGINES.map((engine) => ({ engine, presence: admission.engines[engine] })),
    ...(admission.policyReports ? { policyReports: policyReportSources(admission.policyReports) } : {}),
  };
}
