import { DEFAULT_MAX_RESPONSE_BYTES, TransportError, type ApiResponse, type KubeApi } from './kube-client.js';
import { ReadError, readErrorFromResponse, readErrorFromTransport } from './api-errors.js';
import { METADATA_ONLY_ACCEPT, type ListEndpoint } from './resources.js';

export interface ListOptions {
  pageSize: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bytes of one page read at most (collect.maxResponseSize). */
  maxResponseBytes?: number;
  /** Pages of one list read at most (collect.maxPages). */
  maxPages?: number;
}

/**
 * A 100,000-pod cluster needs 200 pages at 500 items a page; 500 leaves room, and bounds what
 * a list that never ends can make the collector hold (benchmarks/RESULTS.md).
 */
export const DEFAULT_MAX_PAGES = 500;

/** One page as the API server sent it, checked to be a Kubernetes list. */
export interface ListPage {
  items: unknown[];
  continueToken?: string;
}

/** `256 MiB`, `1.5 KiB`, `900 bytes`: the way limits are written in configuration. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Check and parse one page. Anything but a Kubernetes list of the kind asked for is a
 * ReadError: `protocol` when the answer is not Kubernetes' at all (another content type, a
 * JSON value that is no list), `malformed` when it claims to be JSON and is cut or broken.
 * Never throws anything else, whatever the bytes.
 */
export function parseListPage(res: ApiResponse, what: string, page: number, metadataOnly: boolean): ListPage {
  if (res.status !== 200) throw readErrorFromResponse(res, what);
  const type = res.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json') {
    const sent = res.contentType ? `content type "${res.contentType.slice(0, 100)}"` : 'no content type';
    throw new ReadError('protocol', `${what}: page ${page} is not a Kubernetes list: ${sent} where application/json was expected`);
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch (err) {
    throw new ReadError('malformed', `${what}: page ${page} is not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(body)) throw new ReadError('protocol', `${what}: page ${page} is not a Kubernetes list: the JSON is not an object`);
  const kind = typeof body.kind === 'string' ? body.kind : undefined;
  if (metadataOnly && kind !== 'PartialObjectMetadataList') {
    // A server that ignored the metadata-only request would have sent values: drop them all.
    // A full list of the right kind (an old server, a proxy dropping the Accept header) is
    // still Kubernetes: that list is a gap, the cluster is assessed; anything else is foreign.
    const fullList = kind?.endsWith('List') === true && Array.isArray(body.items);
    throw new ReadError(fullList ? 'malformed' : 'protocol', `${what}: server did not honour the metadata-only request (kind ${JSON.stringify(kind ?? null)}); nothing was kept`);
  }
  if (!kind?.endsWith('List')) throw new ReadError('protocol', `${what}: page ${page} is not a Kubernetes list: kind ${JSON.stringify(kind ?? null)}`);
  if (!Array.isArray(body.items)) throw new ReadError('protocol', `${what}: page ${page} (${kind}) has no "items" array`);
  const meta = body.metadata;
  const token = isRecord(meta) && typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
  return { items: body.items, ...(token ? { continueToken: token } : {}) };
}

/**
 * List every item of a resource, page by page (`limit` + `continue`), as the API server
 * returns them, each item passed through `keep` as its page arrives (so what is held is what
 * is kept, not the raw items; undefined drops the item). An expired continue token (410)
 * restarts the list once from the beginning, as client-go's pager does; a second expiry is
 * reported.
 */
export async function listAll<T = unknown>(
  api: KubeApi,
  endpoint: ListEndpoint,
  opts: ListOptions,
  keep: (item: unknown, index: number) => T | undefined = (item) => item as T,
): Promise<T[]> {
  const what = `list ${endpoint.resource}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await listPages(api, endpoint, opts, what, keep);
    } catch (err) {
      if (err instanceof ReadError && err.reason === 'expired' && attempt === 1 && !opts.signal?.aborted) continue;
      throw err;
    }
  }
}

/**
 * Bounded: a page larger than maxResponseBytes or a list longer than maxPages ends the list
 * with a `limit` error and nothing of it is kept (a part of a list would judge a part of the
 * cluster as if it were all of it). Each page's text and raw items are dropped once kept.
 */
async function listPages<T>(api: KubeApi, endpoint: ListEndpoint, opts: ListOptions, what: string, keep: (item: unknown, index: number) => T | undefined): Promise<T[]> {
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const items: T[] = [];
  let index = 0;
  let token: string | undefined;
  for (let page = 1; ; page++) {
    if (page > maxPages) {
      throw new ReadError('limit', `${what}: still not finished after ${maxPages} pages of ${opts.pageSize} (collect.maxPages); the list is not kept`);
    }
    const parsed = await readPage(api, endpoint, opts, what, page, token, maxBytes);
    for (const item of parsed.items) {
      const kept = keep(item, index++);
      if (kept !== undefined) items.push(kept);
    }
    token = parsed.continueToken;
    if (!token) return items;
  }
}

async function readPage(api: KubeApi, endpoint: ListEndpoint, opts: ListOptions, what: string, page: number, token: string | undefined, maxBytes: number): Promise<ListPage> {
  let res: ApiResponse;
  try {
    res = await api.get(endpoint.path, {
      query: { limit: opts.pageSize, continue: token },
      timeoutMs: opts.timeoutMs,
      maxBytes,
      ...(endpoint.metadataOnly ? { accept: METADATA_ONLY_ACCEPT } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (err instanceof TransportError && err.code === 'ETOOLARGE') {
      throw new ReadError('limit', `${what}: page ${page} is larger than ${formatBytes(maxBytes)} (collect.maxResponseSize); the list is not kept`, { cause: err });
    }
    throw readErrorFromTransport(err, what);
  }
  return parseListPage(res, what, page, Boolean(endpoint.metadataOnly));
}
