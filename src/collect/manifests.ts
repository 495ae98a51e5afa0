import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';
import type { ControlPlaneComponent, KubeObject, KubeProxyConfigFile, ResourceKind, Snapshot } from '../core/types.js';
import { AppError } from '../core/errors.js';
import { COMPONENT_NAMES, type ComponentName } from '../core/components.js';
import { kubeProxyConfigFiles } from '../core/kube-proxy.js';
import type { PodSpec } from '../core/pod-spec.js';
import { controlPlaneFromPods } from './control-plane.js';
import { MalformedObjectError, normalizeObject, resourceOf } from './normalize.js';

/**
 * Offline evaluation: manifests on disk (YAML, multi-document, JSON, `kubectl get -o json`
 * dumps) become a Snapshot that `evaluate` judges like a live cluster's.
 */

/** A document that was read but not kept, and why (a kind complyd does not judge, a duplicate...). */
export interface SkippedDocument {
  file: string;
  /** 1-based document number in the file. */
  doc: number;
  /** The document's kind, `''` when it has none. */
  kind: string;
  reason: string;
}

export interface LoadedManifests {
  snapshot: Snapshot;
  skipped: SkippedDocument[];
}

export interface LoadManifestsOptions {
  /** Time recorded as the snapshot's collectedAt. @default now */
  collectedAt?: Date;
}

/** A file that cannot be used. The message names the file, document and line: `deploy.yaml: document 2 (line 14): ...`. */
export class ManifestError extends AppError {
  constructor(
    readonly file: string,
    message: string,
    readonly doc?: number,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    const place = doc === undefined ? (line === undefined ? '' : ` (line ${line})`) : ` document ${doc}${line === undefined ? '' : ` (line ${line})`}`;
    super('MANIFEST', `${file}:${place}${place ? ':' : ''} ${message}`, options);
  }
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Read manifests from files and directories (searched recursively for *.yaml, *.yml, *.json,
 * in name order) into a Snapshot of cluster `manifests`.
 *
 * Kinds complyd does not judge are skipped and listed, never an error. A file that cannot be
 * read or parsed, or an object without a name, throws ManifestError.
 */
export async function loadManifests(paths: string[], options: LoadManifestsOptions = {}): Promise<LoadedManifests> {
  const files: string[] = [];
  for (const p of paths) files.push(...(await expand(p)));

  const objects = new ObjectSet();
  for (const file of files) {
    for (const { doc, line, value } of await readDocuments(file)) {
      for (const item of itemsOf(value, file, doc, line)) objects.add(item, file, doc, line);
    }
  }

  return {
    snapshot: {
      cluster: 'manifests',
      labels: {},
      collectedAt: (options.collectedAt ?? new Date()).toISOString(),
      provider: 'unknown',
      objects: objects.byResource,
      controlPlane: controlPlaneOf(objects.byResource.pods ?? []),
      kubelets: [],
      ...(objects.kubeProxyConfigs.length > 0 ? { kubeProxyConfigs: objects.kubeProxyConfigs } : {}),
      gaps: [],
      source: 'manifests',
    },
    skipped: objects.skipped,
  };
}

/**
 * Control-plane components among the pods of the files: mirror pods from a `kubectl get -o yaml`
 * dump (found as a live scan finds them), and static pod manifests as they sit in
 * /etc/kubernetes/manifests, which have no mirror annotation yet. Such a manifest counts when
 * its container command starts with the component's binary, or when it carries the label
 * `component=<name>` in kube-system or together with `tier: control-plane`.
 */
function controlPlaneOf(pods: readonly KubeObject[]): ControlPlaneComponent[] {
  const mirrors = controlPlaneFromPods(pods);
  const seen = new Set(mirrors.map((c) => `${c.namespace}/${c.pod}`));
  const statics = pods.flatMap((pod): ControlPlaneComponent[] => {
    const namespace = pod.metadata.namespace ?? 'default';
    if (seen.has(`${namespace}/${pod.metadata.name}`)) return [];
    const spec = (pod.spec ?? {}) as PodSpec & { nodeName?: string };
    const component = staticComponentOf(pod, spec);
    if (!component) return [];
    return [
      {
        component,
        namespace,
        pod: pod.metadata.name,
        ...(spec.nodeName ? { node: spec.nodeName } : {}),
        containers: (spec.containers ?? []).map((c) => ({
          name: c.name,
          argv: [...(c.command ?? []), ...(c.args ?? [])],
          env: Object.fromEntries((c.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]]))),
        })),
      },
    ];
  });
  return [...mirrors, ...statics];
}

