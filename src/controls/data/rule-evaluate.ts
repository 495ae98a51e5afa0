import type { ResourceRef, Verdict } from '../../core/types.js';
import type { EvalContext } from '../../evaluate/context.js';
import { containersOf, dig, effectiveSeccomp, inUserNamespace, isWindowsPod, type ContainerSubject, type PodSubject } from '../../evaluate/pod-specs.js';
import { failFields, podLevelFail, userNamespacePass, type Offender } from '../pss/common.js';
import { notApplicable, pass } from '../verdicts.js';
import { checksOf, isUnset, meets, offendingKeys, type FieldCheck, type FieldRule } from './rule.js';

/** The in-process evaluator of a field rule: one verdict per pod subject or per container. */

/** What breaks one check at `path` (the field itself, or each forbidden key of it). */
function breaches({ field, require }: FieldCheck, holder: unknown, at: string): Offender[] {
  const value = dig(holder, field);
  const path = field.length > 0 ? `${at}.${field.join('.')}` : at;
  if ('keysAmong' in require) return offendingKeys(require.keysAmong, value).map(([k, v]) => ({ path: `${path}.${k}`, value: v }));
  return meets(require, value) ? [] : [{ path, value }];
}

/** The fields of one subject (pod spec or container) that break the rule, in the order of its checks. */
function offenders(rule: FieldRule, subject: unknown, path: string): Offender[] {
  const checks = checksOf(rule);
  if (!rule.items) return checks.flatMap((check) => breaches(check, subject, path));
  const { list, key } = rule.items;
  const items = dig(subject, list.split('.'));
  if (!Array.isArray(items)) return [];
  const found = items.flatMap((item: unknown, i) => {
    const name = key === 'name' ? String((item as { name?: unknown } | null)?.name) : String(i);
    return checks.flatMap((check) => breaches(check, item, `${path}.${list}[${name}]`));
  });
  // `list`: the list is the one offender, holding what its offending items hold.
  if (key === 'list') return found.length > 0 ? [{ path: `${path}.${list}`, value: found.map((o) => o.value) }] : [];
  return found;
}

function verdictOf(rule: FieldRule, s: PodSubject, resource: ResourceRef, found: readonly Offender[]): Verdict {
  if (found.length === 0) return pass(resource);
  if (rule.userNamespaceAllows && inUserNamespace(s)) return userNamespacePass(resource, s, rule.expected);
  // Several fields are shown together: an unset one is named too, not left out of the JSON.
  const shown = found.length > 1 ? found.map((o) => (isUnset(o.value) ? { ...o, value: '<unset>' } : o)) : found;
  return failFields(resource, shown, rule.expected);
}

/** A container's offenders, reading inherited fields from the pod where the container leaves them unset. */
function containerOffenders(rule: FieldRule, s: PodSubject, c: ContainerSubject, legacy: boolean): Offender[] {
  const unit = rule.inheritFromPod;
  if (!unit) return offenders(rule, c.container, c.path);
  if (legacy && rule.legacySeccompAnnotations) {
    // An annotation decides only where the fields it stands for are unset (effectiveSeccomp's order).
    const eff = effectiveSeccomp(s, c, true);
    if (eff.path.startsWith(`${s.metadataPath}.annotations[`)) return meets(rule.require, eff.type) ? [] : [{ path: eff.path, value: eff.type }];
  }
  const fromPod = isUnset(dig(c.container, unit)) && !isUnset(dig(s.spec, unit));
  return fromPod ? offenders(rule, s.spec, s.specPath) : offenders(rule, c.container, c.path);
}

/** `a.b` is `prefix` or lies under it. */
function under(path: string | undefined, prefix: string): boolean {
  return path !== undefined && (path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
}

function judgeContainers(rule: FieldRule, s: PodSubject, legacy: boolean): Verdict[] {
  const verdicts = containersOf(s).map((c) => verdictOf(rule, s, c.resource, containerOffenders(rule, s, c, legacy)));
  const unit = rule.inheritFromPod;
  if (!unit || isUnset(dig(s.spec, unit)) || (rule.userNamespaceAllows && inUserNamespace(s))) return verdicts;
  // PodSecurity rejects a forbidden pod value even when every container overrides it; a
  // container that inherits it already names the pod's field.
  const podPath = `${s.specPath}.${unit.join('.')}`;
  if (verdicts.some((v) => under(v.evidence?.path, podPath))) return verdicts;
  return [...verdicts, ...podLevelFail(s, offenders(rule, s.spec, s.specPath), rule.expected)];
}

export function evaluateRule(rule: FieldRule, ctx: EvalContext): Verdict[] {
  return ctx.podSubjects.flatMap((s) => {
    const resources = rule.on === 'pod' ? [s.resource] : containersOf(s).map((c) => c.resource);
    if (rule.windowsExempt && isWindowsPod(s)) {
      return resources.map((r) => notApplicable(r, `${s.specPath}.os.name is windows: ${rule.windowsExempt}`));
    }
    if (rule.on === 'pod') return [verdictOf(rule, s, s.resource, offenders(rule, s.spec, s.specPath))];
    return judgeContainers(rule, s, ctx.legacySeccompAnnotations);
  });
}
