import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { exceptionProfiles, loadRunExceptions, openStore } from '../../main.js';
import { DURATION_RANGES, durationOption, formatDuration } from '../../config/duration.js';
import { exceptionsDigest, type Exception } from '../../core/exception.js';
import { UsageError } from '../../core/errors.js';
import { exceptionsRegister, type ReportException } from '../../report/exceptions-register.js';
import type { InvalidExceptionsFile } from '../../config/load-exceptions.js';
import type { Run } from '../../store/run-store.js';
import { table } from '../format.js';

import { EXIT } from '../exit-codes.js';
import { emit, OUT_HELP } from '../output-option.js';

interface ExceptionsOptions extends ConfigOptions {
  exceptions?: string[];
  expiringWithin: string;
  output: string;
  out?: string;
}

/** One exception as listed: its register row, where it is declared, and whether the run it was counted against used it. */
export interface ListedException extends ReportException {
  file: string;
  /** The profiles whose `exceptions` declare it (its scope is then narrowed to their clusters); absent: a global file. */
  profiles?: string[];
  /** Matched nothing (excepted or lapsed) in the run; undefined when there is no run to count against. */
  unused?: boolean;
}

export interface ExceptionsListing {
  at: string;
  expiringWithin: string;
  /** The run the matches are counted in: the latest finished one. */
  run?: { id: string; startedAt: string; sameExceptions: boolean };
  exceptions: ListedException[];
  invalid: InvalidExceptionsFile[];
  summary: { active: number; expiring: number; expired: number; pending: number; unused: number; invalid: number };
}

/**
 * Pure: the listing, from the declared exceptions, the refused files and the latest run's
 * failing findings; `profilesOf` says which profiles declare a file (none: a global one). The
 * global files' exceptions come first, then each profile's, in the order of their files.
 */
export function listExceptions(
  declared: readonly Exception[],
  invalid: readonly InvalidExceptionsFile[],
  run: { run: Run; findings: Parameters<typeof exceptionsRegister>[1] } | undefined,
  at: Date,
  soonMs: number,
  profilesOf: (file: string) => string[] = () => [],
): ExceptionsListing {
  const files = new Map(declared.map((e) => [e.id, e.source.file]));
  const rows = exceptionsRegister(declared, run?.findings ?? [], at, soonMs)
    // Ids only the stored findings name are listed by `complyd report`; here, the files are the subject.
    .filter((r) => files.has(r.id))
    .map((r): ListedException => {
      const file = files.get(r.id) ?? '';
      const profiles = profilesOf(file);
      return { ...r, file, ...(profiles.length > 0 && { profiles }), ...(run && { unused: r.matched + r.lapsed === 0 }) };
    });
  const groups = [...new Set(rows.map(sourceOf))];
  rows.sort((a, b) => groups.indexOf(sourceOf(a)) - groups.indexOf(sourceOf(b)));
  const count = (state: ReportException['state']) => rows.filter((r) => r.state === state).length;
  return {
    at: at.toISOString(),
    expiringWithin: formatDuration(soonMs),
    ...(run && { run: { id: run.run.id, startedAt: run.run.startedAt, sameExceptions: run.run.exceptionsDigest === exceptionsDigest(declared) } }),
    exceptions: rows,
    invalid: [...invalid],
    summary: { active: count('active'), expiring: count('expiring'), expired: count('expired'), pending: count('pending'), unused: rows.filter((r) => r.unused).length, invalid: invalid.length },
  };
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '-');

/** Where an exception comes from, as the listing groups them. */
export function sourceOf(r: Pick<ListedException, 'profiles'>): string {
  if (!r.profiles) return 'global exceptions files (every cluster in their scope)';
  return `${r.profiles.length === 1 ? 'profile' : 'profiles'} ${r.profiles.join(', ')} (their clusters only)`;
}

