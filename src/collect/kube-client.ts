/**
 * The only module that imports @kubernetes/client-node. It turns a kubeconfig (file +
 * context) into an authenticated HTTPS GET against the cluster's API server. The client
 * library does what it is best at — kubeconfig parsing, TLS material, bearer tokens, client
 * certificates, exec and auth-provider plugins, proxies — and complyd issues plain GETs so it
 * can page, ask for metadata-only lists and classify every failure itself. The one write is
 * the server-side apply PATCH of `policy apply` (./apply.ts); scans never send it.
 */
import { existsSync } from 'node:fs';
import https from 'node:https';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterTarget } from '../core/types.js';
import { KubeconfigError } from '../core/errors.js';
import { backoffMs, DEFAULT_RETRY, RETRIED_CODES, RETRIED_STATUSES, retryAfterMs, type RetryPolicy } from './retry.js';

export interface ApiResponse {
  status: number;
  contentType: string;
  body: string;
  /** The Retry-After header, when the server sent one. */
  retryAfter?: string;
  /** Tries it took (more than 1 when 429, 5xx or a reset was retried). */
  attempts?: number;
}

/**
 * The largest answer read when the caller names none (collect.maxResponseSize): a page of
 * 500 pods is about 10 MiB, and V8 cannot hold a string much over 512 MiB.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 2 ** 20;

export interface GetOptions {
  accept?: string;
  query?: Record<string, string | number | undefined>;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Bytes of body read at most: past it the request is destroyed and a TransportError with
   * code ETOOLARGE is thrown, so no string larger than this is ever built. @default 256 MiB
   */
  maxBytes?: number;
  /** False: one try only, for answers whose 5xx is no passing trouble (a kubelet the proxy cannot reach). @default true */
  retry?: boolean;
}

/** A write: the body and its media type (`application/apply-patch+yaml` for server-side apply). */
export interface PatchOptions extends GetOptions {
  contentType: string;
}

/**
 * An authenticated connection to one cluster's API server. Scans only GET; `patch` is for
 * `policy apply` (server-side apply), which needs its own opt-in permission in the cluster.
 */
export interface KubeApi {
  readonly server: string;
  /** False when the kubeconfig says `insecure-skip-tls-verify: true`: the server's identity is not checked. */
  readonly tlsVerified: boolean;
  get(path: string, opts: GetOptions): Promise<ApiResponse>;
  patch(path: string, body: string, opts: PatchOptions): Promise<ApiResponse>;
  /** Closes the connections kept open between requests. */
  close(): void;
}

export interface ConnectOptions {
  /** Connections kept to the API server at most (requests beyond wait for one). @default 4 */
  maxSockets?: number;
  /** How 429, 5xx and broken connections are retried (see retry.ts). */
  retry?: Partial<RetryPolicy>;
}

