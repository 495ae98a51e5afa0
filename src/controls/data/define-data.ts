import type { CatalogControl } from '../define.js';
import { ruleAdmission } from './rule-cel.js';
import { evaluateRule } from './rule-evaluate.js';
import type { FieldRule } from './rule.js';

/** A control declared as data: its metadata and one field rule, from which evaluate and the admission CEL are derived. */
export type DataControl = Omit<CatalogControl, 'evaluate' | 'admission'> & { readonly rule: FieldRule };

export function defineDataControl(control: DataControl): CatalogControl & { readonly rule: FieldRule } {
  const { rule } = control;
  return { ...control, evaluate: (ctx) => evaluateRule(rule, ctx), admission: ruleAdmission(control.id, control.title, rule) };
}
