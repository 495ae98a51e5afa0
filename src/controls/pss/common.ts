import type { EvidenceKind, ResourceRef, Verdict } from '../../core/types.js';
import type { PodSubject } from '../../evaluate/pod-specs.js';
import { fail, notApplicable, pass } from '../verdicts.js';

/**
 * What the Pod Security Standards controls share: the evidence they read, their sections and
 * NSA themes, and the few verdict shapes that PodSecurity admission's rules call for.
 */

/** Every object that carries a pod spec: bare pods and the workloads' pod templates. */
export const POD_SPEC_EVIDENCE: readonly EvidenceKind[] = [
  'pods',
  'deployments',
  'statefulsets',
  'daemonsets',
  'replicasets',
  'jobs',
  'cronjobs',
  'replicationcontrollers',
];

export const BASELINE = 'Pod Security Standards: baseline';
export const RESTRICTED = 'Pod Security Standards: restricted';

/** NSA/CISA hardening guide themes, as the catalog names them. */
export const NSA = {
  hostAccess: 'Pod security: privileged containers and host namespaces',
  escalation: 'Pod security: privilege escalation and capabilities',
  hardening: 'Pod security: seccomp, AppArmor, SELinux',
  nonRoot: 'Pod security: non-root containers',
} as const;

/** The seccomp profile types PodSecurity accepts. */
export function validSeccompType(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

/** A field that breaks a rule, and what it holds. */
export interface Offender {
  path: string;
  value: unknown;
}

/** `a.b[x.y].c` -> ['a', 'b', '[x.y]', 'c']: dots inside brackets (sysctl names, annotation keys) stay. */
function segments(path: string): string[] {
  return path.match(/\[[^\]]*\]|[^.[\]]+/g) ?? [];
}

function joinSegments(parts: readonly string[]): string {
  return parts.reduce((acc, p) => (p.startsWith('[') || acc === '' ? acc + p : `${acc}.${p}`), '');
}

/**
 * One verdict for one or more offending fields: the exact field when there is one, else
 * their closest common parent with each offending sub-path and its value, so nothing is hidden.
 */
export function failFields(resource: ResourceRef, offenders: readonly Offender[], expected: string): Verdict {
  const [first] = offenders;
  if (!first) throw new Error('failFields needs at least one offending field');
  if (offenders.length === 1) return fail(resource, first.path, first.value, expected);
  const split = offenders.map((o) => segments(o.path));
  let common = split[0] ?? [];
  for (const parts of split) {
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  const observed: Record<string, unknown> = {};
  split.forEach((parts, i) => {
    observed[joinSegments(parts.slice(common.length))] = offenders[i]?.value;
  });
  return fail(resource, joinSegments(common), observed, expected);
}

/**
 * PodSecurity rejects a forbidden pod-level value even when every container overrides it.
 * When some container inherits the value, that container's failure already names the pod
 * field; otherwise the pod field is returned as an offender of the pod subject itself.
 */
export function podLevelResidue(containerVerdicts: readonly Verdict[], podPath: string, podValue: unknown, forbidden: boolean): Offender[] {
  if (!forbidden || containerVerdicts.some((v) => v.evidence?.path === podPath)) return [];
  return [{ path: podPath, value: podValue }];
}

/** At most one pod-level failure per pod subject, so each finding keeps a unique identity. */
export function podLevelFail(subject: PodSubject, offenders: readonly Offender[], expected: string): Verdict[] {
  return offenders.length > 0 ? [failFields(subject.resource, offenders, expected)] : [];
}

/** Restricted checks that PodSecurity skips for Windows pods since policy 1.25. */
export function windowsExempt(resource: ResourceRef, subject: PodSubject): Verdict {
  return notApplicable(resource, `${subject.specPath}.os.name is windows: this check does not apply to Windows pods (policy 1.25+)`);
}

/**
 * A value that would fail, allowed because the pod has its own user namespace
 * (`hostUsers: false`, relaxation of policy 1.35). The pass names the field that allows it.
 */
export function userNamespacePass(resource: ResourceRef, subject: PodSubject, expected: string): Verdict {
  return pass(resource, { path: `${subject.specPath}.hostUsers`, observed: 'false', expected });
}
