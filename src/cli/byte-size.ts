import { UsageError } from '../core/errors.js';

const UNITS: Record<string, number> = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };
/** A file is read into one string, and V8 caps a string near 512 MiB. */
const MAX = 512 * 2 ** 20;

/**
 * `64MiB`, `512KiB`, `1.5GiB` -> bytes. A unit is required, as for durations: a bare number
 * would leave bytes and megabytes to guesswork.
 */
export function parseByteSize(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: not a size: "${text}" (write e.g. 64MiB, 512KiB or 1GiB)`);
  const bytes = Math.floor(Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number));
  if (bytes < 1024 || bytes > MAX) throw new UsageError(`${flag}: ${text} is out of range (1KiB to 512MiB)`);
  return bytes;
}
