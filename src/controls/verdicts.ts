import type { Evidence, ResourceRef, Verdict } from '../core/types.js';

/** Small constructors so a control's evaluate reads like its rule. */
export function pass(resource: ResourceRef, evidence?: Evidence): Verdict {
  return evidence ? { status: 'pass', resource, evidence } : { status: 'pass', resource };
}

export function fail(resource: ResourceRef, path: string, observed: unknown, expected: string): Verdict {
  return { status: 'fail', resource, evidence: { path, observed: show(observed), expected } };
}

export function unknown(resource: ResourceRef, message: string): Verdict {
  return { status: 'unknown', resource, message };
}

export function notApplicable(resource: ResourceRef, message: string): Verdict {
  return { status: 'not-applicable', resource, message };
}

/** Observed values as an auditor reads them: `true`, `["NET_RAW"]`, `<unset>`. */
export function show(value: unknown): string {
  if (value === undefined) return '<unset>';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
