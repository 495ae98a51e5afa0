import { abortableSleep, backoffMs, DEFAULT_RETRY, retryAfterMs, type RetryPolicy } from '../../src/collect/retry.js';

const policy = (random: number): RetryPolicy => ({ ...DEFAULT_RETRY, random: () => random });

describe('retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 06 Dec 2026 10:00:12 GMT', now)).toBe(12_000);
    // A date in the past means now.
    expect(retryAfterMs('Sun, 06 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('-3', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('1.5', now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, up to maxDelayMs', () => {
    // The bound doubles from baseDelayMs (500 ms) and stops at maxDelayMs (8 s); the wait is random below it.
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(policy(0.999999), a, undefined))).toEqual([499, 999, 1999, 3999, 7999, 7999]);
    expect([1, 2, 3].map((a) => backoffMs(policy(0), a, undefined))).toEqual([0, 0, 0]);
    expect(backoffMs(policy(0.5), 3, undefined)).toBe(1000);
  });

  it('honours Retry-After over backoff, cut to maxRetryAfterMs', () => {
    expect(backoffMs(policy(0.9), 1, 2000)).toBe(2000);
    expect(backoffMs(policy(0.9), 1, 3_600_000)).toBe(DEFAULT_RETRY.maxRetryAfterMs);
  });

  it('stops waiting as soon as the deadline passes', async () => {
    const deadline = new AbortController();
    const wait = abortableSleep(60_000, deadline.signal);
    deadline.abort(new Error('deadline'));
    await expect(wait).rejects.toThrow('deadline');
    await expect(abortableSleep(10, deadline.signal)).rejects.toThrow('deadline');
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });
});
