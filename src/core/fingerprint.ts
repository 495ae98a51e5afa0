import { createHash } from 'node:crypto';
import type { Finding, ResourceRef, Verdict } from './types.js';

type Identity = Pick<Finding, 'cluster' | 'controlId' | 'resource' | 'discriminator'>;

/**
 * A finding's identity across runs: cluster, control, resource, container and, only for a
 * resource the control gave several verdicts on, the discriminator of the second and later
 * ones. It never includes the status or evidence, so the same problem keeps the same
 * fingerprint while it lives, and a fixed-then-reintroduced problem is recognised as reopened.
 * Without a discriminator the key is the one complyd 0.1.0 stored, so stored lifecycles continue.
 */
export function findingKey(f: Identity): string {
  return `${f.cluster}\u001f${matchKey(f.controlId, f.resource, f.discriminator)}`;
}

/**
 * A finding's identity within its cluster (findingKey without the cluster). Resources are
 * usually shared by all the verdicts on them, so their part is computed once per object.
 */
const resourceParts = new WeakMap<ResourceRef, string>();
export function resourcePart(r: ResourceRef): string {
  let part = resourceParts.get(r);
  if (part === undefined) resourceParts.set(r, (part = [r.kind, r.namespace ?? '', r.name, r.container ?? ''].join('\u001f')));
  return part;
}

export function matchKey(controlId: string, r: ResourceRef, discriminator?: string): string {
  return matchKeyOfPart(controlId, resourcePart(r), discriminator);
}

/** matchKey from a resource's part (resourcePart), for verdicts kept without their resource (core/passes.ts). */
export function matchKeyOfPart(controlId: string, part: string, discriminator?: string): string {
  const key = `${controlId}\u001f${part}`;
  return discriminator === undefined ? key : `${key}\u001f${discriminator}`;
}

/** The resource a resourcePart names (apiVersion and uid are not part of it). */
export function resourceOfPart(part: string): ResourceRef {
  const [kind = '', namespace = '', name = '', container = ''] = part.split('\u001f');
  const r: ResourceRef = { kind, name };
  if (namespace !== '') r.namespace = namespace;
  if (container !== '') r.container = container;
  return r;
}

/** Fixed-length form of findingKey, for storage and indexes. */
export function fingerprint(f: Identity): string {
  return fingerprintOfKey(f.cluster, matchKey(f.controlId, f.resource, f.discriminator));
}

/**
 * fingerprint from a finding's cluster and matchKey. The first 16 bytes written as hex: the
 * same text as the first 32 characters of the hex digest, but a string of its own rather
 * than a slice that keeps the 64-character one alive (a first scan keeps millions).
 */
export function fingerprintOfKey(cluster: string, key: string): string {
  return createHash('sha256').update(`${cluster}\u001f${key}`).digest().toString('hex', 0, 16);
}

/**
 * The identity each of one control's verdicts in one scan takes (`from`: where the control's
 * verdicts start), as a discriminator per verdict from `from` on, or undefined when no two
 * verdicts share a resource (then none has one: the usual case, and nothing is allocated). On
 * each resource one verdict keeps the plain identity (no discriminator): the first that proposed
 * no discriminator, else the first. Every other one takes the discriminator it proposed, else its
 * evidence path, else its status, numbered when that is taken. evaluate proposes one for the
 * `unknown`s it adds for missing evidence, so a control's own verdict on the cluster keeps its
 * fingerprint whether evidence goes missing or not, and a lone `unknown` keeps the fingerprint
 * 0.1.0 gave it. The verdicts are not changed: a control's verdicts may share objects.
 */
export function verdictDiscriminators(verdicts: readonly Verdict[], from = 0): (string | undefined)[] | undefined {
  const plain = new Map<string, number>();
  let shared = false;
  for (let i = from; i < verdicts.length; i++) {
    const v = verdicts[i] as Verdict;
    const key = resourcePart(v.resource);
    const held = plain.get(key);
    if (held === undefined) plain.set(key, i);
    else {
      shared = true;
      if ((verdicts[held] as Verdict).discriminator !== undefined && v.discriminator === undefined) plain.set(key, i);
    }
  }
  if (!shared) return undefined;
  const out: (string | undefined)[] = [];
  const taken = new Map<string, Set<string>>();
  for (let i = from; i < verdicts.length; i++) {
    const v = verdicts[i] as Verdict;
    const key = resourcePart(v.resource);
    if (plain.get(key) === i) {
      out.push(undefined);
      continue;
    }
    let used = taken.get(key);
    if (!used) taken.set(key, (used = new Set()));
    const base = v.discriminator ?? v.evidence?.path ?? v.status;
    let d = base;
    for (let n = 2; used.has(d); n++) d = `${base}#${n}`;
    used.add(d);
    out.push(d);
  }
  return out;
}
