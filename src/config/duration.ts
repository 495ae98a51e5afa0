import { UsageError } from '../core/errors.js';

const UNITS_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNITS_MS;
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

/** The durations one key or flag accepts, in milliseconds (both ends included). */
export interface DurationRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms,
 * so a range for a value that becomes a timer must end below this (a test checks).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The range of each duration in the configuration and on the command line. The README and
 * config/complyd.example.yaml list them; keep the three in step.
 */
export const DURATION_RANGES = {
  /** collect.requestTimeout: one API request (a timer). */
  requestTimeout: { min: UNITS_MS.s, max: 10 * UNITS_MS.m },
  /** collect.clusterTimeout: one cluster's whole collection (a timer). */
  clusterTimeout: { min: 10 * UNITS_MS.s, max: 6 * UNITS_MS.h },
  /** daemon --grace: how long shutdown waits for the scan in flight (a timer). */
  grace: { min: 0, max: UNITS_MS.h },
  /** reports[].since, report/trend/mttr --since: a window back in the history (date arithmetic only). */
  since: { min: UNITS_MS.m, max: 3650 * UNITS_MS.d },
  /** retention.evidence, prune --older-than: an age (date arithmetic only). */
  retention: { min: UNITS_MS.d, max: 36_500 * UNITS_MS.d },
  /** exceptions.maxLifetime: the longest an exception may be granted for (date arithmetic only). */
  exceptionLifetime: { min: UNITS_MS.d, max: 3650 * UNITS_MS.d },
  /** alerts.webhooks[].timeout: one delivery attempt (a timer). */
  alertTimeout: { min: 100, max: UNITS_MS.m },
  /** alerts.deadline: every delivery of one run's alerts, retries included (a timer). */
  alertDeadline: { min: UNITS_MS.s, max: 10 * UNITS_MS.m },
  /** alerts.expiringWithin: how far ahead an exception's expiry is announced (date arithmetic only). */
  alertExpiring: { min: UNITS_MS.h, max: 365 * UNITS_MS.d },
  /** schedule.lease: how long a daemon holds a slot without renewing it (a deadline other replicas read). */
  lease: { min: UNITS_MS.s, max: UNITS_MS.h },
  /** schedule.leaseRenew: how often the holder renews its lease and others look for lapsed ones (a timer). */
  leaseRenew: { min: 100, max: 30 * UNITS_MS.m },
} as const satisfies Record<string, DurationRange>;

/** Which durations become timers; their ranges must end below MAX_TIMER_MS. */
export const TIMER_DURATIONS = ['requestTimeout', 'clusterTimeout', 'grace', 'alertTimeout', 'alertDeadline', 'leaseRenew'] as const satisfies ReadonlyArray<keyof typeof DURATION_RANGES>;

export type DurationCheck = { ok: true; ms: number } | { ok: false; kind: 'syntax' | 'unit' | 'range'; why: string };

const EXAMPLES = '(use e.g. 30s, 5m, 2h)';

/**
 * Parse `30s`, `5m`, `1h30m`, `1.5h`, `7d`, `250ms` into milliseconds: units from the
 * largest to the smallest, each at most once. A bare number is refused: it used to mean
 * milliseconds, which nobody guessed (`since: 42`).
 */
export function parseDuration(input: unknown): number | undefined {
  const checked = checkDuration(input, { min: 0, max: Number.MAX_SAFE_INTEGER });
  return checked.ok ? checked.ms : undefined;
}

/** Parse a duration and check it against a range; the reason is a sentence without a key path. */
export function checkDuration(input: unknown, range: DurationRange): DurationCheck {
  if (typeof input === 'number' || (typeof input === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(input))) {
    const n = String(input).trim();
    const hint = /^\d+(\.\d+)?$/.test(n) ? `write e.g. ${n}s or ${n}m` : 'use e.g. 30s, 5m, 2h';
    return { ok: false, kind: 'unit', why: `not a duration: ${typeof input === 'number' ? n : JSON.stringify(input)} has no unit (${hint})` };
  }
  if (typeof input !== 'string') return { ok: false, kind: 'syntax', why: `not a duration: expected text such as 30s, 5m or 2h, got ${describe(input)}` };
  const ms = msOf(input.trim());
  if (ms === undefined) return { ok: false, kind: 'syntax', why: `not a duration: ${JSON.stringify(input)} ${EXAMPLES}` };
  if (ms < range.min) return { ok: false, kind: 'range', why: `${JSON.stringify(input)} is too short: at least ${formatDuration(range.min)}` };
  if (ms > range.max) return { ok: false, kind: 'range', why: `${JSON.stringify(input)} is too long: at most ${formatDuration(range.max)}` };
  return { ok: true, ms };
}

/** A duration flag's value in milliseconds, or a UsageError (exit 2) naming the flag. */
export function durationOption(flag: string, input: string, range: DurationRange): number {
  const checked = checkDuration(input, range);
  if (!checked.ok) throw new UsageError(`${flag}: ${checked.why}`);
  return checked.ms;
}

/** `6h`, `10m`, `3650d`: the largest unit that states `ms` exactly. */
export function formatDuration(ms: number): string {
  const unit = UNIT_ORDER.find((u) => ms % UNITS_MS[u] === 0) ?? 'ms';
  return `${ms / UNITS_MS[unit]}${unit}`;
}

function msOf(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;
  let total = 0;
  let next = 0; // index in UNIT_ORDER the next unit must not come before
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    const order = UNIT_ORDER.indexOf(m[2] as Unit);
    if (order < next) return undefined;
    next = order + 1;
    total += Number(m[1]) * UNITS_MS[m[2] as Unit];
  }
  return re.lastIndex === text.length && text.length > 0 && Number.isFinite(total) ? Math.round(total) : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}
