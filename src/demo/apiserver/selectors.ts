/** `fieldSelector` and `labelSelector`: parsing (with the API's error messages) and matching. */
import type { ApiObject } from './types.js';
import type { ResourceType } from './resources.js';
import { isRecord } from './object-store.js';

/** Field labels the real API accepts in fieldSelector, beyond metadata.name/namespace. */
const FIELD_LABELS: Readonly<Record<string, readonly string[]>> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  secrets: ['type'],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  replicasets: ['status.replicas'],
  jobs: ['status.successful'],
};

export type FieldReq = { field: string; op: '=' | '!='; value: string };

export function parseFieldSelector(sel: string, type: ResourceType): FieldReq[] {
  const reqs: FieldReq[] = [];
  for (const part of sel.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(p);
    if (!m) throw new Error(`invalid selector: '${sel}'; can't understand '${p}'`);
    const field = (m[1] ?? '').trim();
    const allowed = ['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[type.resource] ?? [])];
    if (!allowed.includes(field)) throw new Error(`field label not supported: ${field}`);
    reqs.push({ field, op: m[2] === '!=' ? '!=' : '=', value: (m[3] ?? '').trim() });
  }
  return reqs;
}

export function fieldValue(obj: ApiObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (!isRecord(cur)) return '';
    cur = cur[seg];
  }
  if (cur === undefined || cur === null) return path === 'spec.unschedulable' || path === 'spec.hostNetwork' ? 'false' : '';
  return String(cur);
}

export type LabelReq =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

function splitTopLevel(sel: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of sel) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function parseLabelSelector(sel: string): LabelReq[] {
  return splitTopLevel(sel).map((p): LabelReq => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { key: m[1] ?? '', op: m[2] === 'in' ? 'in' : 'notin', values };
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(p);
    if (m) return { key: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', value: m[3] ?? '' };
    m = /^(!?)([\w./-]+)$/.exec(p);
    if (m) return { key: m[2] ?? '', op: m[1] ? '!exists' : 'exists' };
    throw new Error(`unable to parse requirement: found '${p}', expected: valid label selector requirement`);
  });
}

export function labelsMatch(labels: Record<string, string>, reqs: readonly LabelReq[]): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && v === r.value;
      case '!=':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v ?? '');
      case 'notin':
        return !has || !r.values.includes(v ?? '');
    }
    return false;
  });
}
