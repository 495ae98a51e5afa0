import { readFileSync } from 'node:fs';
import { EXIT_TABLE, exitStatusOf, EXIT } from '../../src/cli/exit-codes.js';
import { COMMAND_SUMMARIES } from '../../src/cli/command-list.js';
import { runCli } from '../helpers/cli.js';

/** The rows of the README's table between its markers: code, meaning, commands. */
function readmeRows(): Array<{ code: number; meaning: string; commands: string }> {
  const readme = readFileSync('README.md', 'utf8');
  const block = /<!-- exit-codes:start[^\n]*-->\n([\s\S]*?)<!-- exit-codes:end -->/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no exit-codes block');
  return block
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|'));
      return { code: Number(cells[0]), meaning: cells[1] ?? '', commands: cells[2] ?? '' };
    });
}

/** The "Exit codes:" section of a --help text: each code with its meaning, wrapped lines joined. */
function helpRows(help: string): Array<{ code: number; meaning: string }> {
  const section = help.split(/^Exit codes:\n/m)[1];
  if (section === undefined) throw new Error(`no "Exit codes:" section in:\n${help}`);
  const rows: Array<{ code: number; meaning: string }> = [];
  for (const line of section.split('\n')) {
    const start = /^ {2}([ \d]{3}) {2}(.*)$/.exec(line);
    if (!start) break;
    const code = start[1]?.trim() ?? '';
    if (code !== '') rows.push({ code: Number(code), meaning: start[2] ?? '' });
    else if (rows.length > 0) (rows[rows.length - 1] as { meaning: string }).meaning += ` ${start[2] ?? ''}`;
  }
  return rows;
}

const commands = Object.keys(COMMAND_SUMMARIES);

describe('one exit-code table', () => {
  it('the README says what src/cli/exit-codes.ts says', () => {
    const rows = readmeRows();
    expect(rows.map((r) => r.code)).toEqual(EXIT_TABLE.map((r) => r.code));
    expect(rows.map((r) => r.meaning)).toEqual(EXIT_TABLE.map((r) => r.meaning));
    expect(rows.map((r) => r.commands)).toEqual(EXIT_TABLE.map((r) => (r.commands ? r.commands.map((c) => `\`${c}\``).join(', ') : 'every command')));
  });

  it('complyd --help lists the whole table, the README the same codes and meanings', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    const help = helpRows(res.stdout);
    const readme = readmeRows();
    expect(help.map((r) => r.code)).toEqual(readme.map((r) => r.code));
    help.forEach((r, i) => expect(r.meaning.startsWith(readme[i]?.meaning ?? '?')).toBe(true));
  });

  it('each command --help lists the codes it can end with, and only those', async () => {
    for (const name of ['scan', 'evaluate', 'report', 'verify', 'controls']) {
      const res = await runCli([name, '--help']);
      expect(res.code).toBe(0);
      const codes = helpRows(res.stdout).map((r) => r.code);
      const expected = EXIT_TABLE.filter((r) => !r.commands || r.commands.includes(name)).map((r) => r.code);
      expect({ name, codes }).toEqual({ name, codes: expected });
    }
  });

  it('a failed gate wins over input not read; a passed gate with input missing is 3, never 0', () => {
    expect(exitStatusOf({ notAssessed: true, gateFailed: true })).toBe(EXIT.gateFailed);
    expect(exitStatusOf({ notAssessed: true, gateFailed: false })).toBe(EXIT.notAssessed);
    expect(exitStatusOf({ notAssessed: false, gateFailed: false })).toBe(EXIT.ok);
    expect(new Set(EXIT_TABLE.map((r) => r.code)).size).toBe(EXIT_TABLE.length);
  });
});

describe('usage errors exit 2 everywhere', () => {
  it.each(commands)('complyd %s --no-such-option: exit 2 with commander\'s message', async (name) => {
    const res = await runCli([name, '--no-such-option']);
    expect(res.stderr).toContain("unknown option '--no-such-option'");
    expect(res.code).toBe(2);
  });

  it('a missing argument, an unknown command and no command at all exit 2; help and version exit 0', async () => {
    const missing = await runCli(['evaluate']);
    expect(missing.stderr).toContain("missing required argument 'paths'");
    expect(missing.code).toBe(2);
    expect((await runCli(['diff'])).code).toBe(2);
    const unknown = await runCli(['scna']);
    expect(unknown.stderr).toContain("unknown command 'scna'");
    expect(unknown.code).toBe(2);
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(['--version'])).code).toBe(0);
    expect((await runCli(['help', 'scan'])).code).toBe(0);
  });

  it('bad gate flags are usage errors that say what is wrong', async () => {
    const cases: Array<[string[], string]> = [
      [['evaluate', 'examples', '--fail-on', 'severe'], "argument 'severe' is invalid. Allowed choices are critical, high, medium, low, info"],
      [['evaluate', 'examples', '--fail-below-score', '101'], '--fail-below-score: a number from 0 to 100, not "101"'],
      [['evaluate', 'examples', '--fail-below-score', '-1'], '--fail-below-score: a number from 0 to 100, not "-1"'],
      [['evaluate', 'examples', '--fail-on-new'], '--fail-on-new needs --baseline RUN|FILE'],
      [['evaluate', 'examples', '--baseline', 'README.md'], '--baseline is only used with --fail-on-new'],
      [['evaluate', 'examples', '--fail-on-new', '--baseline', 'no-such-file.json'], '--baseline: no file no-such-file.json'],
      [['evaluate', 'examples', '--fail-on-new', '--baseline', 'package.json'], '--baseline package.json: neither a complyd report'],
      [['scan', '-c', 'config/complyd.example.yaml', '--fail-on-new'], '--fail-on-new needs --baseline RUN|FILE'],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(args);
      expect({ args, stderr: res.stderr }).toEqual({ args, stderr: expect.stringContaining(message) });
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
    }
  });
});
