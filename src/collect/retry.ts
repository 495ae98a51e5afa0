/**
 * When and how long to wait before asking an API server again. Kubernetes answers 429 with
 * Retry-After when its priority-and-fairness queues are full, and a 5xx or a reset connection
 * is often a load balancer or an apiserver replica going away: both pass within seconds.
 * Backoff is exponential with full jitter (a random wait up to the exponential bound), so a
 * fleet of scanners does not retry in step.
 */

export interface RetryPolicy {
  /** Tries in all, the first included. @default 4 */
  readonly maxAttempts: number;
  /** Bound of the first backoff; doubles each retry. @default 500 ms */
  readonly baseDelayMs: number;
  /** Largest backoff bound. @default 8 s */
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is cut to it. @default 30 s */
  readonly maxRetryAfterMs: number;
  /** In [0, 1); injectable so tests draw the same waits. */
  readonly random: () => number;
  /** Epoch milliseconds, to read an HTTP-date Retry-After. */
  readonly now: () => number;
  /** Waits `ms`, or rejects as soon as `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** HTTP statuses worth another try: the server asked to slow down, or failed for now. */
export const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Transport codes worth another try: the connection broke, the server is still there. */
export const RETRIED_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ERESET', 'EPIPE']);

/** A wait that ends early, rejecting, when the cluster deadline passes. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
  now: Date.now,
  sleep: abortableSleep,
};

/**
 * Milliseconds a Retry-After header asks for: delta-seconds or an HTTP date (RFC 9110
 * 10.2.3). Undefined when absent or unreadable, so the caller falls back to backoff.
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before try `attempt + 1`, after `attempt` tries failed. */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfter: number | undefined): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxRetryAfterMs);
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * bound);
}
