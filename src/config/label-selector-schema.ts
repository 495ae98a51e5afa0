import { z } from 'zod';
import { SELECTOR_OPERATORS } from '../core/label-selector.js';

/**
 * A Kubernetes-style label selector as the configuration and the exceptions files declare one
 * (core/label-selector.ts matches it): `In`/`NotIn` need values, `Exists`/`DoesNotExist` take none.
 */
export const labelSelectorSchema = z
  .object({
    matchLabels: z.record(z.string().min(1), z.string()).optional(),
    matchExpressions: z
      .array(
        z
          .object({
            key: z.string().min(1),
            operator: z.enum(SELECTOR_OPERATORS),
            values: z.array(z.string()).optional(),
          })
          .strict()
          .superRefine((e, ctx) => {
            const needsValues = e.operator === 'In' || e.operator === 'NotIn';
            if (needsValues && (e.values ?? []).length === 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `${e.operator} needs at least one value` });
            if (!needsValues && e.values !== undefined) ctx.addIssue({ code: 'custom', path: ['values'], message: `${e.operator} takes no values` });
          }),
      )
      .optional(),
  })
  .strict();