function staticComponentOf(pod: KubeObject, spec: PodSpec): ComponentName | undefined {
  const isComponent = (name: string | undefined): name is ComponentName => (COMPONENT_NAMES as readonly (string | undefined)[]).includes(name);
  for (const c of spec.containers ?? []) {
    const binary = c.command?.[0];
    const name = binary?.slice(binary.lastIndexOf('/') + 1);
    if (isComponent(name)) return name;
  }
  const labels = pod.metadata.labels ?? {};
  const label = labels.component;
  if (isComponent(label) && (pod.metadata.namespace === 'kube-system' || labels.tier === 'control-plane')) return label;
  return undefined;
}

/** The objects read so far, by resource, and the documents that were not kept. */
class ObjectSet {
  readonly byResource: Partial<Record<ResourceKind, KubeObject[]>> = {};
  readonly skipped: SkippedDocument[] = [];
  readonly kubeProxyConfigs: KubeProxyConfigFile[] = [];
  private readonly seen = new Map<string, { file: string; doc: number; index: number }>();

  add(item: Item, file: string, doc: number, line: number): void {
    const kind = typeof item.value.kind === 'string' ? item.value.kind : '';
    const apiVersion = typeof item.value.apiVersion === 'string' ? item.value.apiVersion : undefined;
    if (kind === '') {
      this.skipped.push({ file, doc, kind, reason: `${item.label}has no kind: not a Kubernetes object` });
      return;
    }
    const resource = resourceOf(apiVersion, kind);
    // kube-proxy's configuration file, as a live scan collects it from kube-system.
    const proxyConfigs = !resource && kind === 'ConfigMap' ? kubeProxyConfigFiles([item.value]) : [];
    if (proxyConfigs.length > 0) {
      this.kubeProxyConfigs.push(...proxyConfigs);
      return;
    }
    if (!resource) {
      this.skipped.push({ file, doc, kind, reason: `${item.label}${apiVersion ?? '<no apiVersion>'} ${kind} is not a resource complyd judges` });
      return;
    }
    let obj: KubeObject;
    try {
      obj = normalizeObject(item.value, resource);
    } catch (err) {
      if (err instanceof MalformedObjectError) throw new ManifestError(file, `${item.label}${err.message}`, doc, line, { cause: err });
      throw err;
    }
    // Applying the same object twice keeps the last one; the earlier copy is listed as skipped.
    const key = `${resource}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const list = (this.byResource[resource] ??= []);
    const earlier = this.seen.get(key);
    if (earlier) {
      list[earlier.index] = obj;
      this.skipped.push({ file: earlier.file, doc: earlier.doc, kind, reason: `${key} is defined again in ${file} document ${doc}; the later one is used` });
      this.seen.set(key, { ...earlier, file, doc });
    } else {
      this.seen.set(key, { file, doc, index: list.length });
      list.push(obj);
    }
  }
}

/** A path given on the command line: a file as is (whatever its name), a directory searched recursively. */
async function expand(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new ManifestError(path, `cannot read: ${reason(err)}`, undefined, undefined, { cause: err });
  }
  if (!info.isDirectory()) return [path];
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    throw new ManifestError(path, `cannot read directory: ${reason(err)}`, undefined, undefined, { cause: err });
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = join(path, e.name);
    if (e.isDirectory()) out.push(...(await expand(full)));
    else if (e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(full);
  }
  return out;
}

interface Doc {
  doc: number;
  /** Line where the document starts. */
  line: number;
  value: unknown;
}

async function readDocuments(file: string): Promise<Doc[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, `cannot read: ${reason(err)}`, undefined, undefined, { cause: err });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return extname(file).toLowerCase() === '.json' ? parseJson(file, text) : parseYaml(file, text);
}

function parseJson(file: string, text: string): Doc[] {
  if (text.trim() === '') return [];
  try {
    return [{ doc: 1, line: 1, value: JSON.parse(text) as unknown }];
  } catch (err) {
    // JSON.parse does not always say where; the YAML parser (JSON is YAML) can point at the line.
    const position = /position (\d+)/.exec(reason(err));
    const line = position ? lineAt(text, Number(position[1])) : yamlErrorLine(text);
    throw new ManifestError(file, `invalid JSON: ${reason(err)}`, 1, line, { cause: err });
  }
}

/**
 * YAML as kubectl reads it: YAML 1.1 scalars (yes/no/on/off are booleans, 0644 is octal), but
 * timestamps and base-60 numbers stay strings, as sigs.k8s.io/yaml leaves them.
 */
const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  prettyErrors: false,
  customTags: (tags: Tags): Tags =>
    tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')),
};

function parseYaml(file: string, text: string): Doc[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  return docs.flatMap((d, i): Doc[] => {
    const doc = i + 1;
    const [error] = d.errors;
    if (error) {
      const line = lineCounter.linePos(error.pos[0]).line;
      throw new ManifestError(file, `invalid YAML: ${error.message}`, doc, line, { cause: error });
    }
    const value: unknown = d.toJS({ maxAliasCount: 1000 });
    // A document of comments only, or an empty one between two `---`.
    if (value === null || value === undefined) return [];
    return [{ doc, line: lineCounter.linePos(d.contents?.range[0] ?? d.range[0]).line, value }];
  });
}

interface Item {
  value: Record<string, unknown>;
  /** Prefix naming the item inside its document (`items[3]: `), empty for a plain object. */
  label: string;
}

/** The objects of one document: the document itself, or the items of a List / *List dump. */
function itemsOf(value: unknown, file: string, doc: number, line: number): Item[] {
  if (!isObject(value)) throw new ManifestError(file, `expected a Kubernetes object, got ${Array.isArray(value) ? 'a list' : typeof value}`, doc, line);
  const kind = typeof value.kind === 'string' ? value.kind : '';
  if (!kind.endsWith('List') || !Array.isArray(value.items)) return [{ value, label: '' }];
  // Typed lists from the API (PodList...) omit kind and apiVersion on their items.
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  return value.items.map((item: unknown, i): Item => {
    if (!isObject(item)) throw new ManifestError(file, `items[${i}]: expected an object, got ${Array.isArray(item) ? 'a list' : typeof item}`, doc, line);
    const filled = { ...item };
    if (filled.kind === undefined && itemKind) filled.kind = itemKind;
    if (filled.apiVersion === undefined && itemKind && typeof value.apiVersion === 'string') filled.apiVersion = value.apiVersion;
    return { value: filled, label: `items[${i}]: ` };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function yamlErrorLine(text: string): number | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  for (const d of docs) {
    const [error] = d.errors;
    if (error) return lineCounter.linePos(error.pos[0]).line;
  }
  return undefined;
}

/** `ENOENT: no such file or directory, open 'x'` -> `no such file or directory (ENOENT)`. */
function reason(err: unknown): string {
  // Not `instanceof Error`: errors can come from another realm (vm contexts, workers).
  const message = err !== null && typeof err === 'object' && 'message' in err && typeof err.message === 'string' ? err.message : String(err);
  const errno = /^(E[A-Z]+): ([^,]+)/.exec(message);
  return errno ? `${errno[2]} (${errno[1]})` : message;
}
