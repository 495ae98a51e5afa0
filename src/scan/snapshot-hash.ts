import { createHash, type Hash } from 'node:crypto';
import type { Snapshot } from '../core/types.js';

/**
 * SHA-256 of JSON.stringify(snapshot), computed without building that string: a 100,000-object
 * snapshot is hundreds of megabytes of JSON. The digest must not change (stored hash chains
 * depend on it), so the output is JSON.stringify's byte for byte: the snapshot, its object map
 * and its lists are walked, each object in them is stringified on its own, and the hash is fed
 * 64 KiB at a time (megabyte pieces were twice as slow: joining them costs more than it saves).
 */
export function snapshotHash(snapshot: Snapshot): string {
  const out = new ChunkedHash(createHash('sha256'));
  writeJson(out, snapshot, WALKED_LEVELS);
  return out.digest();
}

/** Snapshot, `objects`, each list: deeper values are small enough to stringify whole. */
const WALKED_LEVELS = 3;
const CHUNK_CHARS = 1 << 16;

/** Hands the hash fewer, larger updates than one per object. */
class ChunkedHash {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly hash: Hash) {}

  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= CHUNK_CHARS) this.flush();
  }

  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    if (this.parts.length > 0) this.hash.update(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

const isWalkable = (v: unknown): v is object =>
  v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function' && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** Writes what JSON.stringify(value) returns; false where it returns undefined (a skipped property). */
function writeJson(out: ChunkedHash, value: unknown, levels: number): boolean {
  if (levels === 0 || !isWalkable(value)) {
    const s = JSON.stringify(value) as string | undefined;
    if (s === undefined) return false;
    out.write(s);
    return true;
  }
  if (Array.isArray(value)) {
    out.write('[');
    value.forEach((item: unknown, i) => {
      if (i > 0) out.write(',');
      if (!writeJson(out, item, levels - 1)) out.write('null');
    });
    out.write(']');
    return true;
  }
  out.write('{');
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    const walk = levels > 1 && isWalkable(item);
    const whole = walk ? undefined : (JSON.stringify(item) as string | undefined);
    if (!walk && whole === undefined) continue;
    out.write(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (whole === undefined) writeJson(out, item, levels - 1);
    else out.write(whole);
  }
  out.write('}');
  return true;
}
