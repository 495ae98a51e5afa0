import { createHash } from 'node:crypto';
import type { Finding } from './types.js';

/**
 * A finding's identity across runs: cluster, control, resource and container. It never
 * includes the status or evidence, so the same problem keeps the same fingerprint while it
 * lives, and a fixed-then-reintroduced problem is recognised as reopened.
 */
export function findingKey(f: Pick<Finding, 'cluster' | 'controlId' | 'resource'>): string {
  const r = f.resource;
  return [f.cluster, f.controlId, r.kind, r.namespace ?? '', r.name, r.container ?? ''].join('\u001f');
}

/** Fixed-length form of findingKey, for storage and indexes. */
export function fingerprint(f: Pick<Finding, 'cluster' | 'controlId' | 'resource'>): string {
  return createHash('sha256').update(findingKey(f)).digest('hex').slice(0, 32);
}
