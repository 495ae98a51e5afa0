import { Environment } from '@marcbachmann/cel-js';
import type { AdmissionCheck } from '../../core/admission.js';

/**
 * Running admission CEL in process, as the API server runs it: `object` is the object
 * (integers as CEL int, no JSON nulls: the API server drops them from typed objects before
 * admission), `variables` are evaluated first, and a validation that is not exactly true
 * rejects. Used by custom controls and by the equivalence test of the data controls.
 */

/** The variables admission CEL may read (`object`, `variables`); anything else is an error when compiled. */
export function admissionEnvironment(): Environment {
  return new Environment({ homogeneousAggregateLiterals: false }).registerVariable('object', 'map').registerVariable('variables', 'map');
}

const ENV = admissionEnvironment();

/** JSON as CEL values: integral numbers are ints (bigint), nulls are absent fields. */
export function celValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  // Fresh arrays and objects: values parsed in another realm (a worker, a VM context) are not
  // the Array the library recognises, and null entries are dropped as the API server drops them.
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value as unknown[]) if (v !== null && v !== undefined) out.push(celValue(v));
    return out;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = celValue(v);
    return out;
  }
  return value;
}

export type AdmissionOutcome = { admitted: true } | { admitted: false; message: string } | { admitted: false; error: string };

type Program = ReturnType<Environment['parse']>;
const compiled = new Map<string, Program>();
function program(expression: string): Program {
  let p = compiled.get(expression);
  if (!p) {
    p = ENV.parse(expression);
    compiled.set(expression, p);
  }
  return p;
}

/** Whether the check admits the object, or which validation rejects it (an evaluation error rejects, as failurePolicy Fail does). */
export function admit(check: AdmissionCheck, object: unknown): AdmissionOutcome {
  const input: { object: unknown; variables: Record<string, unknown> } = { object: celValue(object), variables: {} };
  try {
    for (const v of check.variables) input.variables[v.name] = program(v.expression)(input);
    for (const c of check.matchConditions ?? []) if (program(c.expression)(input) !== true) return { admitted: true };
    for (const validation of check.validations) {
      if (program(validation.expression)(input) === true) continue;
      const message = validation.messageExpression ? String(program(validation.messageExpression)(input)) : (validation.message ?? validation.expression);
      return { admitted: false, message };
    }
    return { admitted: true };
  } catch (err) {
    return { admitted: false, error: (err as Error).message.split('\n')[0] ?? String(err) };
  }
}
