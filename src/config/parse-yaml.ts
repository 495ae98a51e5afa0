import { parseDocument, type Document } from 'yaml';
import { yamlNestedTooDeep } from '../core/nesting.js';
import { ConfigError } from '../core/errors.js';
import { keyPath } from '../core/key-path.js';

/** A configuration is a few kilobytes; anything this large is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** The schema is four levels deep (`reports[0].clusters[0]`); labels add none. */
export const MAX_NESTING = 32;
/**
 * Alias expansions allowed while turning the document into values (the yaml library's
 * `maxAliasCount`): enough for one anchored block reused by hundreds of clusters, far too
 * few for a billion laughs.
 */
export const MAX_ALIAS_EXPANSIONS = 1000;

/**
 * Parse configuration text into plain values, refusing what would exhaust memory or the
 * stack before it is expanded: oversized text, deep nesting, alias bombs. Every refusal is a
 * ConfigError naming the file.
 */
export function parseYaml(text: string, file: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) throw tooLarge(file);
  // logLevel 'error': a mapping used as a key becomes its text (then an unknown key) without a process warning on stderr.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      // The composer catches its own stack overflow on deep nesting and reports the raw RangeError text.
      const why = e.code === 'RESOURCE_EXHAUSTION' ? `nested too deeply (a configuration needs at most ${MAX_NESTING} levels)` : (e.message.split('\n')[0] ?? e.code);
      return `line ${e.linePos?.[0]?.line ?? '?'}: ${why}`;
    });
    throw new ConfigError(`${file}: invalid YAML: ${issues.join('; ')}`, issues);
  }
  checkNesting(doc, file);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS }) as unknown;
  } catch (err) {
    const why = err instanceof ReferenceError && /excessive alias count/i.test(err.message)
      ? `aliases expand too far (more than ${MAX_ALIAS_EXPANSIONS} expansions; a YAML "billion laughs"?)`
      : `cannot be read: ${err instanceof Error ? err.message : String(err)}`;
    throw fileError(file, `invalid YAML: ${why}`, err);
  }
}

export function tooLarge(file: string): ConfigError {
  return fileError(file, `too large for a configuration file (more than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB)`);
}

/** A problem of the file as a whole: its one issue is the message after the file name. */
function fileError(file: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError(`${file}: ${why}`, [why], cause === undefined ? undefined : { cause });
}

/** Depth is bounded before toJS, whose recursion would overflow on it. */
function checkNesting(doc: Document, file: string): void {
  const path = yamlNestedTooDeep(doc.contents, MAX_NESTING);
  if (path) throw fileError(file, `nested deeper than ${MAX_NESTING} levels at ${keyPath(path)}`);
}
