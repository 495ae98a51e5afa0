/** Faults: which configured faults apply to a request, and the delay they ask for. */
import type { Fault } from './types.js';
import type { ResourceType } from './resources.js';
import { routeTarget, type Route } from './routing.js';
import { TEXT_TYPE, type Answer } from './respond.js';
import { status } from './status.js';

const HTML_PAGE = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form action="/login"></form></body></html>\n';

/** The answer a fault puts in place of the real one (throttling, a server error, a portal's page), if any. */
export function faultAnswer(fault: Fault): Answer | undefined {
  if (fault.throttle) {
    const headers: Record<string, string> = fault.throttle.retryAfter === undefined ? {} : { 'Retry-After': fault.throttle.retryAfter };
    return { code: 429, body: status(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }), headers };
  }
  if (fault.broken === 'status500' || fault.serverError === 500) {
    const cause = 'etcdserver: request timed out';
    return { code: 500, body: status(500, 'InternalError', `Internal error occurred: ${cause}`, { causes: [{ message: cause }] }) };
  }
  if (fault.serverError === 503) {
    return { code: 503, body: status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'), headers: { 'Retry-After': '1' } };
  }
  // A load balancer in front answers 502 and 504 in plain text.
  if (fault.serverError) return { code: fault.serverError, raw: `${fault.serverError === 504 ? 'Gateway Timeout' : 'Bad Gateway'}\n`, contentType: TEXT_TYPE };
  if (fault.broken === 'html') return { code: 200, raw: HTML_PAGE, contentType: 'text/html; charset=utf-8' };
  return undefined;
}

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

/**
 * The faults that apply to a request by this user, merged (later keys win). `uses` counts
 * the requests each fault was applied to, so one with `times` is spent after that many.
 */
export function faultFor(faults: ReadonlyMap<string, Fault>, user: string, path: string, r: Route, uses: WeakMap<Fault, number>, verb?: string): Fault {
  const { type, subresource } = routeTarget(r);
  const fault: Fault = {};
  for (const [key, f] of faults) {
    if (f.users && !f.users.includes(user)) continue;
    if (f.verbs && (verb === undefined || !f.verbs.includes(verb))) continue;
    if (!faultMatches(key, path, type, subresource)) continue;
    const used = uses.get(f) ?? 0;
    if (f.times !== undefined && used >= f.times) continue;
    uses.set(f, used + 1);
    Object.assign(fault, f);
  }
  return fault;
}
