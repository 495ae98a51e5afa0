/** Routing: which API path leads to which resource, object or subresource. */
import { RESOURCE_TYPES, type ResourceType } from './resources.js';

export type Route =
  | { kind: 'version' }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | { kind: 'list'; type: ResourceType; namespace?: string }
  | { kind: 'get'; type: ResourceType; namespace?: string; name: string }
  | { kind: 'nodeProxy'; type: ResourceType; node: string; subpath: string }
  | { kind: 'notFound' };

function findType(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

function splitPath(pathname: string): string[] | undefined {
  const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  try {
    return trimmed.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

const NOT_FOUND: Route = { kind: 'notFound' };

/** Where a path below /api/{v} or /apis/{g}/{v} leads. */
function resourceRoute(group: string, version: string, rest: string[]): Route {
  const [first = '', second = '', third = '', fourth = ''] = rest;
  if (rest.length === 0) return { kind: 'resourceList', group, version };
  // /namespaces/{ns}/{resource}[/{name}]
  if (first === 'namespaces' && rest.length >= 3) {
    const type = findType(group, version, third);
    if (!type?.namespaced || rest.length > 4) return NOT_FOUND;
    return rest.length === 3 ? { kind: 'list', type, namespace: second } : { kind: 'get', type, namespace: second, name: fourth };
  }
  const type = findType(group, version, first);
  if (!type) return NOT_FOUND;
  if (rest.length === 1) return { kind: 'list', type };
  if (rest.length === 2 && !type.namespaced) return { kind: 'get', type, name: second };
  if (type.resource === 'nodes' && third === 'proxy') {
    return { kind: 'nodeProxy', type, node: second, subpath: `/${rest.slice(3).join('/')}` };
  }
  return NOT_FOUND;
}

export function route(pathname: string): Route {
  const segs = splitPath(pathname);
  if (!segs) return NOT_FOUND;
  const top = segs.join('/');
  if (top === 'version') return { kind: 'version' };
  if (top === 'api') return { kind: 'api' };
  if (top === 'apis') return { kind: 'apis' };
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    [group, version, rest] = ['', segs[1] ?? '', segs.slice(2)];
  } else if (segs[0] === 'apis') {
    group = segs[1] ?? '';
    if (segs.length === 2) return RESOURCE_TYPES.some((t) => t.group === group) ? { kind: 'group', group } : NOT_FOUND;
    [version, rest] = [segs[2] ?? '', segs.slice(3)];
  } else {
    return NOT_FOUND;
  }
  if (!RESOURCE_TYPES.some((t) => t.group === group && t.version === version)) return NOT_FOUND;
  return resourceRoute(group, version, rest);
}

export type ListRoute = Extract<Route, { kind: 'list' }>;
export type GetRoute = Extract<Route, { kind: 'get' }>;
export type ProxyRoute = Extract<Route, { kind: 'nodeProxy' }>;

export function routeTarget(r: Route): { type?: ResourceType; subresource?: string; namespace?: string; name?: string } {
  switch (r.kind) {
    case 'list':
      return { type: r.type, ...(r.namespace ? { namespace: r.namespace } : {}) };
    case 'get':
      return { type: r.type, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) };
    case 'nodeProxy':
      return { type: r.type, subresource: 'proxy', name: r.node };
    default:
      return {};
  }
}
