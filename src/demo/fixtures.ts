/**
 * Load API-shaped objects from multi-document YAML files (`kubectl get -o yaml` dumps,
 * manifests). A `kind: List` document contributes its items.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import YAML from 'yaml';

export type FixtureObject = Record<string, unknown>;

export class FixtureError extends Error {
  constructor(
    readonly file: string,
    readonly documentIndex: number | undefined,
    message: string,
  ) {
    super(`${file}${documentIndex === undefined ? '' : ` (document ${documentIndex + 1})`}: ${message}`);
    this.name = 'FixtureError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every non-empty document of one YAML text, parsed, with its 0-based index. `file` is only used in errors. */
export function parseYamlDocuments(text: string, file: string): Array<{ index: number; value: unknown }> {
  const docs = YAML.parseAllDocuments(text, { prettyErrors: true });
  // parseAllDocuments returns an EmptyStream (an array) for an empty file.
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Array<{ index: number; value: unknown }> = [];
  list.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err) throw new FixtureError(file, index, `invalid YAML: ${err.message}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    out.push({ index, value });
  });
  return out;
}

/** The API objects of one YAML file. */
export function loadFixtureFile(file: string): FixtureObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FixtureError(file, undefined, `cannot read: ${(err as Error).message}`);
  }
  const out: FixtureObject[] = [];
  for (const { index: i, value } of parseYamlDocuments(text, file)) {
    if (!isRecord(value)) throw new FixtureError(file, i, 'a document must be a mapping (an API object)');
    if (value.kind === 'List' && Array.isArray(value.items)) {
      value.items.forEach((item: unknown, j: number) => {
        if (!isRecord(item) || typeof item.kind !== 'string') {
          throw new FixtureError(file, i, `items[${j}] is not an API object with a kind`);
        }
        out.push(item);
      });
      continue;
    }
    if (typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
      throw new FixtureError(file, i, 'an API object needs kind and apiVersion');
    }
    if (!isRecord(value.metadata) || typeof value.metadata.name !== 'string') {
      throw new FixtureError(file, i, `${value.kind} has no metadata.name`);
    }
    out.push(value);
  }
  return out;
}

export interface LoadFixtureDirOptions {
  /** File names to skip (default: fleet.yaml, the cluster description). */
  exclude?: readonly string[];
}

/** The API objects of every `*.yaml`/`*.yml` file of a directory, files in name order. */
export function loadFixtureDir(dir: string, opts: LoadFixtureDirOptions = {}): FixtureObject[] {
  const exclude = new Set(opts.exclude ?? ['fleet.yaml']);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f) && !exclude.has(f))
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
  const out: FixtureObject[] = [];
  for (const f of files) out.push(...loadFixtureFile(join(dir, basename(f))));
  return out;
}
