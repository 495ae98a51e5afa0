/**
 * One meaning across the commands: `-o, --output <format>` is the format, `--out <path>` where
 * it goes. `--format`, the spelling `report` and `controls` had, still works for a release and
 * says so on stderr.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';

export function addOutputOption(cmd: Command, formats: readonly string[], fallback: string, what = 'output format'): Command {
  return cmd
    .addOption(new Option('-o, --output <format>', `${what}: ${formats.join(', ')}`).default(fallback))
    .addOption(new Option('--format <format>', 'deprecated spelling of -o/--output').hideHelp());
}

/** The format asked for, from -o/--output or the deprecated --format (warned about). */
export function outputFormat<F extends string>(cmd: Command, formats: readonly F[], warn: (line: string) => void = (l) => process.stderr.write(l)): F {
  const opts = cmd.opts<{ output: string; format?: string }>();
  let value = opts.output;
  if (opts.format !== undefined) {
    warn(`complyd: --format is deprecated and will be removed in a later release; use -o/--output ${opts.format}\n`);
    if (cmd.getOptionValueSource('output') === 'cli' && opts.output !== opts.format) {
      throw new UsageError(`-o/--output ${opts.output} and --format ${opts.format} disagree; give -o/--output alone`);
    }
    value = opts.format;
  }
  if (!(formats as readonly string[]).includes(value)) throw new UsageError(`-o/--output must be one of ${formats.join(', ')}, not "${value}"`);
  return value as F;
}

/** Where a command's output goes: the `--out` file (created or replaced) or stdout. */
export interface Destination {
  stream: Writable;
  /** Flush and close a file; nothing for stdout. */
  close(): Promise<void>;
}

export function destination(out: string | undefined): Destination {
  if (out === undefined) return { stream: process.stdout, close: () => Promise.resolve() };
  const stream = createWriteStream(out);
  return {
    stream,
    close: async () => {
      stream.end();
      await once(stream, 'close');
    },
  };
}

export const OUT_HELP = 'write the output to this file instead of stdout';

/** Write a command's (small) output whole to the `--out` file, or to stdout. */
export async function emit(out: string | undefined, text: string): Promise<void> {
  if (out === undefined) process.stdout.write(text);
  else await writeFile(out, text);
}
