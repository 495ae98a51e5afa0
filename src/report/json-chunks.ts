/**
 * JSON.stringify(value, null, 2) as a sequence of pieces, so that a report of a million
 * findings is written out piece by piece instead of built as one string (V8 caps a string at
 * 512 MiB, and the string and its Buffer would both be held). The structure down to `depth`
 * is walked here; each value below it is one JSON.stringify call, re-indented. Joined, the
 * pieces are exactly JSON.stringify's text.
 */
const INDENT = '  ';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function leaf(v: unknown, pad: string): string {
  const text = JSON.stringify(v, null, 2);
  return pad === '' ? text : text.replace(/\n/g, `\n${pad}`);
}

/**
 * An array whose items are produced as it is written: prettyJsonChunks walks it like an array
 * without the items ever being held together (a SARIF log's results are built one by one).
 * JSON.stringify sees the whole array, through toJSON.
 */
export class LazyJsonArray {
  constructor(private readonly items: () => Iterable<unknown>) {}
  [Symbol.iterator](): Iterator<unknown> {
    return this.items()[Symbol.iterator]();
  }
  toJSON(): unknown[] {
    return [...this.items()];
  }
}

function* lazyArrayChunks(value: LazyJsonArray, depth: number, pad: string): Generator<string> {
  const inner = pad + INDENT;
  let first = true;
  for (const v of value) {
    yield `${first ? '[' : ','}\n${inner}`;
    first = false;
    if (omitted(v)) yield 'null';
    else yield* prettyJsonChunks(v, depth - 1, inner);
  }
  yield first ? '[]' : `\n${pad}]`;
}

export function* prettyJsonChunks(value: unknown, depth: number, pad = ''): Generator<string> {
  if (depth > 0 && value instanceof LazyJsonArray) {
    yield* lazyArrayChunks(value, depth, pad);
    return;
  }
  if (depth <= 0 || !(Array.isArray(value) || isPlainObject(value))) {
    yield leaf(value, pad);
    return;
  }
  const inner = pad + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i += 1) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      const v: unknown = value[i];
      if (omitted(v)) yield 'null';
      else yield* prettyJsonChunks(v, depth - 1, inner);
    }
    yield `\n${pad}]`;
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => !omitted(v));
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (const [i, [k, v]] of entries.entries()) {
    yield `${i === 0 ? '' : ','}\n${inner}${JSON.stringify(k)}: `;
    yield* prettyJsonChunks(v, depth - 1, inner);
  }
  yield `\n${pad}}`;
}
