/**
 * The exceptions stage: gives each failing finding a disposition. Pure: the run's time is
 * passed in, labels come from the snapshot. A finding's status is never changed.
 *
 * An exception applies to a finding when one of its control ids or patterns names the
 * finding's control and every part of its scope that is given holds. Among the exceptions
 * that apply, one in force at the run's time (created <= at < expires) excepts the finding;
 * when none is in force but one has lapsed (at >= expires), the finding is `expired` and names
 * the one that lapsed last. An exception not yet created at the run's time applies to nothing,
 * so a replayed history is not excepted before the exception existed.
 */
import { globRegExp, type Disposition, type Exception } from '../core/exception.js';
import { selectorMatches, type Labels } from '../core/label-selector.js';
import type { Finding, ResourceRef, Snapshot } from '../core/types.js';

export { selectorMatches, type Labels };

/** What the stage needs to know of the cluster a scan's findings come from. */
export interface ExceptionTarget {
  readonly cluster: string;
  readonly clusterLabels: Labels;
  /** The labels of the object a finding names, when the snapshot has it. */
  readonly objectLabels: (ref: ResourceRef) => Labels | undefined;
}

/** A list of names or `*` globs as one test; undefined (omitted in the file) means all. */
function nameTest(patterns: readonly string[] | undefined): ((value: string | undefined) => boolean) | undefined {
  if (!patterns) return undefined;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map(globRegExp);
  return (value) => value !== undefined && (exact.has(value) || globs.some((g) => g.test(value)));
}

/** One exception with its patterns compiled once per scan. */
export interface CompiledException {
  readonly exception: Exception;
  readonly createdMs: number;
  readonly expiresMs: number;
  appliesToCluster(target: ExceptionTarget): boolean;
  appliesToControl(controlId: string): boolean;
  /** The rest of the scope, for a finding of a control it applies to. */
  appliesTo(f: Finding, target: ExceptionTarget): boolean;
}

export function compileException(e: Exception): CompiledException {
  const control = nameTest(e.controls) as (v: string | undefined) => boolean;
  const clusters = nameTest(e.scope.clusters);
  const namespaces = nameTest(e.scope.namespaces);
  const names = nameTest(e.scope.names);
  const kinds = e.scope.kinds ? new Set(e.scope.kinds) : undefined;
  const { clusterSelector, objectSelector } = e.scope;
  const appliesToCluster = (t: ExceptionTarget) => (!clusters || clusters(t.cluster)) && (!clusterSelector || selectorMatches(clusterSelector, t.clusterLabels));
  return {
    exception: e,
    createdMs: Date.parse(e.created),
    expiresMs: Date.parse(e.expires),
    appliesToCluster,
    appliesToControl: (id) => control(id),
    appliesTo: (f, t) =>
      (!kinds || kinds.has(f.resource.kind)) &&
      (!namespaces || namespaces(f.resource.namespace)) &&
      (!names || names(f.resource.name)) &&
      // No labels known (a cluster-level finding, an object the snapshot lacks): the selector cannot be shown to hold.
      (!objectSelector || selectorMatches(objectSelector, t.objectLabels(f.resource))),
  };
}

/** The disposition of one failing finding among the exceptions that apply to its cluster and control; undefined: open. */
export function dispositionOf(f: Finding, candidates: readonly CompiledException[], target: ExceptionTarget, atMs: number): Disposition | undefined {
  let lapsed: CompiledException | undefined;
  for (const c of candidates) {
    if (c.createdMs > atMs || !c.appliesTo(f, target)) continue;
    if (atMs < c.expiresMs) return { kind: 'excepted', exceptionId: c.exception.id };
    if (!lapsed || c.expiresMs > lapsed.expiresMs) lapsed = c;
  }
  return lapsed ? { kind: 'expired', exceptionId: lapsed.exception.id } : undefined;
}

/**
 * Sets the disposition of every `fail` among `findings`, in place (a cluster has tens of
 * thousands of findings; copying them for the few failures would be waste), and returns them.
 * Any disposition given before is replaced, so the stage can be run again at another time.
 */
export function applyExceptions<F extends Finding>(findings: F[], exceptions: readonly CompiledException[], target: ExceptionTarget, at: Date): F[] {
  const atMs = at.getTime();
  const inCluster = exceptions.filter((c) => c.appliesToCluster(target));
  // A cluster has thousands of failures over a few hundred controls: match the patterns once per control.
  const byControl = new Map<string, CompiledException[]>();
  for (const f of findings) {
    delete f.disposition;
    if (f.status !== 'fail' || inCluster.length === 0) continue;
    let candidates = byControl.get(f.controlId);
    if (!candidates) byControl.set(f.controlId, (candidates = inCluster.filter((c) => c.appliesToControl(f.controlId))));
    if (candidates.length === 0) continue;
    const d = dispositionOf(f, candidates, target, atMs);
    if (d) f.disposition = d;
  }
  return findings;
}

const refKey = (kind: string, namespace: string | undefined, name: string): string => `${kind}\u001f${namespace ?? ''}\u001f${name}`;

/** Labels of the snapshot's objects, looked up by the resource a finding names. */
export function snapshotTarget(snapshot: Snapshot): ExceptionTarget {
  let index: Map<string, Labels> | undefined;
  return {
    cluster: snapshot.cluster,
    clusterLabels: snapshot.labels,
    objectLabels: (ref) => {
      if (!index) {
        index = new Map();
        for (const list of Object.values(snapshot.objects)) {
          for (const o of list ?? []) index.set(refKey(o.kind, o.metadata.namespace, o.metadata.name), o.metadata.labels ?? {});
        }
      }
      return index.get(refKey(ref.kind, ref.namespace, ref.name));
    },
  };
}
