/**
 * The floor for collection: the same paged lists from the same server, fetched with a plain
 * keep-alive HTTPS agent and JSON.parse'd, nothing else (no normalisation, no checks).
 */
import https from 'node:https';
import type { RequestOptions } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { ClusterTarget } from '../src/core/types.js';
import { mapLimit } from '../src/core/concurrency.js';
import { loadKubeConfig } from '../src/collect/kube-client.js';
import { ENDPOINTS, METADATA_ONLY_ACCEPT } from '../src/collect/resources.js';

export interface RawFetch {
  ms: number;
  /** Of which JSON.parse of the pages. */
  parseMs: number;
  bytes: number;
  items: number;
}

export async function rawFetch(target: ClusterTarget, pageSize: number, concurrency: number): Promise<RawFetch> {
  const kc = await loadKubeConfig(target);
  const base: RequestOptions = {};
  await kc.applyToHTTPSOptions(base);
  const tls = (base.agent as https.Agent & { options: https.AgentOptions }).options;
  const agent = new https.Agent({ ...tls, keepAlive: true, maxSockets: concurrency });
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const out: RawFetch = { ms: 0, parseMs: 0, bytes: 0, items: 0 };
  const get = (path: string, accept: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        { agent, hostname: server.hostname, port: server.port, path, headers: { ...base.headers, Accept: accept } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  const start = performance.now();
  await mapLimit(ENDPOINTS, concurrency, async (endpoint) => {
    let token = '';
    do {
      const query = `?limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const body = await get(`${endpoint.path}${query}`, endpoint.metadataOnly ? METADATA_ONLY_ACCEPT : 'application/json');
      const t = performance.now();
      const page = JSON.parse(body) as { items?: unknown[]; metadata?: { continue?: string } };
      out.parseMs += performance.now() - t;
      out.bytes += body.length;
      // An API the server does not serve (a CRD not installed) answers a Status, not a list.
      out.items += Array.isArray(page.items) ? page.items.length : 0;
      token = page.metadata?.continue ?? '';
    } while (token);
  });
  out.ms = performance.now() - start;
  agent.destroy();
  return out;
}
