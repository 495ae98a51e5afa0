import type { ResourceKind } from '../core/types.js';
import { POD_TEMPLATE_PATHS } from '../core/pod-spec.js';
import { describe, isObject } from './normalize.js';

/**
 * The API server refuses a pod spec whose containers are not a list of objects; a manifest
 * on disk has had no such check. The parts complyd reads by position or iteration are
 * checked here so a malformed file is named instead of crashing the reader.
 */

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATHS = new Map<ResourceKind, readonly string[]>([['pods', ['spec']], ...POD_TEMPLATE_PATHS.map(([kind, template]) => [kind, [...template, 'spec']] as const)]);

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** The first shape problem of the object's pod spec (`spec.containers[0]: expected an object, got null`), if any. */
export function podSpecProblem(resource: ResourceKind, raw: Record<string, unknown>): string | undefined {
  const path = POD_SPEC_PATHS.get(resource);
  if (!path) return undefined;
  let node: unknown = raw;
  for (let i = 0; i < path.length; i++) {
    if (node === undefined || node === null) return undefined; // no pod spec: nothing to judge, the controls say so
    if (!isObject(node)) return `${path.slice(0, i).join('.')}: expected an object, got ${describe(node)}`;
    node = node[path[i] as string];
  }
  if (node === undefined || node === null) return undefined;
  const specPath = path.join('.');
  if (!isObject(node)) return `${specPath}: expected an object, got ${describe(node)}`;
  for (const list of CONTAINER_LISTS) {
    const containers = node[list];
    if (containers === undefined || containers === null) continue;
    if (!Array.isArray(containers)) return `${specPath}.${list}: expected a list, got ${describe(containers)}`;
    for (const [i, c] of containers.entries()) {
      const problem = containerProblem(c, `${specPath}.${list}[${i}]`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function containerProblem(c: unknown, at: string): string | undefined {
  if (!isObject(c)) return `${at}: expected an object, got ${describe(c)}`;
  for (const key of ['command', 'args'] as const) {
    const v = c[key];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.every((s) => typeof s === 'string'))) return `${at}.${key}: expected a list of strings, got ${describe(v)}`;
  }
  const env = c.env;
  if (env !== undefined && env !== null && !(Array.isArray(env) && env.every(isObject))) return `${at}.env: expected a list of objects, got ${describe(env)}`;
  return undefined;
}
