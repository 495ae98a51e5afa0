/**
 * What a webhook receives: complyd's own versioned JSON (complyd.alert/v1), or a message a
 * Slack incoming webhook accepts; and the HMAC-SHA256 signature over the exact bytes sent.
 * Bodies carry control ids, resource names, scores and exception ids: never evidence text,
 * never a credential.
 */
import { createHmac } from 'node:crypto';
import type { AlertEvent } from './events.js';

export const ALERT_API_VERSION = 'complyd.alert/v1';
export const SIGNATURE_HEADER = 'x-complyd-signature';
export const TIMESTAMP_HEADER = 'x-complyd-timestamp';

export interface AlertContext {
  run: { id: string; startedAt: string };
  complydVersion: string;
  /** When the body was built (the receiver may refuse old timestamps to stop replays). */
  sentAt: Date;
  /** `true` for `complyd alerts test`: a receiver can tell a drill from an incident. */
  test?: boolean;
}

export function genericBody(ctx: AlertContext, events: readonly AlertEvent[]): string {
  return JSON.stringify({
    apiVersion: ALERT_API_VERSION,
    ...(ctx.test ? { test: true } : {}),
    sentAt: ctx.sentAt.toISOString(),
    complydVersion: ctx.complydVersion,
    run: ctx.run,
    events,
  });
}

/** One line of text per event, as a person reads it in a chat channel. */
export function describeEvent(e: AlertEvent): string {
  switch (e.kind) {
    case 'score-drop':
      return `Compliance score of ${e.cluster} fell ${e.drop} points: ${e.previousScore} → ${e.score}`;
    case 'new-critical': {
      const shown = e.findings.slice(0, 5).map((f) => `${f.controlId} on ${f.resource}`).join('; ');
      return `${e.count} new critical failing finding${e.count === 1 ? '' : 's'} on ${e.cluster}: ${shown}${e.count > 5 ? '; …' : ''}`;
    }
    case 'cluster-not-assessed':
      return `Cluster ${e.cluster} could not be assessed: ${e.reason}${e.lastAssessedAt ? ` (last assessed ${e.lastAssessedAt})` : ''}`;
    case 'exception-expired':
      return `Exception ${e.exception} (owner ${e.owner}) expired at ${e.expires}: its findings fail again`;
    case 'exception-expiring':
      return `Exception ${e.exception} (owner ${e.owner}) expires at ${e.expires}`;
    case 'enforcement-drift': {
      const shown = e.controls.slice(0, 5).map((c) => `${c.controlId} (expected ${c.expected}, now ${c.state})`).join('; ');
      return `Enforcement at admission drifted on ${e.cluster} for ${e.count} control${e.count === 1 ? '' : 's'}: ${shown}${e.count > 5 ? '; …' : ''}`;
    }
  }
}

/** Slack's mrkdwn treats these three as markup. */
const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack allows 50 blocks in a message; the rest are counted in the last one. */
const SLACK_MAX_EVENTS = 45;

export function slackBody(ctx: AlertContext, events: readonly AlertEvent[]): string {
  const title = `${ctx.test ? '[test] ' : ''}complyd: ${events.length} alert${events.length === 1 ? '' : 's'} from run ${ctx.run.id.slice(0, 8)}`;
  const lines = events.slice(0, SLACK_MAX_EVENTS).map((e) => slackEscape(describeEvent(e)));
  if (events.length > SLACK_MAX_EVENTS) lines.push(`… and ${events.length - SLACK_MAX_EVENTS} more`);
  return JSON.stringify({
    text: title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      ...lines.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } })),
    ],
  });
}

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`: the timestamp is signed too, so a
 * captured request cannot be replayed later under a new one.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
