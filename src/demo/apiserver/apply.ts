/**
 * Server-side apply, as kube-apiserver does it for the kinds `policy apply` writes, simplified
 * where the simplification does not change an answer complyd can see:
 * - ownership is tracked per top-level field of `spec` (the API tracks every leaf), kept in
 *   `metadata.managedFields` as FieldsV1 (`{"f:spec": {"f:<field>": {}}}`) per manager;
 * - a field another manager owns with a different value is a conflict unless `force`; with
 *   `force` the field changes owner. Equal values are shared, as the API shares them;
 * - a field the applier owned before and leaves out of its configuration is removed, unless
 *   another manager still owns it;
 * - labels and annotations of the configuration are merged into the live object's.
 * Pure: the caller stores the result (or, for dryRun, does not).
 */
import type { ApiObject } from './types.js';
import { isRecord } from './object-store.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
}

export interface ApplyConflict {
  manager: string;
  field: string;
}

export type ApplyOutcome = { obj: ApiObject; changed: boolean } | { conflicts: ApplyConflict[] };

/** Top-level spec fields owned by each manager, read from managedFields. */
function ownership(obj: ApiObject | undefined): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  const md = isRecord(obj?.metadata) ? obj.metadata : {};
  if (!Array.isArray(md.managedFields)) return owners;
  for (const e of md.managedFields as unknown[]) {
    if (!isRecord(e) || typeof e.manager !== 'string' || !isRecord(e.fieldsV1)) continue;
    const spec = e.fieldsV1['f:spec'];
    const fields = isRecord(spec) ? Object.keys(spec).filter((k) => k.startsWith('f:')).map((k) => k.slice(2)) : [];
    owners.set(e.manager, new Set([...(owners.get(e.manager) ?? []), ...fields]));
  }
  return owners;
}

function entries(owners: Map<string, Set<string>>, apiVersion: string, time: string): ManagedFieldsEntry[] {
  return [...owners]
    .filter(([, fields]) => fields.size > 0)
    .map(([manager, fields]) => ({
      manager,
      operation: 'Apply',
      apiVersion,
      time,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': Object.fromEntries([...fields].sort().map((f) => [`f:${f}`, {}])) },
    }));
}

/** Deep equality of JSON values, key order ignored (objects from any realm: the API compares values, not prototypes). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameJson(a[k], b[k]));
}

const recordOf = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/**
 * The fields of `wanted` another manager owns with another value: conflicts, or with `force`
 * taken from that manager (`owners` is changed then).
 */
function contested(owners: Map<string, Set<string>>, manager: string, liveSpec: Record<string, unknown>, wanted: Record<string, unknown>, force: boolean): ApplyConflict[] {
  const conflicts: ApplyConflict[] = [];
  for (const [field, value] of Object.entries(wanted)) {
    for (const [other, fields] of owners) {
      if (other === manager || !fields.has(field) || sameJson(liveSpec[field], value)) continue;
      if (force) fields.delete(field);
      else conflicts.push({ manager: other, field: `.spec.${field}` });
    }
  }
  return conflicts;
}

/** Apply `config` as `manager` to `live` (undefined: the object does not exist yet). */
export function serverSideApply(live: ApiObject | undefined, config: ApiObject, manager: string, force: boolean, now: string): ApplyOutcome {
  const owners = ownership(live);
  const liveSpec = recordOf(live?.spec);
  const wanted = recordOf(config.spec);
  const conflicts = contested(owners, manager, liveSpec, wanted, force);
  if (conflicts.length > 0) return { conflicts };

  const before = owners.get(manager) ?? new Set<string>();
  const spec: Record<string, unknown> = { ...liveSpec };
  for (const field of before) {
    const stillOwned = [...owners].some(([m, fields]) => m !== manager && fields.has(field));
    if (!(field in wanted) && !stillOwned) delete spec[field];
  }
  Object.assign(spec, structuredClone(wanted));
  owners.set(manager, new Set(Object.keys(wanted)));

  const liveMd = recordOf(live?.metadata);
  const cfgMd = recordOf(config.metadata);
  const labels = { ...recordOf(liveMd.labels), ...recordOf(cfgMd.labels) };
  const annotations = { ...recordOf(liveMd.annotations), ...recordOf(cfgMd.annotations) };
  const changed =
    !live ||
    !sameJson(spec, liveSpec) ||
    !sameJson(labels, recordOf(liveMd.labels)) ||
    !sameJson(annotations, recordOf(liveMd.annotations)) ||
    !sameJson([...before].sort(), Object.keys(wanted).sort());
  // A no-op apply leaves the object as it was, managedFields' times included, as the API does.
  if (!changed && live) return { obj: live, changed: false };
  const metadata: Record<string, unknown> = {
    ...liveMd,
    name: cfgMd.name,
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    managedFields: entries(owners, String(config.apiVersion), now),
  };
  const obj: ApiObject = { kind: config.kind, apiVersion: config.apiVersion, metadata, spec };
  return { obj, changed: true };
}

/** The 409 Status body kube-apiserver sends for apply conflicts (details.causes, one per field). */
export function conflictMessage(conflicts: readonly ApplyConflict[], apiVersion: string): { message: string; causes: Array<Record<string, string>> } {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${apiVersion}`, field: c.field }));
  const lines = conflicts.map((c) => `- conflict with "${c.manager}" using ${apiVersion}: ${c.field}`);
  const message =
    conflicts.length === 1
      ? `Apply failed with 1 conflict: conflict with "${conflicts[0]?.manager}" using ${apiVersion}: ${conflicts[0]?.field}`
      : `Apply failed with ${conflicts.length} conflicts: conflicts with "${conflicts[0]?.manager}" using ${apiVersion}:\n${lines.join('\n')}`;
  return { message, causes };
}