/** Network-level failure (no HTTP answer). `code` is Node's error code (ECONNREFUSED...). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** A body larger than the bound the caller set; reading stopped there. */
export class ResponseTooLargeError extends TransportError {
  constructor(readonly limit: number) {
    super(`answer larger than ${limit} bytes; reading stopped`, 'ETOOLARGE');
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * The client library takes about half a second to load: it is imported on first use, so that
 * commands that never talk to a cluster (report, trend, controls, --help) do not pay for it.
 */
let clientLibrary: Promise<typeof import('@kubernetes/client-node')> | undefined;

/** Load the kubeconfig of a target; every error names the config key and the file. */
export async function loadKubeConfig(target: ClusterTarget): Promise<KubeConfig> {
  const where = `${target.configPath}.kubeconfig`;
  if (!existsSync(target.kubeconfig)) throw new KubeconfigError(`${where}: file not found: ${target.kubeconfig}`);
  clientLibrary ??= import('@kubernetes/client-node');
  const kc = new (await clientLibrary).KubeConfig();
  try {
    kc.loadFromFile(target.kubeconfig);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new KubeconfigError(`${where}: cannot parse ${target.kubeconfig}: ${why}`, { cause: err });
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeconfigError(
        `${target.configPath}.context: context "${target.context}" not found in ${target.kubeconfig} (contexts: ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(target.context);
  } else if (!kc.getCurrentContext() || !kc.getContextObject(kc.getCurrentContext())) {
    throw new KubeconfigError(`${where}: ${target.kubeconfig} has no current-context; set "context" for this cluster`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeconfigError(`${where}: context "${kc.getCurrentContext()}" in ${target.kubeconfig} names no cluster with a server`);
  }
  return kc;
}

/** Build the HTTPS options (agent with TLS material, Authorization header) for one cluster. */
async function requestOptions(kc: KubeConfig, where: string, maxSockets: number): Promise<RequestOptions> {
  const opts: RequestOptions = {};
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (err) {
    // Exec plugins, unreadable cert files and the like fail here.
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new KubeconfigError(`${where}: cannot build credentials: ${why}`, { cause: err });
  }
  return { ...opts, agent: keepAlive(opts.agent, maxSockets) };
}

/**
 * The library's agent with its TLS material, but keeping connections open between requests: a
 * paged list is many requests, and a TLS handshake each was a large part of collection. Proxy
 * agents (subclasses) are left as they are.
 */
function keepAlive(agent: RequestOptions['agent'], maxSockets: number): RequestOptions['agent'] {
  if (!(agent instanceof https.Agent) || agent.constructor !== https.Agent) return agent;
  const tls = (agent as https.Agent & { options: https.AgentOptions }).options;
  agent.destroy();
  return new https.Agent({ ...tls, keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

function buildQuery(query: GetOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export async function connect(target: ClusterTarget, options: ConnectOptions = {}): Promise<KubeApi> {
  const maxSockets = options.maxSockets ?? 4;
  const kc = await loadKubeConfig(target);
  const server = kc.getCurrentCluster()?.server ?? '';
  const where = `${target.configPath}.kubeconfig`;
  const baseUrl = URL.canParse(server) ? new URL(server) : undefined;
  if (baseUrl?.protocol === 'http:') {
    throw new KubeconfigError(`${where}: server ${server} in ${target.kubeconfig} is plain HTTP; complyd only talks HTTPS to API servers`);
  }
  if (baseUrl?.protocol !== 'https:' || !baseUrl.hostname) {
    throw new KubeconfigError(`${where}: server ${JSON.stringify(server.slice(0, 200))} in ${target.kubeconfig} is not an https:// URL`);
  }
  let base = await requestOptions(kc, `${where}: ${target.kubeconfig}`, maxSockets);

  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const tlsVerified = kc.getCurrentCluster()?.skipTLSVerify !== true;

  const once = (path: string, opts: GetOptions, write?: { body: string; contentType: string }): Promise<ApiResponse> =>
    new Promise((resolvePromise, reject) => {
      const prefix = baseUrl.pathname.replace(/\/$/, '');
      const limit = opts.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      // The first failure wins: destroying the request also fires 'error' and 'aborted'.
      const fail = (err: TransportError): void => {
        reject(err);
        req.destroy(err);
      };
      const req = https.request(
        {
          ...base,
          method: write ? 'PATCH' : 'GET',
          protocol: baseUrl.protocol,
          hostname: baseUrl.hostname,
          port: baseUrl.port || 443,
          path: `${prefix}${path}${buildQuery(opts.query)}`,
          headers: {
            ...(base.headers ?? {}),
            Accept: opts.accept ?? 'application/json',
            'User-Agent': 'complyd',
            ...(write ? { 'Content-Type': write.contentType, 'Content-Length': Buffer.byteLength(write.body) } : {}),
          },
          signal: opts.signal,
          timeout: opts.timeoutMs,
        },
        (res) => {
          if (Number(res.headers['content-length']) > limit) return fail(new ResponseTooLargeError(limit));
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size > limit) return;
            size += c.length;
            if (size > limit) fail(new ResponseTooLargeError(limit));
            else chunks.push(c);
          });
          res.on('end', () => {
            if (size > limit) return;
            const retryAfter = res.headers['retry-after'];
            resolvePromise({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
              ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
            });
          });
          res.on('error', (err) => reject(new TransportError(`response broke off: ${err.message}`, 'ERESET', { cause: err })));
          res.on('aborted', () => reject(new TransportError('response broke off', 'ECONNRESET')));
        },
      );
      req.on('timeout', () => fail(new TransportError(`no answer within ${opts.timeoutMs} ms`, 'ETIMEDOUT')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof TransportError) reject(err);
        else if (err.name === 'AbortError') reject(new TransportError('cancelled: the cluster deadline (collect.clusterTimeout) was reached', 'EABORTED', { cause: err }));
        else reject(new TransportError(err.message, err.code ?? 'EUNKNOWN', { cause: err }));
      });
      req.end(write?.body);
    });

  const authenticated = async (path: string, opts: GetOptions, write?: { body: string; contentType: string }): Promise<ApiResponse> => {
    const res = await once(path, opts, write);
    // Short-lived credentials (exec plugins, cloud tokens) can expire during a long scan:
    // refresh them once and retry.
    if (res.status === 401) {
      const stale = base.agent;
      base = await requestOptions(kc, `${where}: ${target.kubeconfig}`, maxSockets);
      if (stale instanceof https.Agent) stale.destroy();
      return once(path, opts, write);
    }
    return res;
  };

  /** One GET, tried again on 429, 5xx and broken connections, never waiting past the deadline. */
  const send = async (path: string, opts: GetOptions, write?: { body: string; contentType: string }): Promise<ApiResponse> => {
    for (let attempt = 1; ; attempt++) {
      let res: ApiResponse | undefined;
      let broken: TransportError | undefined;
      try {
        res = await authenticated(path, opts, write);
      } catch (err) {
        if (!(err instanceof TransportError) || !RETRIED_CODES.has(err.code)) throw err;
        broken = err;
      }
      if (res && !RETRIED_STATUSES.has(res.status)) return { ...res, attempts: attempt };
      const last = res ? `HTTP ${res.status}` : (broken?.message ?? 'no answer');
      if (attempt >= (opts.retry === false ? 1 : retry.maxAttempts)) {
        if (res) return { ...res, attempts: attempt };
        throw new TransportError(attempt > 1 ? `${last} (after ${attempt} attempts)` : last, broken?.code ?? 'ERESET', { cause: broken });
      }
      const wait = backoffMs(retry, attempt, res?.status === 429 || res?.status === 503 ? retryAfterMs(res.retryAfter, retry.now()) : undefined);
      try {
        await retry.sleep(wait, opts.signal);
      } catch (err) {
        throw new TransportError(
          `cancelled: the cluster deadline (collect.clusterTimeout) was reached while waiting to try again after ${attempt} attempt${attempt === 1 ? '' : 's'} (last: ${last})`,
          'EABORTED',
          { cause: err },
        );
      }
    }
  };

  return {
    server,
    tlsVerified,
    get: (path, opts) => send(path, opts),
    // An apply is idempotent: trying it again after a 429, a 5xx or a reset is safe.
    patch: (path, body, opts) => send(path, opts, { body, contentType: opts.contentType }),
    close() {
      if (base.agent instanceof https.Agent) base.agent.destroy();
    },
  };
}
