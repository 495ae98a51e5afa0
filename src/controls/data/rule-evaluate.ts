import type { ResourceRef, Verdict } from '../../core/types.js';
import type { EvalContext } from '../../evaluate/context.js';
import { containersOf, dig, inUserNamespace, isWindowsPod, type PodSubject } from '../../evaluate/pod-specs.js';
import { failFields, userNamespacePass, type Offender } from '../pss/common.js';
import { notApplicable, pass } from '../verdicts.js';
import { meets, type FieldRule } from './rule.js';

/** The in-process evaluator of a field rule: one verdict per pod subject or per container. */

/** The fields of one subject (pod spec or container) that break the rule. */
function offenders(rule: FieldRule, subject: unknown, path: string): Offender[] {
  const field = rule.field.join('.');
  if (!rule.items) {
    const value = dig(subject, rule.field);
    return meets(rule.require, value) ? [] : [{ path: `${path}.${field}`, value }];
  }
  const items = dig(subject, [rule.items.list]);
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown, i) => {
    const value = dig(item, rule.field);
    if (meets(rule.require, value)) return [];
    const key = rule.items?.key === 'name' ? String((item as { name?: unknown }).name) : String(i);
    return [{ path: `${path}.${rule.items?.list}[${key}].${field}`, value }];
  });
}

function judge(rule: FieldRule, s: PodSubject, resource: ResourceRef, subject: unknown, path: string): Verdict {
  if (rule.windowsExempt && isWindowsPod(s)) return notApplicable(resource, `${s.specPath}.os.name is windows: ${rule.windowsExempt}`);
  const found = offenders(rule, subject, path);
  if (found.length === 0) return pass(resource);
  if (rule.userNamespaceAllows && inUserNamespace(s)) return userNamespacePass(resource, s, rule.expected);
  return failFields(resource, found, rule.expected);
}

export function evaluateRule(rule: FieldRule, ctx: EvalContext): Verdict[] {
  return ctx.podSubjects.flatMap((s) =>
    rule.on === 'pod'
      ? [judge(rule, s, s.resource, s.spec, s.specPath)]
      : containersOf(s).map((c) => judge(rule, s, c.resource, c.container, c.path)),
  );
}
