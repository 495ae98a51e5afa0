/**
 * One POST to a webhook, retried with exponential backoff and full jitter, within a
 * deadline. Failures are values: the caller records a dead letter, the scan goes on.
 */

export interface DeliveryRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface DeliveryPolicy {
  /** One attempt's deadline. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** No attempt starts, and none runs, past this instant (epoch ms). */
  deadline: number;
  /** First backoff; doubles per attempt up to maxBackoffMs, each wait drawn in [0, that]. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Injectable for tests: the clock, the random draw and the wait. */
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type DeliveryOutcome = { ok: true; attempts: number; status: number } | { ok: false; attempts: number; error: string; permanent: boolean };

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** 408, 425, 429 and 5xx may pass on a later try; any other answer will not. */
const retryable = (status: number): boolean => status === 408 || status === 425 || status === 429 || status >= 500;

async function attemptOnce(req: DeliveryRequest, timeoutMs: number): Promise<{ status: number } | { error: string }> {
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...req.headers },
      body: req.body,
      // A redirect would carry a signed body somewhere not configured: it counts as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is not needed; release the connection without reading it.
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { error: `no answer within ${timeoutMs} ms` };
    return { error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

export async function deliver(req: DeliveryRequest, policy: DeliveryPolicy): Promise<DeliveryOutcome> {
  const now = policy.now ?? Date.now;
  const random = policy.random ?? Math.random;
  const sleep = policy.sleep ?? sleepFor;
  const base = policy.baseBackoffMs ?? 500;
  const cap = policy.maxBackoffMs ?? 30_000;
  let attempts = 0;
  let error = 'deadline passed before the first attempt';
  for (let i = 0; i <= policy.retries; i++) {
    const left = policy.deadline - now();
    if (left <= 0) break;
    attempts++;
    const result = await attemptOnce(req, Math.min(policy.timeoutMs, left));
    if ('status' in result) {
      if (result.status >= 200 && result.status < 300) return { ok: true, attempts, status: result.status };
      error = `HTTP ${result.status}`;
      if (!retryable(result.status)) return { ok: false, attempts, error, permanent: true };
    } else error = result.error;
    if (i === policy.retries) break;
    const wait = Math.floor(random() * Math.min(cap, base * 2 ** i));
    // A wait that would end past the deadline leaves no time to try again.
    if (now() + wait >= policy.deadline) break;
    await sleep(wait);
  }
  return { ok: false, attempts, error, permanent: false };
}
