import { extname } from 'node:path';
import { Composer, LineCounter, parseAllDocuments, Parser, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';
import type { ControlPlaneComponent, KubeObject, KubeProxyConfigFile, ResourceKind, ResourceRef, Snapshot, SourceLocation } from '../core/types.js';
import { AppError, UsageError } from '../core/errors.js';
import { COMPONENT_NAMES, type ComponentName } from '../core/components.js';
import { kubeProxyConfigFiles } from '../core/kube-proxy.js';
import type { PodSpec } from '../core/pod-spec.js';
import { controlPlaneFromPods } from './control-plane.js';
import { keyPath } from '../core/key-path.js';
import { valueNestedTooDeep, yamlNestedTooDeep } from '../core/nesting.js';
import { expandPath, readBounded, reason, TooLargeError, type SkippedPath } from './manifest-files.js';
import { describe, isObject, MalformedObjectError, normalizeObject, resourceOf } from './normalize.js';
import { podSpecProblem } from './pod-shape.js';

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

export type { SkippedPath } from './manifest-files.js';

/** A path given that held no object complyd judges: an empty result, never a clean one. */
export interface EmptyPath {
  path: string;
  /** Documents of the path read but not kept (kinds complyd does not judge). */
  skipped: number;
}

export interface LoadedManifests {
  snapshot: Snapshot;
  skipped: SkippedDocument[];
  /** Files and directories found but not read (a link to something already read, a device). */
  skippedPaths: SkippedPath[];
  /** What could not be read, each naming its file (and document, line, key path where known). The rest is still judged. */
  unreadable: ManifestError[];
  /** Paths given that held no object complyd judges. */
  empty: EmptyPath[];
  /** Where the object a finding names was read (the later copy of one defined twice); undefined for the cluster and objects not read. */
  locate: (ref: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>) => SourceLocation | undefined;
}

/** Largest manifest file read by default: a 50,000-object dump is about 50 MB of YAML. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/**
 * Deepest nesting of a document. A pod in a List is about ten levels, a CRD's schema a few
 * dozen; the bound keeps recursion further on (toJS, normalizing) far from the stack's end.
 */
export const MAX_MANIFEST_NESTING = 256;
/** Alias expansions per document (the yaml library's `maxAliasCount`): shared blocks yes, a billion laughs no. */
export const MAX_ALIAS_EXPANSIONS = 1000;

export interface LoadManifestsOptions {
  /** Time recorded as the snapshot's collectedAt. @default now */
  collectedAt?: Date;
  /** A larger file is not read, and reported. @default DEFAULT_MAX_FILE_BYTES */
  maxFileBytes?: number;
  /**
   * Namespace given to namespaced objects that name none, as `kubectl apply -n` would.
   * @default 'default'
   */
  namespace?: string;
}

/** Resources that live outside any namespace: a manifest of one is never placed in one. */
const CLUSTER_SCOPED: ReadonlySet<ResourceKind> = new Set(['namespaces', 'nodes', 'clusterroles', 'clusterrolebindings']);

/** A DNS-1123 label, what the API server accepts as a namespace name. */
export function isNamespaceName(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
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

/**
 * Read manifests from files and directories (searched recursively for *.yaml, *.yml, *.json,
 * in name order, following symbolic links) into a Snapshot of cluster `manifests`.
 *
 * Nothing is dropped silently: kinds complyd does not judge are listed in `skipped`; a file,
 * document or item that cannot be read (missing, too large, not YAML, too deep, an alias bomb,
 * a malformed object) is listed in `unreadable` and the rest is still read; a path that
 * yields no judged object is listed in `empty`.
 */
export async function loadManifests(paths: string[], options: LoadManifestsOptions = {}): Promise<LoadedManifests> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const namespace = options.namespace ?? 'default';
  if (!isNamespaceName(namespace)) throw new UsageError(`--namespace: "${namespace}" is not a valid namespace name (lower-case letters, digits and "-", at most 63)`);
  const objects = new ObjectSet(namespace);
  const skippedPaths: SkippedPath[] = [];
  const unreadable: ManifestError[] = [];
  const empty: EmptyPath[] = [];
  const seen = new Map<string, string>();

  for (const path of paths) {
    const kept = objects.kept;
    const skipped = objects.skipped.length;
    const problems = unreadable.length;
    const expanded = await expandPath(path, seen);
    skippedPaths.push(...expanded.skipped);
    for (const p of expanded.problems) unreadable.push(new ManifestError(p.path, p.message, undefined, undefined, { cause: p.cause }));
    for (const file of expanded.files) await readFile(file, maxBytes, objects, unreadable);
    // A path read before (`evaluate dir dir/a.yaml`) is not empty, only repeated.
    if (objects.kept === kept && unreadable.length === problems && expanded.repeats === 0) empty.push({ path, skipped: objects.skipped.length - skipped });
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
    skippedPaths,
    unreadable,
    empty,
    locate: (ref) => objects.locations.get(locationKey(ref.kind, ref.namespace, ref.name)),
  };
}

const locationKey = (kind: string, namespace: string | undefined, name: string): string => `${kind}\u001f${namespace ?? ''}\u001f${name}`;

/** One file into `objects`; each problem is recorded and the reading goes on where it can. */
async function readFile(file: string, maxBytes: number, objects: ObjectSet, unreadable: ManifestError[]): Promise<void> {
  let text: string;
  try {
    text = await readBounded(file, maxBytes);
  } catch (err) {
    const why = err instanceof TooLargeError
      ? `too large: more than ${formatBytes(maxBytes)} (${err.message}); raise --max-file-size or split the file`
      : `cannot read: ${reason(err)}`;
    unreadable.push(new ManifestError(file, why, undefined, undefined, { cause: err }));
    return;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    for (const d of extname(file).toLowerCase() === '.json' ? parseJson(file, text) : parseYaml(file, text)) {
      if (d instanceof ManifestError) {
        unreadable.push(d);
        continue;
      }
      for (const item of itemsOf(d.value, file, d.doc, d.line)) {
        if (item instanceof ManifestError) unreadable.push(item);
        else objects.add(item, file, d.doc, d.line, unreadable);
      }
    }
  } catch (err) {
    // A syntax error ends the file (where the next document starts is no longer certain).
    unreadable.push(err instanceof ManifestError ? err : new ManifestError(file, `cannot be read: ${reason(err)}`, undefined, undefined, { cause: err }));
  }
}

function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  return `${n} bytes`;
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
  /** Objects (and kube-proxy configurations) kept so far, a repeat counting again. */
  kept = 0;
  /** Where each kept object was read, by kind, namespace and name: findings name objects so. */
  readonly locations = new Map<string, SourceLocation>();
  private readonly seen = new Map<string, { file: string; doc: number; index: number }>();

  /** `namespace`: where a namespaced object that names none goes, as kubectl apply places it. */
  constructor(private readonly namespace: string) {}

  /** A malformed object goes to `unreadable`, naming where it is. */
  add(item: Item, file: string, doc: number, line: number, unreadable: ManifestError[]): void {
    const kind = typeof item.value.kind === 'string' ? item.value.kind : '';
    const apiVersion = typeof item.value.apiVersion === 'string' ? item.value.apiVersion : undefined;
    if (kind === '') {
      this.skipped.push({ file, doc, kind, reason: `${item.label}has no kind: not a Kubernetes object` });
      return;
    }
    const resource = resourceOf(apiVersion, kind);
    if (!resource) {
      this.skipped.push({ file, doc, kind, reason: `${item.label}${apiVersion ?? '<no apiVersion>'} ${kind} is not a resource complyd judges` });
      return;
    }
    let obj: KubeObject;
    try {
      obj = normalizeObject(item.value, resource);
    } catch (err) {
      if (!(err instanceof MalformedObjectError)) throw err;
      unreadable.push(new ManifestError(file, `${item.label}${err.message}`, doc, line, { cause: err }));
      return;
    }
    // Without metadata.namespace, kubectl apply creates the object in its current namespace:
    // judging it there lets the namespace and service-account controls see it.
    if (!CLUSTER_SCOPED.has(resource) && !obj.metadata.namespace) obj = { ...obj, metadata: { ...obj.metadata, namespace: this.namespace } };
    const shape = podSpecProblem(resource, item.value);
    if (shape) {
      unreadable.push(new ManifestError(file, `${item.label}${resource}/${obj.metadata.name}: ${shape}`, doc, line));
      return;
    }
    this.kept++;
    // kube-proxy's configuration file, as a live scan collects it from kube-system; the
    // ConfigMap itself is kept too, reduced to its key names like any other.
    if (resource === 'configmaps') this.kubeProxyConfigs.push(...kubeProxyConfigFiles([item.value]));
    this.locations.set(locationKey(obj.kind, obj.metadata.namespace, obj.metadata.name), { file, document: doc, line });
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

interface Doc {
  doc: number;
  /** Line where the document starts. */
  line: number;
  value: unknown;
}

type Parsed = Doc | ManifestError;

function* parseJson(file: string, text: string): Generator<Parsed> {
  if (text.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    // JSON.parse does not always say where; the YAML parser (JSON is YAML) can point at the line.
    const position = /position (\d+)/.exec(reason(err));
    const line = position ? lineAt(text, Number(position[1])) : yamlErrorLine(text);
    throw new ManifestError(file, `invalid JSON: ${reason(err)}`, 1, line, { cause: err });
  }
  // JSON.parse does not recurse, normalizing does.
  const deep = valueNestedTooDeep(value, MAX_MANIFEST_NESTING);
  yield deep ? tooDeep(file, 1, 1, deep) : { doc: 1, line: 1, value };
}

/**
 * Floats as kubectl's YAML reader resolves them: a mantissa needs a digit. The yaml library's
 * YAML 1.1 floats also take `e0`, `.` or `-.` and make them NaN, so a label `app: e0` would be
 * refused as not a string.
 */
const FLOAT_TESTS = {
  EXP: /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$/,
  PLAIN: /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/,
};

function strictFloat(t: Tags[number]): Tags[number] {
  if (typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:float' || !t.test) return t;
  if (t.format === 'EXP') return { ...t, test: FLOAT_TESTS.EXP };
  // The other float forms are .inf/.nan (left as they are) and the plain decimal.
  return t.test.test('.5') ? { ...t, test: FLOAT_TESTS.PLAIN } : t;
}

/**
 * YAML as kubectl reads it: YAML 1.1 scalars (yes/no/on/off are booleans, 0644 is octal), but
 * timestamps and base-60 numbers stay strings, as sigs.k8s.io/yaml leaves them.
 */
const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  prettyErrors: false,
  customTags: (tags: Tags): Tags =>
    tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')).map(strictFloat),
};

/**
 * The documents one at a time (parseAllDocuments would hold every document's node tree of a
 * 50 MB file at once). A document too deep or expanding too many aliases is a problem of its
 * own and the next one is read; a syntax error ends the file.
 */
function* parseYaml(file: string, text: string): Generator<Parsed> {
  const lineCounter = new LineCounter();
  const composer = new Composer(YAML_OPTIONS);
  let doc = 0;
  for (const d of composer.compose(new Parser(lineCounter.addNewLine).parse(text))) {
    doc++;
    const [error] = d.errors;
    if (error) {
      const line = lineCounter.linePos(error.pos[0]).line;
      // The composer catches its own stack overflow on deep nesting and reports the raw RangeError text.
      const why = error.code === 'RESOURCE_EXHAUSTION' ? `nested too deeply (at most ${MAX_MANIFEST_NESTING} levels)` : error.message;
      throw new ManifestError(file, `invalid YAML: ${why}`, doc, line, { cause: error });
    }
    const line = lineCounter.linePos(d.contents?.range[0] ?? d.range[0]).line;
    const deep = yamlNestedTooDeep(d.contents, MAX_MANIFEST_NESTING);
    if (deep) {
      yield tooDeep(file, doc, line, deep);
      continue;
    }
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
    } catch (err) {
      const why = err instanceof ReferenceError && /excessive alias count/i.test(err.message)
        ? `aliases expand too far (more than ${MAX_ALIAS_EXPANSIONS} expansions; a YAML "billion laughs"?)`
        : reason(err);
      yield new ManifestError(file, `invalid YAML: ${why}`, doc, line, { cause: err });
      continue;
    }
    // A document of comments only, or an empty one between two `---`.
    if (value === null || value === undefined) continue;
    yield { doc, line, value };
  }
}

function tooDeep(file: string, doc: number, line: number, path: PropertyKey[]): ManifestError {
  const shown = path.length > 12 ? `${keyPath(path.slice(0, 12))}…` : keyPath(path);
  return new ManifestError(file, `nested deeper than ${MAX_MANIFEST_NESTING} levels at ${shown}`, doc, line);
}

interface Item {
  value: Record<string, unknown>;
  /** Prefix naming the item inside its document (`items[3]: `), empty for a plain object. */
  label: string;
}

/** The objects of one document: the document itself, or the items of a List / *List dump (an item that is not an object is a problem of its own). */
function itemsOf(value: unknown, file: string, doc: number, line: number): Array<Item | ManifestError> {
  if (!isObject(value)) return [new ManifestError(file, `expected a Kubernetes object, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`, doc, line)];
  const kind = typeof value.kind === 'string' ? value.kind : '';
  if (!kind.endsWith('List') || !Array.isArray(value.items)) return [{ value, label: '' }];
  // Typed lists from the API (PodList...) omit kind and apiVersion on their items.
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  return value.items.map((item: unknown, i): Item | ManifestError => {
    if (!isObject(item)) return new ManifestError(file, `items[${i}]: expected an object, got ${describe(item)}`, doc, line);
    const filled = { ...item };
    if (filled.kind === undefined && itemKind) filled.kind = itemKind;
    if (filled.apiVersion === undefined && itemKind && typeof value.apiVersion === 'string') filled.apiVersion = value.apiVersion;
    return { value: filled, label: `items[${i}]: ` };
  });
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
