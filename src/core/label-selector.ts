/**
 * Kubernetes-style label selectors over a set of labels: the one matcher of the project
 * (exception scopes, profiles). Pure.
 *
 * As in Kubernetes, every term must hold and an empty selector matches everything; `NotIn`
 * holds for a label that is absent, `In` does not.
 */

export type Labels = Readonly<Record<string, string>>;

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[];
}

/** Every term must hold. */
export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** Whether `labels` satisfy `selector`; no labels known (undefined) satisfy nothing. */
export function selectorMatches(selector: LabelSelector, labels: Labels | undefined): boolean {
  if (!labels) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    const listed = has && (e.values ?? []).includes(value as string);
    const ok = e.operator === 'Exists' ? has : e.operator === 'DoesNotExist' ? !has : e.operator === 'In' ? listed : !listed;
    if (!ok) return false;
  }
  return true;
}

/** The selector as Kubernetes prints it (`env=prod,tier in (a,b),!legacy`), for messages and reports; empty: `(all)`. */
export function formatSelector(selector: LabelSelector): string {
  const terms = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map((e) =>
      e.operator === 'Exists' ? e.key : e.operator === 'DoesNotExist' ? `!${e.key}` : `${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`,
    ),
  ];
  return terms.length > 0 ? terms.join(',') : '(all)';
}
