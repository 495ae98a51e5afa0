/** Webhook delivery against a real local HTTP receiver: retries, timeouts, permanent refusals, the deadline. */
import { deliver } from '../../src/alerts/deliver.js';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

const request = () => ({ url: receiver.url, body: '{"hello":1}', headers: { 'x-test': 'yes' } });
// No real waiting between attempts: the waits asked for are recorded instead.
const fast = (waits: number[]) => ({ random: () => 1, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) });

it('retries a 500 with doubling backoff and succeeds when the receiver recovers', async () => {
  receiver.answer(500, 503, 200);
  const waits: number[] = [];
  const outcome = await deliver(request(), { timeoutMs: 2000, retries: 3, deadline: Date.now() + 30_000, baseBackoffMs: 100, ...fast(waits) });
  expect(outcome).toEqual({ ok: true, attempts: 3, status: 200 });
  expect(waits).toEqual([100, 200]);
  expect(receiver.received.map((r) => r.answered)).toEqual([500, 503, 200]);
  expect(receiver.received[0]?.headers['x-test']).toBe('yes');
  expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
  expect(receiver.received[0]?.body).toBe('{"hello":1}');
});

it('gives up after the retries when the receiver keeps failing', async () => {
  receiver.answer(500);
  const outcome = await deliver(request(), { timeoutMs: 2000, retries: 2, deadline: Date.now() + 30_000, ...fast([]) });
  expect(outcome).toEqual({ ok: false, attempts: 3, error: 'HTTP 500', permanent: false });
});

it('does not retry a refusal that will not change (4xx)', async () => {
  receiver.answer(404, 200);
  const outcome = await deliver(request(), { timeoutMs: 2000, retries: 3, deadline: Date.now() + 30_000, ...fast([]) });
  expect(outcome).toEqual({ ok: false, attempts: 1, error: 'HTTP 404', permanent: true });
});

it('ends an attempt that gets no answer at its timeout, and retries it', async () => {
  receiver.answer('hang', 200);
  const outcome = await deliver(request(), { timeoutMs: 300, retries: 1, deadline: Date.now() + 30_000, ...fast([]) });
  expect(outcome).toEqual({ ok: true, attempts: 2, status: 200 });
});

it('stops at the deadline whatever the retries left', async () => {
  receiver.answer('hang');
  const outcome = await deliver(request(), { timeoutMs: 10_000, retries: 10, deadline: Date.now() + 400, ...fast([]) });
  expect(outcome.ok).toBe(false);
  // The attempt was cut at the deadline (400 ms), not at its own 10 s timeout, and no further one started.
  expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/^no answer within \d+ ms$/) });
  expect(outcome.attempts).toBeLessThanOrEqual(2);
});

it('counts a refused connection as a failure, never a throw', async () => {
  const url = receiver.url;
  await receiver.close();
  receiver = await startReceiver();
  const outcome = await deliver({ ...request(), url }, { timeoutMs: 1000, retries: 1, deadline: Date.now() + 10_000, ...fast([]) });
  expect(outcome).toMatchObject({ ok: false, attempts: 2, error: 'ECONNREFUSED' });
});
