import type { KubeApi } from './kube-client.js';
import { ReadError, readErrorFromResponse, readErrorFromTransport } from './api-errors.js';
import { METADATA_ONLY_ACCEPT, type ListEndpoint } from './resources.js';

export interface ListOptions {
  pageSize: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

interface ListBody {
  metadata?: { continue?: string };
  items?: unknown;
}

/**
 * List every item of a resource, page by page (`limit` + `continue`), as the API server
 * returns them. An expired continue token (410) restarts the list once from the beginning,
 * as client-go's pager does; a second expiry is reported.
 */
export async function listAll(api: KubeApi, endpoint: ListEndpoint, opts: ListOptions): Promise<unknown[]> {
  const what = `list ${endpoint.resource}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await listPages(api, endpoint, opts, what);
    } catch (err) {
      if (err instanceof ReadError && err.reason === 'expired' && attempt === 1 && !opts.signal?.aborted) continue;
      throw err;
    }
  }
}

async function listPages(api: KubeApi, endpoint: ListEndpoint, opts: ListOptions, what: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  for (let page = 1; ; page++) {
    let res;
    try {
      res = await api.get(endpoint.path, {
        query: { limit: opts.pageSize, continue: token },
        timeoutMs: opts.timeoutMs,
        ...(endpoint.metadataOnly ? { accept: METADATA_ONLY_ACCEPT } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (err) {
      throw readErrorFromTransport(err, what);
    }
    if (res.status !== 200) throw readErrorFromResponse(res, what);
    let body: ListBody;
    try {
      body = JSON.parse(res.body) as ListBody;
    } catch (err) {
      throw new ReadError('malformed', `${what}: page ${page} is not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(body.items)) throw new ReadError('malformed', `${what}: page ${page} has no "items" array`);
    if (endpoint.metadataOnly && (body as { kind?: string }).kind !== 'PartialObjectMetadataList') {
      // A server that ignored the metadata-only request would have sent values: drop them all.
      throw new ReadError('malformed', `${what}: server did not honour the metadata-only request; nothing was kept`);
    }
    for (const item of body.items) items.push(item);
    token = body.metadata?.continue || undefined;
    if (!token) return items;
  }
}
