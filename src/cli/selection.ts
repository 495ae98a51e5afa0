/**
 * The selection flags shared by `scan`, `evaluate` and `report`: which controls run
 * (`--control`, `--skip-control`) and which severities are shown (`--severity`). Every id or
 * pattern must name at least one control: a typo would otherwise silently select nothing.
 */
import { globRegExp } from '../core/exception.js';
import { UsageError } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import type { NamespaceSelection } from '../core/namespace-scope.js';

/**
 * Commander collector for a repeatable option that also takes comma lists:
 * `--control A,B --control C` gives [A, B, C].
 */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter((v) => v.length > 0)];
}

/** A list of ids or `*` patterns as one test, as the exceptions files write them. */
export function patternTest(patterns: readonly string[]): (value: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map(globRegExp);
  return (value) => exact.has(value) || globs.some((g) => g.test(value));
}

export interface ControlSelection {
  /** Ids or patterns to run; absent: every control. */
  only?: readonly string[];
  /** Ids or patterns not to run. */
  skip?: readonly string[];
}

/** The patterns that match none of `ids`, each named with its flag. */
function unmatched(flag: string, patterns: readonly string[], ids: readonly string[]): string[] {
  return patterns.filter((p) => !ids.some(patternTest([p]))).map((p) => `${flag} ${p}`);
}

/**
 * The controls chosen by `--control` and `--skip-control` among `controls` (already limited
 * to a framework, if one was given). Throws a UsageError naming every id or pattern that
 * matches no control of the whole catalog `all`, or that leaves nothing to run.
 */
export function selectControls<C extends { readonly id: string }>(controls: readonly C[], selection: ControlSelection, all: readonly { readonly id: string }[] = controls): readonly C[] {
  const only = selection.only ?? [];
  const skip = selection.skip ?? [];
  if (only.length === 0 && skip.length === 0) return controls;
  const ids = all.map((c) => c.id);
  const unknown = [...unmatched('--control', only, ids), ...unmatched('--skip-control', skip, ids)];
  if (unknown.length > 0) throw new UsageError(`no control matches ${unknown.join(', ')} (see complyd controls)`);
  const wanted = only.length > 0 ? patternTest(only) : () => true;
  const skipped = patternTest(skip);
  const chosen = controls.filter((c) => wanted(c.id) && !skipped(c.id));
  if (chosen.length === 0) throw new UsageError('--control/--skip-control leave no control to run (within the chosen framework)');
  return chosen;
}

/** `--severity critical,high`: the severities to show; undefined shows all. */
export function parseSeverities(list: readonly string[] | undefined): ReadonlySet<Severity> | undefined {
  if (!list || list.length === 0) return undefined;
  const bad = list.filter((s) => !(SEVERITIES as readonly string[]).includes(s));
  if (bad.length > 0) throw new UsageError(`--severity: unknown severity ${bad.join(', ')} (use ${SEVERITIES.join(', ')})`);
  return new Set(list as Severity[]);
}

/** A short description of the selection, for the run record and the outputs; undefined when nothing is selected. */
export function describeSelection(selection: ControlSelection): string | undefined {
  const parts = [];
  if (selection.only?.length) parts.push(`controls ${selection.only.join(',')}`);
  if (selection.skip?.length) parts.push(`skipping ${selection.skip.join(',')}`);
  if (parts.length === 0) return undefined;
  // Bounded: it goes into the run's trigger, shown in every history line and report.
  const text = parts.join('; ');
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** The command line's namespace selection, when given, replaces the configuration's for every cluster. */
export function namespaceFlags(opts: { includeNamespaces?: readonly string[]; excludeNamespaces?: readonly string[] }): NamespaceSelection | undefined {
  const include = opts.includeNamespaces ?? [];
  const exclude = opts.excludeNamespaces ?? [];
  if (include.length === 0 && exclude.length === 0) return undefined;
  return { ...(include.length > 0 ? { include } : {}), ...(exclude.length > 0 ? { exclude } : {}) };
}

/**
 * `report --control/--skip-control/--severity`: which stored controls the report keeps, and
 * the words it names the cut with; undefined when nothing is selected. Patterns are checked
 * against the catalog as for scan (`catalog`: the controls of the framework, if one was given).
 */
export function reportSelection(
  catalog: readonly { readonly id: string }[],
  all: readonly { readonly id: string }[],
  selection: ControlSelection,
  severities: ReadonlySet<Severity> | undefined,
): { description: string; keeps: (c: { controlId: string; severity: Severity }) => boolean } | undefined {
  const byId = (selection.only?.length ?? 0) + (selection.skip?.length ?? 0) > 0;
  if (!byId && !severities) return undefined;
  const ids = byId ? new Set(selectControls(catalog, selection, all).map((c) => c.id)) : undefined;
  const parts = [describeSelection(selection), severities ? `severities ${SEVERITIES.filter((s) => severities.has(s)).join(',')}` : undefined].filter(Boolean);
  return {
    description: parts.join('; '),
    keeps: (c) => (!ids || ids.has(c.controlId)) && (!severities || severities.has(c.severity)),
  };
}
