/**
 * List paging: `limit` (capped by maxPageSize), `continue` tokens bound to the list's
 * resourceVersion, `metadata.remainingItemCount`, and 410 Expired after a compaction.
 */
import type { Fault } from './types.js';
import { byteCompare, isRecord, type Stored } from './object-store.js';
import type { Answer } from './respond.js';
import { fieldValue, labelsMatch, type FieldReq, type LabelReq } from './selectors.js';
import { badRequest, CONTINUE_EXPIRED_MESSAGE, status } from './status.js';

// Continue tokens: base64url (no padding) of {"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  const bad = /[^A-Za-z0-9_-]/.exec(token);
  if (bad) throw new Error(`continue key is not valid: illegal base64 data at input byte ${bad.index}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw new Error(`continue key is not valid: ${(err as Error).message}`);
  }
  if (!isRecord(parsed) || parsed.v !== 'meta.k8s.io/v1') {
    throw new Error('continue key is not valid: server does not recognize this encoded key');
  }
  if (typeof parsed.rv !== 'number' || parsed.rv <= 0) {
    throw new Error('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof parsed.start !== 'string' || parsed.start === '') {
    throw new Error('continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  }
  return { rv: parsed.rv, start: parsed.start };
}

/** A valid continue token that starts the list over from its first key (a server that never ends a list). */
export function restartToken(rv: number): string {
  return encodeContinue(rv, '');
}

export interface ListStart {
  rv: number;
  startKey?: string;
}

/** Where a list starts: the list's resourceVersion and the first key, or an error answer. */
export function continuation(query: URLSearchParams, fault: Fault, revision: number, compactedRevision: number): ListStart | Answer {
  const token = query.get('continue') ?? '';
  if (token === '') return { rv: revision };
  if (query.get('resourceVersion')) {
    return { code: 400, body: badRequest('specifying resource version is not allowed when using continue') };
  }
  let decoded: { rv: number; start: string };
  try {
    decoded = decodeContinue(token);
  } catch (err) {
    return { code: 400, body: badRequest((err as Error).message) };
  }
  if (fault.expireContinue || decoded.rv <= compactedRevision) {
    return { code: 410, body: status(410, 'Expired', CONTINUE_EXPIRED_MESSAGE) };
  }
  return { rv: decoded.rv, startKey: decoded.start };
}

/** One page of a list: the objects from `start` on that the selectors keep, at most `limit` of them. */
export function listPage(
  candidates: readonly Stored[],
  start: ListStart,
  labelReqs: LabelReq[],
  fieldReqs: FieldReq[],
  limitParam: string | null,
  maxPageSize: number | undefined,
): { items: Stored[]; metadata: Record<string, unknown> } {
  const parsed = Number.parseInt(limitParam ?? '', 10);
  let limit = Number.isFinite(parsed) && parsed > 0 ? parsed : Infinity;
  if (maxPageSize && maxPageSize > 0) limit = Math.min(limit, maxPageSize);
  const from = start.startKey;
  const matching = candidates
    .filter((s) => from === undefined || byteCompare(s.key, from) >= 0)
    .filter((s) => labelsMatch(s.labels, labelReqs))
    .filter((s) => fieldReqs.every((q) => (fieldValue(s.obj, q.field) === q.value) === (q.op === '=')));
  const items = limit === Infinity ? matching : matching.slice(0, limit);
  const metadata: Record<string, unknown> = { resourceVersion: String(start.rv) };
  const last = items[items.length - 1];
  if (matching.length > items.length && last) {
    metadata.continue = encodeContinue(start.rv, last.key);
    // The API cannot count what a selector would keep, so it leaves the count out.
    if (labelReqs.length === 0 && fieldReqs.length === 0) metadata.remainingItemCount = matching.length - items.length;
  }
  return { items, metadata };
}
