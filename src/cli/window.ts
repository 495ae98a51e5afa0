import { checkDuration, DURATION_RANGES } from '../config/duration.js';
import { UsageError } from '../core/errors.js';
import type { Window } from '../history/history.js';

/**
 * A time window from `--since` (a duration back from now, e.g. 90d, or a date) and an
 * optional `--until` (a date; default now). Dates are ISO 8601 (2026-01-31 or a full
 * timestamp); a bare date means its start, in UTC.
 */
export function parseWindow(since: string, until: string | undefined, now: Date = new Date()): Window {
  const to = until === undefined ? now : parseInstant(until, '--until');
  const back = checkDuration(since, DURATION_RANGES.since);
  // A duration out of range is named as such; anything else that is not one may be a date.
  if (!back.ok && back.kind === 'range') throw new UsageError(`--since: ${back.why}`);
  const from = back.ok ? new Date(to.getTime() - back.ms) : parseInstant(since, '--since');
  if (from.getTime() > to.getTime()) throw new UsageError(`--since (${from.toISOString()}) is after --until (${to.toISOString()})`);
  return { from, to };
}

function parseInstant(text: string, option: string): Date {
  const t = text.trim();
  const d = /^\d{4}-\d{2}-\d{2}$/.test(t) ? new Date(`${t}T00:00:00.000Z`) : /^\d{4}-\d{2}-\d{2}T/.test(t) ? new Date(t) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${option}: not a duration or a date: "${text}" (use e.g. 90d, 12h, 2026-01-31)`);
  return d;
}

export function parseOutput(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new UsageError(`--output must be text or json, not "${value}"`);
  return value;
}
