/**
 * complyd's exit statuses: one table for every command. `complyd --help`, each command's
 * --help and the README's "Exit codes" section are all written from EXIT_TABLE (a test parses
 * the README and the help and compares them with it). See ADR 0014 for the choices.
 */

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notAssessed: 3,
  chainBroken: 4,
  gateFailed: 5,
  brokenPipe: 141,
} as const;

export type ExitName = keyof typeof EXIT;
export type ExitCode = (typeof EXIT)[ExitName];

export interface ExitRow {
  readonly code: ExitCode;
  readonly meaning: string;
  /** The commands that can end with it; undefined: every command. */
  readonly commands?: readonly string[];
}

/** In the order printed. */
export const EXIT_TABLE: readonly ExitRow[] = [
  { code: EXIT.ok, meaning: 'success: everything asked for was read, and every gate given passed' },
  { code: EXIT.unexpected, meaning: 'unexpected error' },
  { code: EXIT.usage, meaning: 'usage or configuration error: unknown option or command, bad or missing argument, invalid configuration or exceptions file' },
  {
    code: EXIT.notAssessed,
    meaning:
      'not everything was read: a cluster could not be assessed (scan), an input not read or empty (evaluate, network), a cluster not applied: unreachable, forbidden or in conflict (policy apply); the rest is judged or applied',
    commands: ['scan', 'evaluate', 'network', 'policy'],
  },
  { code: EXIT.chainBroken, meaning: 'the hash chain does not hold: a stored row changed after it was written', commands: ['verify'] },
  {
    code: EXIT.gateFailed,
    meaning: `a gate failed (--fail-on, --fail-below-score, --fail-on-new), even if something was not read (it wins over ${EXIT.notAssessed})`,
    commands: ['scan', 'evaluate', 'report'],
  },
  { code: EXIT.brokenPipe, meaning: 'the reader of the output went away (`complyd report | head`)' },
];

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/**
 * The table as plain text for --help: each code with its meaning wrapped under it. For one
 * command, only the codes it can end with; for the program, all, with the commands named.
 */
export function exitCodesHelp(command?: string): string {
  const rows = command === undefined ? EXIT_TABLE : EXIT_TABLE.filter((r) => r.commands === undefined || r.commands.includes(command));
  const lines = rows.flatMap((r) => {
    const who = r.commands && command === undefined ? ` (${r.commands.join(', ')})` : '';
    return wrap(`${r.meaning}${who}`, 72).map((l, i) => `  ${i === 0 ? String(r.code).padStart(3) : '   '}  ${l}`);
  });
  return `Exit codes:\n${lines.join('\n')}`;
}

/** The table as Markdown, as the README has it between its markers. */
export function exitCodesMarkdown(): string {
  const rows = EXIT_TABLE.map((r) => `| ${r.code} | ${r.meaning.replace(/\|/g, '\\|')} | ${r.commands ? r.commands.map((c) => `\`${c}\``).join(', ') : 'every command'} |`);
  return ['| Code | Meaning | Commands |', '| --- | --- | --- |', ...rows].join('\n');
}

/**
 * The status of a run that both may have missed evidence and judged gates: a gate failure
 * wins (ADR 0014), then "not assessed", then success.
 */
export function exitStatusOf(outcome: { notAssessed: boolean; gateFailed: boolean }): ExitCode {
  if (outcome.gateFailed) return EXIT.gateFailed;
  if (outcome.notAssessed) return EXIT.notAssessed;
  return EXIT.ok;
}
