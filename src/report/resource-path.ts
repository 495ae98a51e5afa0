import type { ResourceRef } from '../core/types.js';

/**
 * `cluster/namespace/Kind/name[/container]`, with `_` for the namespace of a cluster-scoped
 * resource: `_` is not a valid namespace name, so the path cannot be read two ways.
 */
export function resourcePath(cluster: string, r: ResourceRef): string {
  return [cluster, r.namespace ?? '_', r.kind, r.name, ...(r.container ? [r.container] : [])].join('/');
}

/** `Kind namespace/name (container c)`: how the human-readable formats name a resource. */
export function resourceLabel(r: ResourceRef): string {
  const name = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  return `${r.kind} ${name}${r.container ? ` (container ${r.container})` : ''}`;
}
