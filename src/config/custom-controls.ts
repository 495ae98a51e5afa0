/**
 * Custom controls: one YAML file per control in the directories of `controls.dirs`, validated
 * whole, their CEL compiled (parsed and type-checked) when the configuration loads. Every
 * problem names the file, the key path and, for CEL, the line and column in the expression.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Environment } from '@marcbachmann/cel-js';
import { z } from 'zod';
import { FRAMEWORKS } from '../core/control.js';
import { CUSTOM_CONTROL_KINDS, type CustomControlDefinition } from '../core/custom-control.js';
import { ConfigError } from '../core/errors.js';
import { SEVERITIES } from '../core/types.js';
import { labelSelectorSchema } from './label-selector-schema.js';
import { formatIssues, readConfigText } from './load.js';
import { parseYaml } from './parse-yaml.js';

/** An expression is a policy line, not a program: bounded like the API server bounds them. */
export const MAX_EXPRESSION_LENGTH = 5000;
/** Files read from all directories together; a directory of thousands is a mistake. */
export const MAX_CUSTOM_CONTROL_FILES = 500;

const expression = z.string().min(1).max(MAX_EXPRESSION_LENGTH);
const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name');

export const customControlSchema = z
  .object({
    /** Catalog ids are CIS-, PSS-, HARD-, REL-: a team prefix keeps yours apart (`ACME-owner-label`). */
    id: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,62}$/, 'must be a letter then letters, digits, ".", "_" or "-" (at most 63)'),
    title: z.string().min(1).max(200),
    severity: z.enum(SEVERITIES),
    frameworks: z.array(z.enum(FRAMEWORKS)).min(1),
    match: z
      .object({
        kinds: z.array(z.enum(CUSTOM_CONTROL_KINDS)).min(1).default([...CUSTOM_CONTROL_KINDS]),
        namespaces: z.array(namespaceName).min(1).optional(),
        excludeNamespaces: z.array(namespaceName).min(1).optional(),
        selector: labelSelectorSchema.optional(),
      })
      .strict()
      .default({ kinds: [...CUSTOM_CONTROL_KINDS] }),
    validations: z
      .array(
        z
          .object({ expression, message: z.string().min(1).max(1000).optional(), messageExpression: expression.optional() })
          .strict()
          .refine((v) => v.message !== undefined || v.messageExpression !== undefined, { message: 'needs message or messageExpression' }),
      )
      .min(1)
      .max(20),
    rationale: z.string().min(1),
    remediation: z.string().min(1),
  })
  .strict();

const ENV = new Environment({ homogeneousAggregateLiterals: false }).registerVariable('object', 'map').registerVariable('variables', 'map');

/** `line 2, column 5` of a 0-based offset in the expression. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Why an expression does not compile to the wanted type, or undefined when it does. */
export function celProblem(text: string, wants: 'bool' | 'string'): string | undefined {
  let result: ReturnType<Environment['check']>;
  try {
    result = ENV.check(text);
  } catch (err) {
    return celError(text, err);
  }
  if (!result.valid) return celError(text, result.error);
  if (result.type !== wants && result.type !== 'dyn') return `must be a ${wants}, not ${result.type}`;
  return undefined;
}

function celError(text: string, err: unknown): string {
  const e = err as { message?: string; node?: { pos?: number } };
  const why = (e.message ?? String(err)).split('\n')[0] ?? 'does not compile';
  return typeof e.node?.pos === 'number' ? `${position(text, e.node.pos)}: ${why}` : why;
}

/** The YAML files of the directories (a file is taken as it is), in name order. */
function controlFiles(dirs: readonly string[]): string[] {
  const files: string[] = [];
  for (const dir of dirs) {
    let stat;
    try {
      stat = statSync(dir);
    } catch {
      throw new ConfigError(`${dir}: controls directory not found (controls.dirs)`);
    }
    const found = stat.isDirectory()
      ? readdirSync(dir)
          .filter((f) => ['.yaml', '.yml'].includes(extname(f)))
          .sort()
          .map((f) => join(dir, f))
      : [dir];
    files.push(...found);
    if (files.length > MAX_CUSTOM_CONTROL_FILES) throw new ConfigError(`${dir}: more than ${MAX_CUSTOM_CONTROL_FILES} custom control files (controls.dirs)`);
  }
  return files;
}

/** One file's control, or every problem of it. */
export function parseCustomControl(text: string, file: string): CustomControlDefinition {
  const parsed = customControlSchema.safeParse(parseYaml(text, file));
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues);
    throw new ConfigError(`${file}: invalid custom control:\n  ${issues.join('\n  ')}`, issues.map((i) => `${file}: ${i}`));
  }
  const c = parsed.data;
  const issues = c.validations.flatMap((v, i) => {
    const problems: string[] = [];
    const bad = celProblem(v.expression, 'bool');
    if (bad) problems.push(`validations[${i}].expression: ${bad}`);
    const badMessage = v.messageExpression === undefined ? undefined : celProblem(v.messageExpression, 'string');
    if (badMessage) problems.push(`validations[${i}].messageExpression: ${badMessage}`);
    return problems;
  });
  if (issues.length > 0) throw new ConfigError(`${file}: custom control ${c.id} does not compile:\n  ${issues.join('\n  ')}`, issues.map((i) => `${file}: ${i}`));
  return {
    id: c.id,
    title: c.title,
    severity: c.severity,
    frameworks: c.frameworks,
    match: { kinds: c.match.kinds, ...(c.match.namespaces ? { namespaces: c.match.namespaces } : {}),
      ...(c.match.excludeNamespaces ? { excludeNamespaces: c.match.excludeNamespaces } : {}), ...(c.match.selector ? { selector: c.match.selector } : {}) },
    validations: c.validations.map((v) => ({ expression: v.expression, ...(v.message ? { message: v.message } : {}), ...(v.messageExpression ? { messageExpression: v.messageExpression } : {}) })),
    rationale: c.rationale,
    remediation: c.remediation,
    file,
  };
}

/** Every custom control of the directories; the first invalid file refuses the configuration, with all its problems. Ids must be unique. */
export function loadCustomControls(dirs: readonly string[]): CustomControlDefinition[] {
  const controls: CustomControlDefinition[] = [];
  const problems: string[] = [];
  for (const file of controlFiles(dirs)) {
    try {
      const control = parseCustomControl(readConfigText(file, 'custom control'), file);
      const twin = controls.find((c) => c.id === control.id);
      if (twin) problems.push(`${file}: id: ${control.id} is also declared in ${twin.file}`);
      else controls.push(control);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.issues.map((i) => (i.startsWith(file) ? i : `${file}: ${i}`)));
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid custom controls:\n  ${problems.join('\n  ')}`, problems);
  return controls;
}
