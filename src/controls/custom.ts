import { POD_SPEC_RESOURCES, type AdmissionCheck } from '../core/admission.js';
import { CUSTOM_SECTION, type CustomControlDefinition } from '../core/custom-control.js';
import { selectorMatches } from '../core/label-selector.js';
import { RESOURCE_KINDS, type EvidenceKind, type Verdict } from '../core/types.js';
import { ConfigError } from '../core/errors.js';
import { admit } from './cel/runtime.js';
import { POD_SPEC_VARIABLE, podSpecExpression } from './data/rule-cel.js';
import type { CatalogControl } from './define.js';
import { CONTROLS } from './index.js';

/**
 * A custom control (YAML and CEL, compiled by the configuration) as a control of the catalog:
 * judged centrally on every object its match selects, the way admission would judge it, so
 * its findings are stored, scored and exported like the built-in ones.
 */

function admissionOf(def: CustomControlDefinition): AdmissionCheck {
  return {
    resources: POD_SPEC_RESOURCES.filter((r) => (def.match.kinds as readonly string[]).includes(r.kind)),
    // The pod spec of any kind, as the data controls read it: one expression serves pods and workloads.
    variables: [{ name: POD_SPEC_VARIABLE, expression: podSpecExpression() }],
    validations: def.validations,
    ...(def.match.namespaces ? { namespaces: def.match.namespaces } : {}),
    ...(def.match.excludeNamespaces ? { excludeNamespaces: def.match.excludeNamespaces } : {}),
    ...(def.match.selector ? { objectSelector: def.match.selector } : {}),
  };
}

export function customControl(def: CustomControlDefinition): CatalogControl {
  const admission = admissionOf(def);
  const kinds = new Set<string>(def.match.kinds);
  const needs = admission.resources.map((r) => r.resource).filter((r): r is EvidenceKind => (RESOURCE_KINDS as readonly string[]).includes(r));
  return {
    id: def.id,
    title: def.title,
    section: CUSTOM_SECTION,
    severity: def.severity,
    frameworks: def.frameworks,
    refs: {},
    needs,
    rationale: def.rationale,
    remediation: def.remediation,
    admission,
    // Objects judged through their controller, as every pod-spec control judges them (ADR 0002).
    evaluate: (ctx) =>
      ctx.podSubjects.flatMap((s): Verdict[] => {
        const o = s.object;
        if (!kinds.has(o.kind)) return [];
        if (def.match.namespaces && !def.match.namespaces.includes(o.metadata.namespace ?? '')) return [];
        if (def.match.excludeNamespaces?.includes(o.metadata.namespace ?? '')) return [];
        if (def.match.selector && !selectorMatches(def.match.selector, o.metadata.labels ?? {})) return [];
        const outcome = admit(admission, o);
        if (outcome.admitted) return [{ status: 'pass', resource: s.resource }];
        if ('error' in outcome) return [{ status: 'error', resource: s.resource, message: `CEL evaluation failed: ${outcome.error}` }];
        return [{ status: 'fail', resource: s.resource, evidence: { path: 'object', observed: outcome.message, expected: `every validation of ${def.file.split(/[\\/]/).at(-1) ?? def.file} true` } }];
      }),
  };
}

/** The catalog with the configuration's custom controls after it; an id the catalog already has is refused. */
export function withCustomControls(custom: readonly CustomControlDefinition[]): readonly CatalogControl[] {
  if (custom.length === 0) return CONTROLS;
  for (const def of custom) {
    if (CONTROLS.some((c) => c.id.toLowerCase() === def.id.toLowerCase())) throw new ConfigError(`${def.file}: id: ${def.id} is a control of the catalog; choose another id (a team prefix)`);
  }
  return [...CONTROLS, ...custom.map(customControl)];
}
