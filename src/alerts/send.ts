/**
 * Sending one run's alert events to every webhook configured: each webhook gets the events it
 * asked for in its format, signed when it has a secret; a webhook that cannot be reached within
 * the retries and the deadline gets a dead letter in the store. Nothing here throws.
 */
import type { Logger } from '../core/log.js';
import { errorMessage } from '../core/errors.js';
import type { AlertDeadLetters } from '../store/run-store.js';
import { deliver, type DeliveryOutcome, type DeliveryPolicy } from './deliver.js';
import type { AlertEvent, AlertKind } from './events.js';
import { genericBody, signature, slackBody, SIGNATURE_HEADER, TIMESTAMP_HEADER, type AlertContext } from './payload.js';

export interface WebhookTarget {
  name: string;
  url: string;
  secret?: string | undefined;
  format: 'generic' | 'slack';
  events?: readonly AlertKind[] | undefined;
  timeout: number;
  retries: number;
}

export interface WebhookResult {
  webhook: string;
  events: number;
  /** The event kinds the body held, each once. */
  kinds: AlertEvent['kind'][];
  outcome: DeliveryOutcome | { ok: false; attempts: 0; error: string; permanent: true };
  deadLetter: boolean;
}

export interface SendOptions {
  webhooks: readonly WebhookTarget[];
  context: AlertContext;
  /** Absolute deadline (epoch ms) for every delivery. */
  deadline: number;
  deadLetters?: AlertDeadLetters;
  log: Logger;
  /** Backoff and clock overrides, for tests. */
  policy?: Pick<DeliveryPolicy, 'baseBackoffMs' | 'maxBackoffMs' | 'now' | 'random' | 'sleep'>;
}

export function requestFor(hook: WebhookTarget, ctx: AlertContext, events: readonly AlertEvent[]): { body: string; headers: Record<string, string> } {
  const body = hook.format === 'slack' ? slackBody(ctx, events) : genericBody(ctx, events);
  const headers: Record<string, string> = { 'user-agent': `complyd/${ctx.complydVersion}` };
  if (hook.secret !== undefined) {
    const timestamp = String(Math.floor(ctx.sentAt.getTime() / 1000));
    headers[TIMESTAMP_HEADER] = timestamp;
    headers[SIGNATURE_HEADER] = signature(hook.secret, timestamp, body);
  }
  return { body, headers };
}

/** Webhooks receive their events at the same time; returns one result per webhook that had events. */
export async function sendAlerts(events: readonly AlertEvent[], opts: SendOptions): Promise<WebhookResult[]> {
  const jobs = opts.webhooks.map(async (hook): Promise<WebhookResult | undefined> => {
    const mine = hook.events ? events.filter((e) => hook.events?.includes(e.kind)) : events;
    if (mine.length === 0) return undefined;
    const { body, headers } = requestFor(hook, opts.context, mine);
    const outcome = await deliver({ url: hook.url, body, headers }, { timeoutMs: hook.timeout, retries: hook.retries, deadline: opts.deadline, ...opts.policy });
    const log = opts.log.child({ webhook: hook.name, run: opts.context.run.id });
    const kinds = [...new Set(mine.map((e) => e.kind))];
    if (outcome.ok) {
      log.info({ events: mine.length, attempts: outcome.attempts }, 'alerts delivered');
      return { webhook: hook.name, events: mine.length, kinds, outcome, deadLetter: false };
    }
    log.warn({ events: mine.length, attempts: outcome.attempts, error: outcome.error }, 'alerts not delivered; kept as a dead letter');
    let deadLetter = false;
    if (opts.deadLetters) {
      try {
        await opts.deadLetters.record({ runId: opts.context.run.id, webhook: hook.name, events: kinds, attempts: outcome.attempts, lastError: outcome.error, body, at: new Date() });
        deadLetter = true;
      } catch (err) {
        log.error({ error: errorMessage(err) }, 'cannot record the undelivered alerts');
      }
    }
    return { webhook: hook.name, events: mine.length, kinds, outcome, deadLetter };
  });
  return (await Promise.all(jobs)).filter((r): r is WebhookResult => r !== undefined);
}
