/**
 * Exceptions: a team's declared acceptance of failing findings, with an owner and an expiry.
 * An exception never changes a finding's status; it gives a failing finding a disposition
 * beside it (see evaluate/exceptions.ts and ADR 0010).
 */
import { createHash } from 'node:crypto';
import type { LabelSelector } from './label-selector.js';

export type { LabelSelector };

/** Where an exception applies. An omitted part means "all". Names and namespaces may use `*` globs. */
export interface ExceptionScope {
  readonly clusters?: readonly string[];
  readonly clusterSelector?: LabelSelector;
  readonly namespaces?: readonly string[];
  readonly kinds?: readonly string[];
  readonly names?: readonly string[];
  readonly objectSelector?: LabelSelector;
}

export interface Exception {
  readonly id: string;
  /** Control ids, or patterns with `*` (`CIS-5.2.*`). */
  readonly controls: readonly string[];
  readonly scope: ExceptionScope;
  readonly owner: string;
  readonly reason: string;
  readonly ticket?: string;
  /** ISO 8601 instant (a date alone means 00:00 UTC that day). */
  readonly created: string;
  /** The first instant at which the exception no longer holds. */
  readonly expires: string;
  /** The file it was declared in and its index there, for messages and reports. */
  readonly source: { readonly file: string; readonly index: number };
}

/**
 * What was decided about a failing finding: `excepted` while a matching exception holds,
 * `expired` once the matching exception has lapsed. An open failure carries no disposition.
 */
export interface Disposition {
  readonly kind: 'excepted' | 'expired';
  readonly exceptionId: string;
}

export type DispositionKind = 'open' | Disposition['kind'];

export function dispositionKind(d: Disposition | undefined): DispositionKind {
  return d?.kind ?? 'open';
}

/** `*` matches any run of characters (also none); everything else is literal. */
export function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 of the exception set as canonical JSON, sorted by id. Where each was declared (its
 * file) is left out: moving an exception between files does not change what was applied.
 */
export function exceptionsDigest(exceptions: readonly Exception[]): string {
  const content = [...exceptions]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ source: _source, ...rest }) => rest);
  return createHash('sha256').update(`complyd.exceptions/v1\n${canonicalJson(content)}`).digest('hex');
}
