import fc from 'fast-check';
import { parseListPage } from '../../src/collect/lister.js';
import { ReadError } from '../../src/collect/api-errors.js';
import type { ApiResponse } from '../../src/collect/kube-client.js';
import type { GapReason } from '../../src/core/types.js';
import { propertyRuns } from '../helpers/property.js';

/**
 * Generated API answers (statuses, content types, bodies of arbitrary bytes, JSON values and
 * list-like objects): the page parser returns a page of items or throws a ReadError whose
 * message names the list, and nothing else, ever. 500 runs per property in CI;
 * COMPLYD_PROPERTY_RUNS=20000 for a longer hunt (a failure prints the seed that replays it).
 */
const RUNS = propertyRuns(500);
const WHAT = 'list secrets';
const REASONS: readonly GapReason[] = ['unauthorized', 'forbidden', 'not-found', 'method-not-allowed', 'timeout', 'expired', 'malformed', 'server-error', 'throttled', 'protocol', 'error'];

const status = fc.oneof({ weight: 6, arbitrary: fc.constant(200) }, { weight: 3, arbitrary: fc.constantFrom(401, 403, 404, 410, 429, 500, 502, 503, 504) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 999 }) });
const contentType = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('application/json', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1', 'Application/JSON; charset=utf-8') },
  { weight: 2, arbitrary: fc.constantFrom('', 'text/html; charset=utf-8', 'text/plain', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/jsonx') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const kind = fc.oneof(fc.constantFrom('PodList', 'PartialObjectMetadataList', 'SecretList', 'Table', 'Status', 'List', ''), fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null));
const item = fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 3 }), fc.record({ metadata: fc.record({ name: fc.string(), continue: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }) }));
/** Objects shaped like lists, with every field possibly wrong. */
const listLike = fc
  .record(
    {
      kind,
      apiVersion: fc.constantFrom('v1', 'meta.k8s.io/v1', 'apps/v1'),
      metadata: fc.oneof(fc.record({ continue: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)), resourceVersion: fc.string({ maxLength: 5 }) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 1 })),
      items: fc.oneof({ weight: 4, arbitrary: fc.array(item, { maxLength: 5 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
      message: fc.string({ maxLength: 30 }),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));
const body = fc.oneof(
  { weight: 4, arbitrary: listLike },
  // Cut short, as a broken connection or a truncating proxy leaves it.
  { weight: 1, arbitrary: fc.tuple(listLike, fc.nat()).map(([s, n]) => s.slice(0, n % (s.length + 1))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('<!DOCTYPE html><html><body>Sign in</body></html>', '', 'null', '[]', '{"kind":"PodList","items":[', '{"__proto__":{"items":[1]},"kind":"PodList"}') },
);
const answer = fc.record({ status, contentType, body, attempts: fc.integer({ min: 1, max: 5 }) });

let inputs = 0;

function parse(res: ApiResponse, metadataOnly: boolean): void {
  inputs += 1;
  try {
    const page = parseListPage(res, WHAT, 1, metadataOnly);
    expect(res.status).toBe(200);
    expect(Array.isArray(page.items)).toBe(true);
    if (page.continueToken !== undefined) expect(typeof page.continueToken === 'string' && page.continueToken.length > 0).toBe(true);
    const parsed = JSON.parse(res.body) as { kind?: unknown };
    // A metadata-only list never lets a full list (and its Secret values) through.
    if (metadataOnly) expect(parsed.kind).toBe('PartialObjectMetadataList');
    else expect(String(parsed.kind).endsWith('List')).toBe(true);
  } catch (err) {
    if (!(err instanceof ReadError)) throw err;
    expect(err.message.startsWith(`${WHAT}: `)).toBe(true);
    expect(err.message.length).toBeGreaterThan(WHAT.length + 2);
    expect(REASONS).toContain(err.reason);
    if (res.status === 200 && err.reason !== 'malformed') expect(err.reason).toBe('protocol');
  }
}

describe('the API page parser on generated answers', () => {
  afterAll(() => {
    process.stderr.write(`api page parser: ${inputs} generated answers\n`);
  });

  it('returns a page or a ReadError naming the list, for full lists', () => {
    fc.assert(
      fc.property(answer, (res) => parse(res, false)),
      { numRuns: RUNS },
    );
  });

  it('returns a page or a ReadError naming the list, for metadata-only lists', () => {
    fc.assert(
      fc.property(answer, (res) => parse(res, true)),
      { numRuns: RUNS },
    );
  });

  it('keeps the items of a well-formed page, in order, and its continue token', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 20 }), fc.option(fc.string({ minLength: 1, maxLength: 30 })), (items, token) => {
        const res: ApiResponse = {
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: token === null ? {} : { continue: token }, items }),
        };
        const page = parseListPage(res, WHAT, 1, false);
        expect(page.items).toEqual(JSON.parse(JSON.stringify(items)));
        expect(page.continueToken).toBe(token ?? undefined);
      }),
      { numRuns: RUNS },
    );
  });
});
