import type { ResourceKind } from '../core/types.js';
import { POD_TEMPLATE_PATHS } from '../core/pod-spec.js';
import { describe as describeValue, isObject } from './normalize.js';

/**
 * The API server refuses a pod spec whose parts have the wrong type; a manifest on disk has had
 * no such check. The parts controls read by iteration, position or a string method (see
 * core/pod-spec.ts) are checked here, so a malformed file is named instead of making controls
 * throw on it. A null counts as absent, as the API server takes it.
 */

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATHS = new Map<ResourceKind, readonly string[]>([['pods', ['spec']], ...POD_TEMPLATE_PATHS.map(([kind, template]) => [kind, [...template, 'spec']] as const)]);

/**
 * `string`, `strings` (a list of them), `object` (of any content); `{ object }` with its
 * fields checked; `{ list }` of such objects ("expected a list"), `{ objects }` the same where
 * the message says "expected a list of objects".
 */
type Shape = 'string' | 'strings' | 'object' | { object: Fields } | { list: Fields } | { objects: Fields };
type Fields = Readonly<Record<string, Shape>>;

const PROFILE: Shape = { object: { type: 'string', localhostProfile: 'string' } };
const SECURITY_COMMON: Fields = { seccompProfile: PROFILE, appArmorProfile: PROFILE, seLinuxOptions: 'object', windowsOptions: 'object' };

const CONTAINER: Fields = {
  name: 'string',
  image: 'string',
  command: 'strings',
  args: 'strings',
  env: { objects: { name: 'string' } },
  envFrom: { objects: {} },
  ports: { objects: { protocol: 'string', name: 'string' } },
  volumeMounts: { objects: { name: 'string', mountPath: 'string' } },
  securityContext: { object: { ...SECURITY_COMMON, procMount: 'string', capabilities: { object: { add: 'strings', drop: 'strings' } } } },
  resources: { object: { limits: 'object', requests: 'object' } },
  livenessProbe: 'object',
  readinessProbe: 'object',
  startupProbe: 'object',
  lifecycle: 'object',
};

const POD_SPEC: Fields = {
  // The container lists first: their problems are the likeliest and the first one is named.
  containers: { list: CONTAINER },
  initContainers: { list: CONTAINER },
  ephemeralContainers: { list: CONTAINER },
  serviceAccountName: 'string',
  securityContext: { object: { ...SECURITY_COMMON, sysctls: { objects: { name: 'string' } } } },
  volumes: { objects: { name: 'string', hostPath: { object: { path: 'string', type: 'string' } } } },
  os: { object: { name: 'string' } },
};

/** A value in a message: a long string is cut (a manifest's string may be megabytes). */
function describe(v: unknown): string {
  return typeof v === 'string' && v.length > 64 ? `${JSON.stringify(v.slice(0, 40))}… (${v.length} characters)` : describeValue(v);
}

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
  return problemOf(node, { object: POD_SPEC }, path.join('.'));
}

function problemOf(value: unknown, shape: Shape, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (shape === 'string') return typeof value === 'string' ? undefined : `${at}: expected a string, got ${describe(value)}`;
  if (shape === 'strings') return Array.isArray(value) && value.every((s) => typeof s === 'string') ? undefined : `${at}: expected a list of strings, got ${describe(value)}`;
  if (shape === 'object') return isObject(value) ? undefined : `${at}: expected an object, got ${describe(value)}`;
  if ('object' in shape) return isObject(value) ? fieldsProblem(value, shape.object, at) : `${at}: expected an object, got ${describe(value)}`;
  const fields = 'list' in shape ? shape.list : shape.objects;
  if (!Array.isArray(value) || ('objects' in shape && !value.every(isObject))) return `${at}: expected a list${'objects' in shape ? ' of objects' : ''}, got ${describe(value)}`;
  for (const [i, item] of value.entries()) {
    const problem = isObject(item) ? fieldsProblem(item, fields, `${at}[${i}]`) : `${at}[${i}]: expected an object, got ${describe(item)}`;
    if (problem) return problem;
  }
  return undefined;
}

function fieldsProblem(obj: Record<string, unknown>, fields: Fields, at: string): string | undefined {
  for (const [key, shape] of Object.entries(fields)) {
    const problem = problemOf(obj[key], shape, `${at}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}