export function renderListing(l: ExceptionsListing): string {
  const out: string[] = [];
  const matched = (r: ListedException) => (l.run ? `${r.matched}${r.lapsed > 0 ? ` (+${r.lapsed} lapsed)` : ''}` : '-');
  const groups = [...new Set(l.exceptions.map(sourceOf))];
  if (l.exceptions.length > 0) {
    groups.forEach((group, i) => {
      // One group (no profile declares exceptions) needs no heading: the table reads as before.
      if (groups.length > 1 || l.exceptions[0]?.profiles) out.push(...(i > 0 ? [''] : []), `${group}:`);
      out.push(
        table(
          ['EXCEPTION', 'STATE', 'OWNER', 'EXPIRES', 'MATCHED', 'CONTROLS', 'SCOPE'],
          l.exceptions.filter((r) => sourceOf(r) === group).map((r) => [r.id, r.unused ? `${r.state}, unused` : r.state, r.owner, day(r.expires), matched(r), r.controls.join(','), r.scope]),
        ),
      );
    });
  } else out.push('no exceptions declared (exceptions.paths in the configuration, or --exceptions FILE)');
  const names = (state: ReportException['state']) => l.exceptions.filter((r) => r.state === state).map((r) => `${r.id} (${r.owner}, ${day(r.expires)})`);
  out.push('');
  if (names('expiring').length > 0) out.push(`expiring within ${l.expiringWithin}: ${names('expiring').join(', ')}`);
  if (names('expired').length > 0) out.push(`expired: ${names('expired').join(', ')}`);
  const unused = l.exceptions.filter((r) => r.unused).map((r) => r.id);
  if (unused.length > 0) out.push(`unused (matched no failing finding in run ${l.run?.id.slice(0, 8)}): ${unused.join(', ')}`);
  if (!l.run) out.push('no finished run in the store yet: matched findings are counted after `complyd scan`');
  else if (!l.run.sameExceptions) out.push(`the exceptions files changed since run ${l.run.id.slice(0, 8)} (${l.run.startedAt}): the matches are that run's; scan again to count the files as they are`);
  for (const bad of l.invalid) out.push(`invalid: ${bad.file}:\n  ${bad.issues.join('\n  ')}`);
  return `${out.join('\n').trimEnd()}\n`;
}

export function registerExceptions(program: Command): void {
  program
    .command('exceptions')
    .description(COMMAND_SUMMARIES.exceptions.summary)
    .option('-c, --config <file>', 'configuration file (its exceptions.paths, storage and exceptions.maxLifetime)', DEFAULT_CONFIG)
    .option('--exceptions <file...>', 'exceptions file or directory, beside those of exceptions.paths (repeatable)')
    .option('--expiring-within <duration>', 'list as expiring the exceptions that lapse within this long from now', '30d')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--out <path>', OUT_HELP)
    .option('--log-level <level>', 'log level on stderr (info, debug, ...)')
    .addHelpText(
      'after',
      `
Exceptions are grouped by where they are declared: the global files (exceptions.paths and --exceptions)
first, then each profile's (profiles[].exceptions), whose scope is narrowed to the profile's clusters
(SCOPE shows it so). Each exception's state is taken now: active, expiring (lapses within --expiring-within), expired,
or pending (created in the future). MATCHED counts the failing findings of the latest finished run
that it excepted (and, after "+", those it matched after it had lapsed); "unused" means it matched
nothing in that run. A refused exceptions file (each problem named with its file and key path) makes
the exit status ${EXIT.usage}, as any configuration mistake does.`,
    )
    .action(async (opts: ExceptionsOptions) => {
      if (opts.output !== 'text' && opts.output !== 'json') throw new UsageError(`--output must be text or json, not "${opts.output}"`);
      const soonMs = durationOption('--expiring-within', opts.expiringWithin, DURATION_RANGES.exceptionLifetime);
      const { config, log } = setup(opts);
      const loaded = loadRunExceptions(config, log, opts.exceptions ?? []);
      const store = await openStore(config, log);
      let listing: ExceptionsListing;
      try {
        const run = await store.history.latestRun();
        const findings = run ? await store.history.findings(run.id, { status: 'fail', withoutEvidence: true }) : [];
        listing = listExceptions(loaded.exceptions, loaded.invalid, run ? { run, findings } : undefined, new Date(), soonMs, (file) => exceptionProfiles(config, opts.exceptions ?? [], file));
      } finally {
        await store.close();
      }
      await emit(opts.out, opts.output === 'json' ? `${JSON.stringify(listing, null, 2)}\n` : renderListing(listing));
      if (listing.invalid.length > 0) process.exitCode = EXIT.usage;
    });
}
