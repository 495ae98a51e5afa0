/**
 * A readable diff of two objects' specs: one line per changed path, `+` added, `-` removed,
 * `~` changed (old → new). Arrays of scalars and arrays of objects are compared by index,
 * which is how a reader of `kubectl diff` follows a list of validations. Values are printed
 * as JSON, cut to a bounded length so one long CEL expression does not flood the output.
 */

export interface DiffLine {
  readonly op: '+' | '-' | '~';
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

const MAX_VALUE_CHARS = 160;
/** Beyond this depth a value is compared whole (the specs complyd writes are far shallower). */
const MAX_DEPTH = 32;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function walk(before: unknown, after: unknown, path: string, depth: number, out: DiffLine[]): void {
  if (same(before, after)) return;
  if (before === undefined) return void out.push({ op: '+', path, after });
  if (after === undefined) return void out.push({ op: '-', path, before });
  if (depth < MAX_DEPTH && isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) walk(before[key], after[key], `${path}.${key}`, depth + 1, out);
    return;
  }
  if (depth < MAX_DEPTH && Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(before[i], after[i], `${path}[${i}]`, depth + 1, out);
    return;
  }
  out.push({ op: '~', path, before, after });
}

/** The changed paths from `before` to `after` (either may be undefined: absent). */
export function diffSpecs(before: unknown, after: unknown, root = '.spec'): DiffLine[] {
  const out: DiffLine[] = [];
  walk(before, after, root, 0, out);
  return out;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? 'null';
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s;
}

export function formatDiffLine(d: DiffLine): string {
  if (d.op === '+') return `+ ${d.path}: ${show(d.after)}`;
  if (d.op === '-') return `- ${d.path}: ${show(d.before)}`;
  return `~ ${d.path}: ${show(d.before)} → ${show(d.after)}`;
}
