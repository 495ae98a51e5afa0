import type { ResourceRef, Snapshot } from '../core/types.js';

/**
 * Gives a verdict's resource the apiVersion and uid of the object it names, when the control
 * built the reference by hand (a Node, a Namespace, a control-plane pod, a workload of the
 * network model) instead of from the object. They are reported with the finding and stored
 * with its episode, never part of its identity, so adding them changes no fingerprint.
 */
export type CompleteRef = (ref: ResourceRef) => ResourceRef;

const keyOf = (kind: string, namespace: string | undefined, name: string): string => `${kind}\u001f${namespace ?? ''}\u001f${name}`;

/** Built once per snapshot; the object index only when a reference first needs it. */
export function objectIdentity(snapshot: Snapshot): CompleteRef {
  // null: two objects answer to one kind, namespace and name (say two API groups): no guess.
  let index: Map<string, { apiVersion?: string; uid?: string } | null> | undefined;
  // One completed reference per reference given, so verdicts sharing a resource still share it.
  const completed = new WeakMap<ResourceRef, ResourceRef>();

  const build = () => {
    const map = new Map<string, { apiVersion?: string; uid?: string } | null>();
    for (const list of Object.values(snapshot.objects)) {
      for (const o of list ?? []) {
        if (o.apiVersion === undefined && o.metadata.uid === undefined) continue;
        const key = keyOf(o.kind, o.metadata.namespace, o.metadata.name);
        map.set(key, map.has(key) ? null : { ...(o.apiVersion !== undefined && { apiVersion: o.apiVersion }), ...(o.metadata.uid !== undefined && { uid: o.metadata.uid }) });
      }
    }
    return map;
  };

  return (ref) => {
    if (ref.apiVersion !== undefined || ref.uid !== undefined || ref.kind === 'Cluster') return ref;
    const done = completed.get(ref);
    if (done) return done;
    index ??= build();
    const found = index.get(keyOf(ref.kind, ref.namespace, ref.name));
    const out = found ? { ...ref, ...found } : ref;
    completed.set(ref, out);
    return out;
  };
}
