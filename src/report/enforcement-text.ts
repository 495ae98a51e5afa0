/** How reports word enforcement posture (ADR 0020): one place, so Markdown and PDF say the same. */
import { enforcementCoverage, type ClusterPosture, type ControlPosture, type EngineNote, type EnforcementState } from '../core/admission.js';

export const STATE_LABEL: Readonly<Record<EnforcementState, string>> = {
  enforced: 'enforced (deny)',
  warned: 'warned',
  audited: 'audited',
  'not-enforced': 'not enforced',
  unknown: 'unknown',
};

export function percent(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : `${v.toFixed(1)}%`;
}

/** `Kyverno: installed (3 ClusterPolicies)`; not judged, only named. */
export function engineText(e: EngineNote): string {
  const name = e.engine === 'kyverno' ? 'Kyverno' : 'Gatekeeper';
  const unit = e.engine === 'kyverno' ? 'ClusterPolicies' : 'ConstraintTemplates';
  const p = e.presence;
  if (p.state === 'installed') return `${name}: installed (${p.policies} ${unit})`;
  if (p.state === 'not-installed') return `${name}: not installed`;
  return `${name}: unknown (${p.reason})`;
}

/** The engines found, or what could not be told. */
export function enginesLine(p: ClusterPosture): string {
  return p.engines.map(engineText).join('; ');
}

/** `4 of 6` namespaces deny it; `-` when the cluster has none of its own. */
export function namespaceCoverage(c: ControlPosture): string {
  return c.namespaces.total === 0 ? '-' : `${c.namespaces.denied} of ${c.namespaces.total}`;
}

export function byText(c: ControlPosture): string {
  return c.by.length === 0 ? '-' : c.by.map((b) => (b === 'policy' ? 'complyd policy' : 'Pod Security')).join(' + ');
}

/** One line a cluster's summary shows: counts per state, coverage, drift. */
export function postureSummary(p: ClusterPosture): string {
  const c = p.counts;
  const parts = [`${c.enforced} enforced`, `${c.warned} warned`, `${c.audited} audited`, `${c['not-enforced']} not enforced`, ...(c.unknown > 0 ? [`${c.unknown} unknown`] : [])];
  const drift = p.expected === 0 ? 'nothing expected by its profile' : p.drift === 0 ? `as its profile expects (${p.expected} controls)` : `DRIFT: ${p.drift} of ${p.expected} expected controls weaker than the profile says`;
  return `${parts.join(', ')}; coverage ${percent(enforcementCoverage(p))}; ${drift}`;
}

/** Controls worth a row: drift first, then what is enforced or warned, then the rest. */
export function orderedControls(p: ClusterPosture): ControlPosture[] {
  const rank = (c: ControlPosture) => (c.drift ? 0 : c.state === 'unknown' ? 1 : c.state === 'not-enforced' ? 3 : 2);
  return [...p.controls].sort((a, b) => rank(a) - rank(b) || (a.controlId < b.controlId ? -1 : a.controlId > b.controlId ? 1 : 0));
}
