/**
 * Byte sizes in the configuration (`collect.maxResponseSize: 256MiB`). A unit is required, as
 * for durations: a bare number would leave bytes and megabytes to guesswork.
 */
const UNITS: Readonly<Record<string, number>> = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

export interface ByteRange {
  readonly min: number;
  readonly max: number;
  /** How the bounds read in messages. */
  readonly text: string;
}

/** collect.maxResponseSize: one API answer is decoded into one string, and V8 caps a string near 512 MiB. */
export const RESPONSE_SIZE_RANGE: ByteRange = { min: 2 ** 10, max: 512 * 2 ** 20, text: '1KiB to 512MiB' };

export type ByteSizeCheck = { ok: true; bytes: number } | { ok: false; why: string };

/** `256MiB`, `512KiB`, `1.5GiB` -> bytes, within `range`; the reason is a sentence without a key path. */
export function checkByteSize(input: unknown, range: ByteRange): ByteSizeCheck {
  const shown = typeof input === 'string' ? JSON.stringify(input) : String(input);
  if (typeof input === 'number') return { ok: false, why: `not a size: ${shown} has no unit (write e.g. ${input}MiB or ${input}KiB)` };
  const m = typeof input === 'string' ? /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)$/i.exec(input.trim()) : null;
  if (!m) return { ok: false, why: `not a size: ${shown} (write e.g. 256MiB, 512KiB or 1GiB)` };
  const bytes = Math.floor(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 0));
  if (bytes < range.min || bytes > range.max) return { ok: false, why: `${shown} is out of range (${range.text})` };
  return { ok: true, bytes };
}
