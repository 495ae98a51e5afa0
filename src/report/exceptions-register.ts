/**
 * The exceptions register of a report: every exception declared in the files, and every one
 * the run's stored dispositions name, with what it matched at the run. Pure.
 */
import type { Exception, LabelSelector } from '../core/exception.js';
import type { Finding } from '../core/types.js';

/** An exception as the report shows it, at the run's start. */
export interface ReportException {
  id: string;
  controls: string[];
  /** Where it applies, in words: `clusters prod-*; namespaces payments` or `everywhere`. */
  scope: string;
  owner: string;
  reason: string;
  ticket?: string;
  created?: string;
  expires?: string;
  /** active: in force; expiring: in force, lapsing within the warning window; expired: lapsed; pending: created after the run; undeclared: named by the run's findings but in no file read now. */
  state: 'active' | 'expiring' | 'expired' | 'pending' | 'undeclared';
  expired: boolean;
  /** Failing findings of the run it excepts. */
  matched: number;
  /** Failing findings of the run it matched after it lapsed. */
  lapsed: number;
}

/** Exceptions lapsing within this long of the run are flagged in the summary. */
export const EXPIRING_SOON_MS = 30 * 86_400_000;

function selectorText(s: LabelSelector): string {
  const terms = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    terms.push(e.operator === 'Exists' ? e.key : e.operator === 'DoesNotExist' ? `!${e.key}` : `${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
  }
  return terms.join(',');
}

export function scopeText(e: Pick<Exception, 'scope'>): string {
  const s = e.scope;
  const parts = [
    s.clusters && `clusters ${s.clusters.join(', ')}`,
    s.clusterSelector && `clusters labelled ${selectorText(s.clusterSelector)}`,
    s.namespaces && `namespaces ${s.namespaces.join(', ')}`,
    s.kinds && `kinds ${s.kinds.join(', ')}`,
    s.names && `names ${s.names.join(', ')}`,
    s.objectSelector && `objects labelled ${selectorText(s.objectSelector)}`,
  ].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join('; ') : 'everywhere';
}

export function exceptionState(e: Pick<Exception, 'created' | 'expires'>, atMs: number, soonMs = EXPIRING_SOON_MS): ReportException['state'] {
  const expires = Date.parse(e.expires);
  if (Date.parse(e.created) > atMs) return 'pending';
  if (atMs >= expires) return 'expired';
  return expires - atMs <= soonMs ? 'expiring' : 'active';
}

/** Declared exceptions first (file order), then ids only the stored findings name. */
export function exceptionsRegister(declared: readonly Exception[], findings: Iterable<Pick<Finding, 'status' | 'disposition'>>, at: Date, soonMs = EXPIRING_SOON_MS): ReportException[] {
  const matched = new Map<string, number>();
  const lapsed = new Map<string, number>();
  for (const f of findings) {
    if (f.status !== 'fail' || !f.disposition) continue;
    const into = f.disposition.kind === 'excepted' ? matched : lapsed;
    into.set(f.disposition.exceptionId, (into.get(f.disposition.exceptionId) ?? 0) + 1);
  }
  const atMs = at.getTime();
  const rows: ReportException[] = declared.map((e) => {
    const state = exceptionState(e, atMs, soonMs);
    return {
      id: e.id,
      controls: [...e.controls],
      scope: scopeText(e),
      owner: e.owner,
      reason: e.reason,
      ...(e.ticket !== undefined && { ticket: e.ticket }),
      created: e.created,
      expires: e.expires,
      state,
      expired: state === 'expired',
      matched: matched.get(e.id) ?? 0,
      lapsed: lapsed.get(e.id) ?? 0,
    };
  });
  const known = new Set(declared.map((e) => e.id));
  for (const id of [...new Set([...matched.keys(), ...lapsed.keys()])].sort()) {
    if (known.has(id)) continue;
    rows.push({ id, controls: [], scope: 'unknown (not in the exceptions files read for this report)', owner: 'unknown', reason: 'unknown', state: 'undeclared', expired: (lapsed.get(id) ?? 0) > 0 && !matched.has(id), matched: matched.get(id) ?? 0, lapsed: lapsed.get(id) ?? 0 });
  }
  return rows;
}
