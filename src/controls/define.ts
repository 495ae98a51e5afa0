import type { Control } from '../core/control.js';
import type { EvalContext } from '../evaluate/context.js';

/** A control of the catalog: its evaluate reads the evaluation context. */
export type CatalogControl = Control<EvalContext>;

/** Identity function that gives control files a typed, uniform shape. */
export function defineControl(control: CatalogControl): CatalogControl {
  return control;
}
