/**
 * The HTTP(S) listener: authentication, bounds and JSON errors around the routes. Loopback
 * is served as is; any other address is refused at start unless bearer tokens are set, and
 * then every path but /healthz and /readyz needs one (probes come from the kubelet, without).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/log.js';
import { errorMessage } from '../core/errors.js';
import { HttpError, type Reply, type Route } from './routes.js';

export interface ListenOptions {
  host: string;
  port: number;
  /** Accepted bearer tokens; required for an address other than loopback. */
  tokens: readonly string[];
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
}

/** Bounds of one request: the API reads nothing but its URL and headers. */
export const REQUEST_LIMITS = { maxUrlBytes: 4096, maxHeaderBytes: 16_384, requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveMs: 5_000 };

/** Paths a probe may read without a token. */
const OPEN_PATHS = new Set(['/healthz', '/readyz']);

/** Loopback hosts: the only ones served without bearer tokens. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface RunningServer {
  /** Where it listens, as a URL base (the port chosen, when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpServer(routes: readonly Route[], opts: ListenOptions, log: Logger): Promise<RunningServer> {
  if (!isLoopback(opts.host) && opts.tokens.length === 0) {
    throw new Error(`listening on ${opts.host} (not loopback) needs bearer tokens: set server.tokens or COMPLYD_API_TOKENS`);
  }
  // Compared as digests, in constant time, so neither length nor content leaks through timing.
  const tokens = opts.tokens.map(digest);
  const authorized = (req: IncomingMessage): boolean => {
    const m = /^Bearer\s+(\S{1,512})$/i.exec(req.headers.authorization ?? '');
    if (!m?.[1]) return false;
    const given = digest(m[1]);
    return tokens.some((t) => timingSafeEqual(t, given));
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((err: unknown) => {
      log.error({ err: errorMessage(err), path: req.url?.slice(0, 200) }, 'http handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? '').length > REQUEST_LIMITS.maxUrlBytes) return sendJson(res, 414, { error: `request URL longer than ${REQUEST_LIMITS.maxUrlBytes} bytes` });
    const url = new URL(req.url ?? '/', 'http://complyd.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `method ${req.method ?? '?'} not allowed: the API is read-only (GET)` }, { allow: 'GET, HEAD' });
    // A body is never read; one announced is refused rather than left on the connection.
    if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding']) return sendJson(res, 413, { error: 'a GET request carries no body' });
    if (tokens.length > 0 && !OPEN_PATHS.has(url.pathname) && !authorized(req)) {
      return sendJson(res, 401, { error: 'missing or wrong bearer token (Authorization: Bearer TOKEN)' }, { 'www-authenticate': 'Bearer realm="complyd"' });
    }
    for (const route of routes) {
      const params = route.match(url.pathname);
      if (!params) continue;
      try {
        const reply = await route.handle({ params, query: url.searchParams });
        return send(res, reply, req.method === 'HEAD');
      } catch (err) {
        if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
        throw err;
      }
    }
    return sendJson(res, 404, { error: `no such path: ${url.pathname}`, see: '/api/v1/openapi.json' });
  };

  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, maxHeaderSize: REQUEST_LIMITS.maxHeaderBytes }, handler) : createHttpServer({ maxHeaderSize: REQUEST_LIMITS.maxHeaderBytes }, handler);
  server.requestTimeout = REQUEST_LIMITS.requestTimeoutMs;
  server.headersTimeout = REQUEST_LIMITS.headersTimeoutMs;
  server.keepAliveTimeout = REQUEST_LIMITS.keepAliveMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`;
  log.info({ url, tls: Boolean(opts.tls), auth: tokens.length > 0 }, 'http server listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, reply: Reply, headOnly: boolean): void {
  const headers: Record<string, string> = { 'content-type': reply.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...reply.headers };
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  res.writeHead(reply.status ?? 200, { ...headers, 'content-length': String(body.length) });
  res.end(headOnly ? undefined : body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value), headers }, false);
}
