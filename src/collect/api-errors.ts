import type { GapReason } from '../core/types.js';
import type { ApiResponse } from './kube-client.js';
import { TransportError } from './kube-client.js';

/** A failed read, classified so the snapshot can say why evidence is missing. */
export class ReadError extends Error {
  constructor(
    readonly reason: GapReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReadError';
  }
}

const REASON_BY_STATUS: Record<number, GapReason> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  410: 'expired',
  429: 'throttled',
  504: 'timeout',
};

/** The API's own message from a Status body, or the start of a plain-text body. */
function serverMessage(res: ApiResponse): string {
  try {
    const body = JSON.parse(res.body) as { kind?: string; message?: string };
    if (body.kind === 'Status' && body.message) return body.message;
  } catch {
    // Not JSON: kubelet debug handlers and proxies answer in plain text.
  }
  return res.body.trim().slice(0, 200) || `HTTP ${res.status}`;
}

export function readErrorFromResponse(res: ApiResponse, what: string): ReadError {
  const reason = REASON_BY_STATUS[res.status] ?? (res.status >= 500 ? 'server-error' : 'error');
  const tries = (res.attempts ?? 1) > 1 ? ` (after ${res.attempts} attempts)` : '';
  return new ReadError(reason, `${what}: HTTP ${res.status}: ${serverMessage(res)}${tries}`);
}

const REASON_BY_CODE: Record<string, GapReason> = {
  ETIMEDOUT: 'timeout',
  EABORTED: 'timeout',
  ECONNREFUSED: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  ECONNRESET: 'server-error',
  ERESET: 'server-error',
  EPIPE: 'server-error',
  ETOOLARGE: 'limit',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls',
  CERT_HAS_EXPIRED: 'tls',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls',
};

export function readErrorFromTransport(err: unknown, what: string): ReadError {
  if (err instanceof ReadError) return err;
  if (err instanceof TransportError) {
    return new ReadError(REASON_BY_CODE[err.code] ?? 'error', `${what}: ${err.message}`, { cause: err });
  }
  return new ReadError('error', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
