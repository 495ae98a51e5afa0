import type { Severity } from '../core/types.js';

/**
 * How much one check of a severity counts. Doubling per step: one critical check weighs as
 * much as eight low ones. Written in the README and the PDF's methodology page.
 */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 8,
  high: 4,
  medium: 2,
  low: 1,
  info: 0,
};
