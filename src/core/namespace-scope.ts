/**
 * `--include-namespaces` / `--exclude-namespaces` and the configuration's `namespaces`: which
 * namespaced findings a scan or an evaluation keeps. Everything is still collected and judged
 * (RBAC reach needs every role and binding); the findings on objects in a namespace outside
 * the selection are dropped afterwards. Cluster-scoped findings (nodes, ClusterRoleBindings,
 * the cluster itself) are always kept; a Namespace object counts as inside itself.
 */
import { globRegExp } from './exception.js';
import type { ResourceRef } from './types.js';

/** Namespaces of the control plane itself (Kubernetes runs its own components there). */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

export interface NamespaceSelection {
  /** Names or `*` globs; absent: every namespace. */
  readonly include?: readonly string[];
  /** Names or `*` globs taken out of what include gives. */
  readonly exclude?: readonly string[];
}

function matcher(patterns: readonly string[]): (ns: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map(globRegExp);
  return (ns) => exact.has(ns) || globs.some((g) => g.test(ns));
}

/** The namespace a resource lives in, for the selection: a Namespace is in itself. */
export function namespaceOf(ref: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>): string | undefined {
  return ref.kind === 'Namespace' ? ref.name : ref.namespace;
}

/** A test of namespaces; undefined when the selection keeps everything. */
export function namespaceTest(selection: NamespaceSelection | undefined): ((ns: string) => boolean) | undefined {
  const include = selection?.include?.length ? matcher(selection.include) : undefined;
  const exclude = selection?.exclude?.length ? matcher(selection.exclude) : undefined;
  if (!include && !exclude) return undefined;
  return (ns) => (!include || include(ns)) && !(exclude?.(ns) ?? false);
}

/** A test of resources: cluster-scoped ones always pass. Undefined when the selection keeps everything. */
export function resourceInScope(selection: NamespaceSelection | undefined): ((ref: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>) => boolean) | undefined {
  const test = namespaceTest(selection);
  if (!test) return undefined;
  return (ref) => {
    const ns = namespaceOf(ref);
    return ns === undefined || ns === '' || test(ns);
  };
}

/** `include shop,web-*; exclude kube-system`: how outputs and the run record name a selection. */
export function describeNamespaces(selection: NamespaceSelection | undefined): string | undefined {
  const parts = [];
  if (selection?.include?.length) parts.push(`include ${selection.include.join(',')}`);
  if (selection?.exclude?.length) parts.push(`exclude ${selection.exclude.join(',')}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}
