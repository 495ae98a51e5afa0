/** Faults: which configured faults apply to a request, and the delay they ask for. */
import type { Fault } from './types.js';
import type { ResourceType } from './resources.js';
import { routeTarget, type Route } from './routing.js';

export function faultMatches(key: string, path: string, type: ResourceType | undefined, subresource?: string): boolean {
  if (key === '*') return true;
  if (key.startsWith('/')) return path.includes(key);
  if (!type) return false;
  const res = subresource ? `${type.resource}/${subresource}` : type.resource;
  return key === res || key === (type.group ? `${res}.${type.group}` : res);
}

export function sleep(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });
}

/** The faults that apply to a request by this user, merged (later keys win). */
export function faultFor(faults: ReadonlyMap<string, Fault>, user: string, path: string, r: Route): Fault {
  const { type, subresource } = routeTarget(r);
  const fault: Fault = {};
  for (const [key, f] of faults) {
    if (f.users && !f.users.includes(user)) continue;
    if (faultMatches(key, path, type, subresource)) Object.assign(fault, f);
  }
  return fault;
}
