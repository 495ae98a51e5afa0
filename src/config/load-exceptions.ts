/**
 * Load exceptions files: each file is validated whole, every problem reported at once with its
 * key path. A file with any problem is refused whole and returned as a value, so one bad file
 * never hides the others (their findings simply stay open, never excepted by mistake).
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { globRegExp, type Exception } from '../core/exception.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { formatDuration } from './duration.js';
import { exceptionsFileSchema, parseInstant } from './exceptions-schema.js';
import { formatIssues, readConfigText } from './load.js';
import { parseYaml } from './parse-yaml.js';

export interface InvalidExceptionsFile {
  readonly file: string;
  readonly issues: readonly string[];
}

export interface LoadedExceptions {
  /** Every exception of the valid files, in file order. */
  readonly exceptions: readonly Exception[];
  /** The files read, valid or not. */
  readonly files: readonly string[];
  readonly invalid: readonly InvalidExceptionsFile[];
}

export interface ExceptionLoadOptions {
  /** The longest an exception may run, created to expires, in ms. */
  readonly maxLifetimeMs: number;
  /** The catalog's control ids: when given, an id or pattern that names none of them is a mistake. */
  readonly knownControls?: readonly string[];
}

const DAY_MS = 86_400_000;

function lifetimeIssues(created: string, expires: string, index: number, maxLifetimeMs: number): string[] {
  const at = `exceptions[${index}].expires`;
  const lifetime = Date.parse(expires) - Date.parse(created);
  if (lifetime <= 0) return [`${at}: ${expires.slice(0, 10)} is not after created (${created.slice(0, 10)})`];
  if (lifetime > maxLifetimeMs) {
    const days = Math.ceil(lifetime / DAY_MS);
    return [`${at}: ${days} days after created (${created.slice(0, 10)}): at most ${formatDuration(maxLifetimeMs)} (exceptions.maxLifetime)`];
  }
  return [];
}

function controlIssues(e: { readonly controls: readonly unknown[] }, index: number, known: readonly string[]): string[] {
  return e.controls.flatMap((c, j) => {
    // A malformed id already has its own issue.
    if (typeof c !== 'string' || !/^[A-Za-z0-9.*_-]+$/.test(c)) return [];
    if (c.includes('*') ? known.some((k) => globRegExp(c).test(k)) : known.includes(c)) return [];
    const near = known.filter((k) => k.toLowerCase() === c.toLowerCase());
    const hint = near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ' (see `complyd controls`)';
    return [`exceptions[${index}].controls[${j}]: ${c.includes('*') ? `no control matches "${c}"` : `no control "${c}"`}${hint}`];
  });
}

/**
 * The checks across keys of each entry (a duplicate id, the lifetime, unknown controls), over the
 * raw entries: an entry that fails the schema elsewhere still has these named, so one pass over a
 * file shows every mistake. Each check runs only on keys that are valid on their own.
 */
function crossKeyIssues(raw: unknown, file: string, opts: ExceptionLoadOptions, seen: ReadonlyMap<string, string>, ids: Map<string, string>): string[] {
  const list = (raw as { exceptions?: unknown } | null)?.exceptions;
  if (!Array.isArray(list)) return [];
  return list.flatMap((e: unknown, i) => {
    const entry = (e ?? {}) as { id?: unknown; controls?: unknown; created?: unknown; expires?: unknown };
    const where = `exceptions[${i}]`;
    const issues: string[] = [];
    if (typeof entry.id === 'string') {
      const first = ids.get(entry.id) ?? seen.get(entry.id);
      if (first !== undefined) issues.push(`${where}.id: duplicate exception id "${entry.id}" (also ${first})`);
      else ids.set(entry.id, `${file} ${where}`);
    }
    const created = typeof entry.created === 'string' ? parseInstant(entry.created) : undefined;
    const expires = typeof entry.expires === 'string' ? parseInstant(entry.expires) : undefined;
    if (created !== undefined && expires !== undefined) issues.push(...lifetimeIssues(created, expires, i, opts.maxLifetimeMs));
    if (opts.knownControls && Array.isArray(entry.controls)) issues.push(...controlIssues({ controls: entry.controls as unknown[] }, i, opts.knownControls));
    return issues;
  });
}

/** Parse and validate one file's text. `seen` holds the ids of files read before (id → where). */
export function parseExceptionsFile(text: string, file: string, opts: ExceptionLoadOptions, seen = new Map<string, string>()): Exception[] {
  const raw = parseYaml(text, file) ?? {};
  const parsed = exceptionsFileSchema.safeParse(raw);
  const ids = new Map<string, string>();
  const issues = [...(parsed.success ? [] : formatIssues(parsed.error.issues)), ...crossKeyIssues(raw, file, opts, seen, ids)];
  if (!parsed.success || issues.length > 0) throw new ConfigError(`${file}: invalid exceptions file:\n  ${issues.join('\n  ')}`, issues);
  for (const [id, where] of ids) seen.set(id, where);
  return parsed.data.exceptions.map((e, index) => ({
    id: e.id,
    controls: e.controls,
    scope: e.scope,
    owner: e.owner,
    reason: e.reason,
    ...(e.ticket !== undefined ? { ticket: e.ticket } : {}),
    created: e.created,
    expires: e.expires,
    source: { file, index },
  }));
}

/** A file as itself; a directory as its *.yaml and *.yml files, sorted (not recursive). */
function expand(path: string): string[] | InvalidExceptionsFile {
  try {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path)
      .filter((n) => !n.startsWith('.') && ['.yaml', '.yml'].includes(extname(n)))
      .sort()
      .map((n) => join(path, n));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { file: path, issues: [code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : errorMessage(err)] };
  }
}

/** Every exception in `paths` (files or directories), with the files that were refused and why. */
export function loadExceptions(paths: readonly string[], opts: ExceptionLoadOptions): LoadedExceptions {
  const exceptions: Exception[] = [];
  const files: string[] = [];
  const invalid: InvalidExceptionsFile[] = [];
  const seen = new Map<string, string>();
  const read = new Set<string>();
  for (const path of paths) {
    const expanded = expand(resolve(path));
    if (!Array.isArray(expanded)) {
      files.push(expanded.file);
      invalid.push(expanded);
      continue;
    }
    for (const file of expanded) {
      if (read.has(file)) continue;
      read.add(file);
      files.push(file);
      try {
        exceptions.push(...parseExceptionsFile(readConfigText(file, 'exceptions file'), file, opts, seen));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        // A ConfigError's issues are its message after the file name, or the whole message.
        invalid.push({ file, issues: err.issues.map((i) => i.replace(`${file}: `, '')) });
      }
    }
  }
  return { exceptions, files, invalid };
}
