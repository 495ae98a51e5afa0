/**
 * The vocabulary of controls declared as data: a rule about one field of a pod spec, read on
 * the pod (`spec.hostNetwork`) or on every container (`securityContext.privileged`),
 * optionally in each item of a list (`ports[].hostPort`). From one rule both the evaluator
 * (rule-evaluate.ts) and the CEL of an admission policy (rule-cel.ts) are derived, so what
 * complyd reports and what admission enforces cannot drift apart.
 */

/** What the field must hold for the subject to pass. JSON null counts as unset, as in the API. */
export type Requirement =
  /** Anything but this value; unset passes (`privileged` must not be true). */
  | { readonly not: boolean | string }
  /** Exactly this value, set explicitly; unset fails (`allowPrivilegeEscalation: false`). */
  | { readonly equals: boolean | string }
  /** Unset or one of these values (`hostPort` unset or 0; `hostPath` unset: `oneOf: []`). */
  | { readonly unsetOr: readonly (string | number)[] }
  /** A list of strings, unset or with every entry among these (capabilities.add). */
  | { readonly subsetOf: readonly string[] };

/** A list of the subject whose items each carry the field, and how evidence names an item. */
export interface RuleItems {
  readonly list: string;
  /** `name`: `volumes[data]`; `index`: `ports[0]`. */
  readonly key: 'name' | 'index';
}

export interface FieldRule {
  /** The pod spec itself, or each container (regular, init, ephemeral, as PodSecurity walks them). */
  readonly on: 'pod' | 'container';
  readonly items?: RuleItems;
  /** Path of the field under the subject (or under each item). */
  readonly field: readonly string[];
  readonly require: Requirement;
  /** The expected value as evidence states it. */
  readonly expected: string;
  /** Windows pods are not applicable, for this reason (after `<spec>.os.name is windows: `). */
  readonly windowsExempt?: string;
  /** `spec.hostUsers: false` (the pod's own user namespace) allows any value; the pass names that field. */
  readonly userNamespaceAllows?: boolean;
}

/** Whether a field's value meets the requirement; `undefined` is an unset (or null) field. */
export function meets(requirement: Requirement, value: unknown): boolean {
  const unset = value === undefined || value === null;
  if ('not' in requirement) return value !== requirement.not;
  if ('equals' in requirement) return value === requirement.equals;
  if ('unsetOr' in requirement) return unset || requirement.unsetOr.includes(value as string | number);
  if (unset) return true;
  const allowed = new Set(requirement.subsetOf);
  return Array.isArray(value) && value.every((v) => allowed.has(v as string));
}
