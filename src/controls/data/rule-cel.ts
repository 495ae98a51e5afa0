import { POD_SPEC_RESOURCES, type AdmissionCheck } from '../../core/admission.js';
import { POD_TEMPLATE_PATHS } from '../../core/pod-spec.js';
import { checksOf, type FieldRule, type Requirement } from './rule.js';

/**
 * The CEL of a field rule, for a ValidatingAdmissionPolicy. The policy's object is the
 * workload itself, so the pod spec is found per kind (`variables.podSpec`); the validation
 * is true when the object would pass, as every verdict of the evaluator is then pass or
 * not-applicable. Only `has()`, `in`, `?:`, `upperAscii()` (Kubernetes' string library) and the `all` and `exists`
 * macros are used: the CEL every
 * Kubernetes version with admission policies (1.30+) evaluates, no optional types.
 */

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** A CEL literal of a string, number or boolean. */
function literal(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** `has(x.a) && has(x.a.b)`, the guards of a field path under `root`, and the field's expression. */
function walk(root: string, field: readonly string[]): { guards: string[]; value: string } {
  const guards: string[] = [];
  let value = root;
  for (const key of field) {
    value = `${value}.${key}`;
    guards.push(`has(${value})`);
  }
  return { guards, value };
}

/** The requirement on `root.field` as a boolean CEL expression. */
export function requirementCel(root: string, field: readonly string[], requirement: Requirement): string {
  const { guards, value } = walk(root, field);
  const unset = guards.map((g) => `!${g}`);
  if ('equals' in requirement) return `(${[...guards, `${value} == ${literal(requirement.equals)}`].join(' && ')})`;
  if ('not' in requirement) return `(${[...unset, `${value} != ${literal(requirement.not)}`].join(' || ')})`;
  if ('oneOf' in requirement) return `(${[...guards, `${value} in [${requirement.oneOf.map(literal).join(', ')}]`].join(' && ')})`;
  if ('keysAmong' in requirement) {
    const forbidden = requirement.known.filter((k) => !requirement.keysAmong.includes(k)).map((k) => `!has(${value}.${k})`);
    return `(${[...unset, `(${forbidden.join(' && ') || 'true'})`].join(' || ')})`;
  }
  if ('containsAny' in requirement) return `(${[...guards, `${value}.exists(v, v in [${requirement.containsAny.map(literal).join(', ')}])`].join(' && ')})`;
  if ('noneOfCapabilities' in requirement) {
    const spellings = requirement.noneOfCapabilities.flatMap((c) => [c, `CAP_${c}`]).map(literal);
    return `(${[...unset, `${value}.all(v, !(v.upperAscii() in [${spellings.join(', ')}]))`].join(' || ')})`;
  }
  if ('unsetOr' in requirement) {
    const among = requirement.unsetOr.length > 0 ? [`${value} in [${requirement.unsetOr.map(literal).join(', ')}]`] : [];
    return `(${[...unset, ...among].join(' || ')})`;
  }
  return `(${[...unset, `${value}.all(v, v in [${requirement.subsetOf.map(literal).join(', ')}])`].join(' || ')})`;
}

/** Every check of the rule on `root` (no list): all must hold. */
function checksCel(rule: FieldRule, root: string): string {
  const parts = checksOf(rule).map((c) => requirementCel(root, c.field, c.require));
  return parts.length === 1 ? (parts[0] ?? 'true') : `(${parts.join(' && ')})`;
}

/** Whether the path is set (every step present) under `root`. */
function setCel(root: string, path: readonly string[]): string {
  return `(${walk(root, path).guards.join(' && ')})`;
}

/** The rule on one subject (a pod spec or a container) named by the CEL variable `subject`. */
function onSubject(rule: FieldRule, subject: string, depth: number): string {
  if (!rule.items) return checksCel(rule, subject);
  const item = `i${depth}`;
  const path = rule.items.list.split('.');
  const list = `${subject}.${rule.items.list}`;
  return `(!${setCel(subject, path)} || ${list}.all(${item}, ${checksCel(rule, item)}))`;
}

/**
 * A container's checks where it inherits `unit` from the pod: its own fields when it sets the
 * unit (or the pod does not), else the pod's; and the pod's own value must pass as well.
 */
function inheritedCel(rule: FieldRule, spec: string, unit: readonly string[]): string {
  const perContainer = `(${setCel('c', unit)} || !${setCel(spec, unit)} ? ${checksCel(rule, 'c')} : ${checksCel(rule, spec)})`;
  const containers = CONTAINER_LISTS.map((list) => `(!has(${spec}.${list}) || ${spec}.${list}.all(c, ${perContainer}))`);
  return [`(!${setCel(spec, unit)} || ${checksCel(rule, spec)})`, ...containers].join(' && ');
}

export const POD_SPEC_VARIABLE = 'podSpec';

/** `variables.podSpec`: the pod spec of a Pod, or the pod template's spec of each workload kind. */
export function podSpecExpression(): string {
  const kindOf = new Map(POD_SPEC_RESOURCES.map((r) => [r.resource, r.kind]));
  const branches = POD_TEMPLATE_PATHS.filter(([, path]) => path.join('.') !== 'spec.template').map(
    ([resource, path]) => `object.kind == ${literal(kindOf.get(resource) ?? resource)} ? dyn(object.${[...path, 'spec'].join('.')}) : `,
  );
  // Pods hold their spec at the top; every other kind but CronJob at spec.template.spec.
  return `object.kind == ${literal('Pod')} ? dyn(object.spec) : ${branches.join('')}dyn(object.spec.template.spec)`;
}

/** The validation expression of a rule over `variables.podSpec`. */
export function ruleExpression(rule: FieldRule): string {
  const spec = `variables.${POD_SPEC_VARIABLE}`;
  if (rule.inheritFromPod && (rule.on !== 'container' || rule.items)) throw new Error('inheritFromPod is for container fields outside lists');
  const body = rule.inheritFromPod
    ? inheritedCel(rule, spec, rule.inheritFromPod)
    : rule.on === 'pod'
      ? onSubject(rule, spec, 0)
      : CONTAINER_LISTS.map((list) => `(!has(${spec}.${list}) || ${spec}.${list}.all(c, ${onSubject(rule, 'c', 1)}))`).join(' && ');
  const allowances = [
    ...(rule.windowsExempt ? [`(has(${spec}.os) && has(${spec}.os.name) && ${spec}.os.name == 'windows')`] : []),
    ...(rule.userNamespaceAllows ? [`(has(${spec}.hostUsers) && ${spec}.hostUsers == false)`] : []),
  ];
  return [...allowances, body].join(' || ');
}

/** Where the rule's fields are, as a message names them: `spec.containers[*].securityContext.privileged`. */
function fieldInWords(rule: FieldRule): string {
  const subject = rule.on === 'pod' ? 'spec' : 'spec.containers[*]';
  const items = rule.items ? `.${rule.items.list}[*]` : '';
  const fields = checksOf(rule).map((c) => [`${subject}${items}`, ...c.field].join('.'));
  const inherited = rule.inheritFromPod ? ` (or spec.${rule.inheritFromPod.join('.')})` : '';
  return `${fields.join(', ')}${inherited}`;
}

export function ruleAdmission(id: string, title: string, rule: FieldRule): AdmissionCheck {
  return {
    resources: POD_SPEC_RESOURCES,
    variables: [{ name: POD_SPEC_VARIABLE, expression: podSpecExpression() }],
    validations: [{ expression: ruleExpression(rule), message: `${id}: ${title} (${fieldInWords(rule)}: ${rule.expected})` }],
  };
}
