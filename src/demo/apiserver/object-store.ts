/**
 * The objects served, as etcd would hold them: validated, defaulted (uid, resourceVersion,
 * creationTimestamp...) and kept in key order per resource.
 */
import { createHash } from 'node:crypto';
import type { ApiObject } from './types.js';
import { groupVersionOf, qualified, RESOURCE_TYPES, type ResourceType } from './resources.js';

export interface Stored {
  type: ResourceType;
  namespace?: string;
  name: string;
  /** etcd-like key inside the resource prefix: `ns/name` or `name`. */
  key: string;
  /** Full object, kind and apiVersion first. */
  obj: ApiObject;
  labels: Record<string, string>;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deterministicUid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function describeObject(o: ApiObject, index: number): string {
  const md = isRecord(o.metadata) ? o.metadata : {};
  const ns = typeof md.namespace === 'string' ? `${md.namespace}/` : '';
  return `objects[${index}] (${String(o.kind)} ${ns}${String(md.name)})`;
}

export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ObjectStore {
  private readonly byResource = new Map<ResourceType, Stored[]>();
  private readonly byKindName = new Map<string, Stored>();
  /** The latest resourceVersion: what a fresh list reports. */
  revision: number;

  constructor(objects: readonly ApiObject[], uidSeed: string, baseTime: string) {
    for (const t of RESOURCE_TYPES) this.byResource.set(t, []);
    const base = Date.parse(baseTime);
    if (Number.isNaN(base)) throw new Error(`baseTime ${baseTime} is not a date`);
    let rv = 4711;
    let maxRv = rv;
    const stored: Stored[] = [];
    objects.forEach((input, index) => {
      if (!isRecord(input)) throw new Error(`objects[${index}] is not an object`);
      const kind = input.kind;
      const apiVersion = input.apiVersion;
      if (typeof kind !== 'string') throw new Error(`${describeObject(input, index)} has no kind`);
      const type = RESOURCE_TYPES.find((t) => t.kind === kind);
      if (!type) throw new Error(`${describeObject(input, index)}: kind ${kind} is not served by the fake API server`);
      if (apiVersion !== groupVersionOf(type)) {
        throw new Error(`${describeObject(input, index)}: apiVersion must be ${groupVersionOf(type)}, not ${String(apiVersion)}`);
      }
      const md: Record<string, unknown> = isRecord(input.metadata) ? structuredClone(input.metadata) : {};
      const name = md.name;
      if (typeof name !== 'string' || name === '') throw new Error(`${describeObject(input, index)} has no metadata.name`);
      let namespace: string | undefined;
      if (type.namespaced) {
        namespace = typeof md.namespace === 'string' && md.namespace !== '' ? md.namespace : 'default';
        md.namespace = namespace;
      } else if (md.namespace !== undefined) {
        throw new Error(`${describeObject(input, index)}: ${kind} is cluster-scoped and cannot have a namespace`);
      }
      const key = namespace ? `${namespace}/${name}` : name;
      const idKey = `${type.resource}|${key}`;
      if (this.byKindName.has(idKey)) throw new Error(`${describeObject(input, index)} is defined twice`);
      if (typeof md.uid !== 'string') md.uid = deterministicUid(`${uidSeed}/${qualified(type)}/${key}`);
      if (md.resourceVersion === undefined) {
        rv += 1 + (parseInt(String(md.uid).slice(0, 2), 16) % 37);
        md.resourceVersion = String(rv);
      } else {
        md.resourceVersion = String(md.resourceVersion);
      }
      const thisRv = Number(md.resourceVersion);
      if (Number.isFinite(thisRv)) maxRv = Math.max(maxRv, thisRv, rv);
      if (md.creationTimestamp === undefined) {
        md.creationTimestamp = new Date(base + index * 61_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      }
      const rest: Record<string, unknown> = { ...input };
      delete rest.kind;
      delete rest.apiVersion;
      delete rest.metadata;
      const obj: ApiObject = { kind, apiVersion, metadata: md, ...structuredClone(rest) };
      this.applyDefaults(type, obj, md);
      const labels = isRecord(md.labels) ? (md.labels as Record<string, string>) : {};
      const s: Stored = { type, name, key, obj, labels, ...(namespace ? { namespace } : {}) };
      this.byKindName.set(idKey, s);
      stored.push(s);
    });
    // Owner references written without a uid point at the owner's (filled-in) uid.
    for (const s of stored) this.resolveOwners(s);
    for (const s of stored) this.byResource.get(s.type)?.push(s);
    for (const list of this.byResource.values()) list.sort((a, b) => byteCompare(a.key, b.key));
    this.revision = maxRv + 12;
  }

  private applyDefaults(type: ResourceType, obj: ApiObject, md: Record<string, unknown>): void {
    if (type.resource === 'namespaces') {
      // The NamespaceDefaultLabelName admission (1.21+) always sets this label.
      md.labels = { ...(isRecord(md.labels) ? md.labels : {}), 'kubernetes.io/metadata.name': String(md.name) };
      if (!isRecord(obj.spec)) obj.spec = { finalizers: ['kubernetes'] };
      if (!isRecord(obj.status)) obj.status = { phase: 'Active' };
    }
    if (type.resource === 'secrets') {
      // The API server stores stringData merged into data and never returns stringData.
      if (isRecord(obj.stringData)) {
        const data: Record<string, unknown> = isRecord(obj.data) ? { ...obj.data } : {};
        for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        obj.data = data;
        delete obj.stringData;
      }
      if (typeof obj.type !== 'string') obj.type = 'Opaque';
    }
  }

  private resolveOwners(s: Stored): void {
    const md = s.obj.metadata as Record<string, unknown>;
    if (!Array.isArray(md.ownerReferences)) return;
    for (const ref of md.ownerReferences as unknown[]) {
      if (!isRecord(ref) || typeof ref.uid === 'string') continue;
      const ownerType = RESOURCE_TYPES.find((t) => t.kind === ref.kind);
      if (!ownerType) continue;
      const key = ownerType.namespaced ? `${s.namespace ?? 'default'}/${String(ref.name)}` : String(ref.name);
      const owner = this.byKindName.get(`${ownerType.resource}|${key}`);
      if (!owner) continue;
      ref.uid = (owner.obj.metadata as Record<string, unknown>).uid;
      if (typeof ref.apiVersion !== 'string') ref.apiVersion = groupVersionOf(ownerType);
    }
  }

  list(type: ResourceType, namespace: string | undefined): Stored[] {
    const all = this.byResource.get(type) ?? [];
    return namespace === undefined ? all : all.filter((s) => s.namespace === namespace);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): Stored | undefined {
    return this.byKindName.get(`${type.resource}|${namespace ? `${namespace}/${name}` : name}`);
  }

  /**
   * Write one cluster-scoped object (created or replaced), as etcd would: the revision moves
   * on and becomes its resourceVersion; a new object gets a uid and a creation time.
   */
  put(type: ResourceType, obj: ApiObject, now: string): Stored {
    const md = obj.metadata as Record<string, unknown>;
    const name = String(md.name);
    const old = this.get(type, undefined, name);
    const oldMd = (old?.obj.metadata ?? {}) as Record<string, unknown>;
    this.revision += 1;
    md.uid = oldMd.uid ?? deterministicUid(`${qualified(type)}/${name}/${this.revision}`);
    md.creationTimestamp = oldMd.creationTimestamp ?? now;
    md.resourceVersion = String(this.revision);
    md.generation = typeof oldMd.generation === 'number' ? oldMd.generation + (JSON.stringify(old?.obj.spec) === JSON.stringify(obj.spec) ? 0 : 1) : 1;
    const s: Stored = { type, name, key: name, obj, labels: isRecord(md.labels) ? (md.labels as Record<string, string>) : {} };
    this.byKindName.set(`${type.resource}|${name}`, s);
    const list = (this.byResource.get(type) ?? []).filter((x) => x.key !== name);
    list.push(s);
    list.sort((a, b) => byteCompare(a.key, b.key));
    this.byResource.set(type, list);
    return s;
  }

  count(resource?: string): number {
    let n = 0;
    for (const [t, list] of this.byResource) if (!resource || t.resource === resource) n += list.length;
    return n;
  }
}
