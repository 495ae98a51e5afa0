/**
 * The vocabulary of controls declared as data: a rule about fields of a pod spec, read on the
 * pod (`spec.hostNetwork`) or on every container (`securityContext.privileged`), optionally in
 * each item of a list (`ports[].hostPort`), optionally inherited from the pod where the
 * container leaves them unset (`securityContext.runAsNonRoot`). From one rule both the
 * evaluator (rule-evaluate.ts) and the CEL of an admission policy (rule-cel.ts) are derived,
 * so what complyd reports and what admission enforces cannot drift apart.
 */

/** What the field must hold for the subject to pass. JSON null counts as unset, as in the API. */
export type Requirement =
  /** Anything but this value; unset passes (`privileged` must not be true). */
  | { readonly not: boolean | string | number }
  /** Exactly this value, set explicitly; unset fails (`allowPrivilegeEscalation: false`). */
  | { readonly equals: boolean | string }
  /** Unset or one of these values (`hostPort` unset or 0; `hostPath` unset: `unsetOr: []`). */
  | { readonly unsetOr: readonly (string | number)[] }
  /** Set, and one of these values (a seccomp profile type of RuntimeDefault or Localhost). */
  | { readonly oneOf: readonly string[] }
  /** A list of strings, unset or with every entry among these (capabilities.add). */
  | { readonly subsetOf: readonly string[] }
  /** A list of strings holding one of these entries, written exactly; unset fails (capabilities.drop holds ALL). */
  | { readonly containsAny: readonly string[] }
  /**
   * A list of capability names, unset or naming none of these in any spelling a runtime
   * accepts: any case, with or without `CAP_` (capabilities.add without NET_RAW or ALL).
   */
  | { readonly noneOfCapabilities: readonly string[] }
  /**
   * An object whose set keys are all among `keysAmong` (volume sources); each other key
   * offends on its own. `known` is every key the API type has: the CEL can only test named
   * fields, and the API server drops unknown ones before admission.
   */
  | { readonly keysAmong: readonly string[]; readonly known: readonly string[] };

/** One field of the subject (or of each item) and what it must hold. */
export interface FieldCheck {
  /** Path of the field under the subject (or under each item). */
  readonly field: readonly string[];
  readonly require: Requirement;
}

/** A list of the subject whose items each carry the fields, and how evidence names an offence. */
export interface RuleItems {
  /** Path of the list under the subject, dotted (`volumes`, `securityContext.sysctls`). */
  readonly list: string;
  /**
   * `name`: one offender per item, `volumes[data].hostPath`; `index`: `ports[0].hostPort`;
   * `list`: one offender, the list itself, holding the offending items' values of the field.
   */
  readonly key: 'name' | 'index' | 'list';
}

export interface FieldRule extends FieldCheck {
  /** The pod spec itself, or each container (regular, init, ephemeral, as PodSecurity walks them). */
  readonly on: 'pod' | 'container';
  readonly items?: RuleItems;
  /** Further fields of the same subject, judged together: one verdict names every offending field. */
  readonly also?: readonly FieldCheck[];
  /**
   * Containers only: a path (a prefix of every field) that a container leaving it unset takes
   * from the pod spec, as a whole (`securityContext.seLinuxOptions`) or as one leaf
   * (`securityContext.windowsOptions.hostProcess`). A forbidden pod value that no container
   * inherits still fails, on the pod, as PodSecurity rejects it.
   */
  readonly inheritFromPod?: readonly string[];
  /**
   * With `inheritFromPod: securityContext.seccompProfile`: where the fields are unset, the
   * deprecated seccomp annotations stand for them on clusters that honoured them (before
   * 1.27) and in manifests. Evaluator only: admission policies need 1.30, which ignores them.
   */
  readonly legacySeccompAnnotations?: boolean;
  /** The expected value as evidence states it. */
  readonly expected: string;
  /** Windows pods are not applicable, for this reason (after `<spec>.os.name is windows: `). */
  readonly windowsExempt?: string;
  /** `spec.hostUsers: false` (the pod's own user namespace) allows any value; the pass names that field. */
  readonly userNamespaceAllows?: boolean;
}

/** Every check of a rule, the first one first. */
export function checksOf(rule: FieldRule): readonly FieldCheck[] {
  return [{ field: rule.field, require: rule.require }, ...(rule.also ?? [])];
}

export function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Whether a field's value meets the requirement; `undefined` is an unset (or null) field. */
export function meets(requirement: Requirement, value: unknown): boolean {
  const unset = isUnset(value);
  if ('not' in requirement) return value !== requirement.not;
  if ('equals' in requirement) return value === requirement.equals;
  if ('unsetOr' in requirement) return unset || requirement.unsetOr.includes(value as string | number);
  if ('oneOf' in requirement) return !unset && requirement.oneOf.includes(value as string);
  if ('containsAny' in requirement) return Array.isArray(value) && value.some((v) => requirement.containsAny.includes(v as string));
  if ('noneOfCapabilities' in requirement) {
    return unset || (Array.isArray(value) && !value.some((v) => typeof v === 'string' && requirement.noneOfCapabilities.includes(capabilityName(v))));
  }
  if ('keysAmong' in requirement) return offendingKeys(requirement.keysAmong, value).length === 0;
  if (unset) return true;
  const allowed = new Set(requirement.subsetOf);
  return Array.isArray(value) && value.every((v) => allowed.has(v as string));
}

/** The set keys of an object outside `allowed`, with their values. */
export function offendingKeys(allowed: readonly string[], value: unknown): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).filter(([k, v]) => !isUnset(v) && !allowed.includes(k));
}

/** A capability as runtimes read it: `cap_net_raw` is NET_RAW. */
export function capabilityName(spelling: string): string {
  return spelling.toUpperCase().replace(/^CAP_/, '');
}
