/**
 * The exceptions file: one zod schema gives the types, the checks and the messages. Clock-free:
 * whether an exception has expired is decided when it is applied (evaluate/exceptions.ts).
 */
import { z } from 'zod';
import { labelSelectorSchema } from './label-selector-schema.js';

/** Control ids (`PSS-privileged`, `CIS-5.2.2`) or patterns where `*` stands for any run of characters (`CIS-5.2.*`). */
const controlPattern = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9.*_-]+$/, 'a control id or pattern uses letters, digits, ".", "-", "_" and "*" (e.g. CIS-5.2.2, CIS-5.2.*, PSS-privileged)');

const name = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, 'use lower-case letters, digits, ".", "_" and "-" (like a DNS label)');

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `2027-03-01` (00:00 UTC that day) or an ISO 8601 instant with its zone, as an ISO string in UTC. */
export function parseInstant(text: string): string | undefined {
  if (DATE.test(text)) {
    const d = new Date(`${text}T00:00:00.000Z`);
    // Date rolls 2027-02-30 over to March: a date that does not round-trip does not exist.
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text ? d.toISOString() : undefined;
  }
  if (!INSTANT.test(text)) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return undefined;
  const [y, m, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  // Reject impossible calendar days the parser would roll over (checked in the written offset's own calendar).
  const probe = new Date(Date.UTC(y, m - 1, day));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === day ? d.toISOString() : undefined;
}

const instant = (what: string) =>
  z.unknown().transform((v, ctx) => {
    if (v === undefined || v === null) {
      ctx.addIssue({ code: 'custom', message: `required: ${what} (a date such as 2027-03-01, or an ISO 8601 time with its zone)` });
      return z.NEVER;
    }
    const parsed = typeof v === 'string' ? parseInstant(v) : undefined;
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a date: ${JSON.stringify(v)} (write e.g. 2027-03-01 or 2027-03-01T12:00:00Z)` });
      return z.NEVER;
    }
    return parsed;
  });

/** A non-blank text whose absence and blankness both say what it is for. */
const required = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `required: ${what}` : undefined) })
    .trim()
    .min(1, `required: ${what}`);

const labelSelector = labelSelectorSchema
  .refine((s) => s.matchLabels !== undefined || s.matchExpressions !== undefined, { message: 'an empty selector: give matchLabels or matchExpressions (omit the selector to mean all)' });

const nonEmptyList = z.array(z.string().min(1)).min(1, 'an empty list matches nothing: omit the key to mean all');

export const exceptionSchema = z
  .object({
    /** Unique across every exceptions file; reports and the store name it. */
    id: name,
    controls: z.array(controlPattern).min(1, 'at least one control id or pattern is required'),
    /** Where it applies; an omitted part means all. */
    scope: z
      .object({
        clusters: nonEmptyList.optional(),
        clusterSelector: labelSelector.optional(),
        namespaces: nonEmptyList.optional(),
        kinds: nonEmptyList.optional(),
        names: nonEmptyList.optional(),
        objectSelector: labelSelector.optional(),
      })
      .strict()
      .default({}),
    owner: required('who answers for this exception (a team or a person)'),
    reason: required('why the failure is accepted'),
    /** A ticket id or link where the acceptance was decided. */
    ticket: z.string().trim().min(1).optional(),
    created: instant('when the exception was granted'),
    expires: instant('when the exception lapses'),
  })
  .strict();

export const exceptionsFileSchema = z
  .object({
    exceptions: z.array(exceptionSchema),
  })
  .strict();

export type RawException = z.infer<typeof exceptionSchema>;
