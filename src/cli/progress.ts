/**
 * One rule for what the commands say on stderr while they work:
 *   - progress (what is happening now: clusters being scanned, each one done) is shown only
 *     when stderr is a terminal, and never with --quiet: a pipeline's log and a program
 *     reading stderr get no chatter;
 *   - notes about the result (a file written, inputs skipped) are shown unless --quiet;
 *   - errors, warnings and a gate's verdict are always shown.
 */
export interface Progress {
  /** A progress line: terminal only, not with --quiet. */
  step(line: string): void;
  /** A note about the result: not with --quiet. */
  note(line: string): void;
}

export interface ProgressOptions {
  quiet?: boolean;
  /** Whether stderr is a terminal; process.stderr.isTTY by default. */
  tty?: boolean;
  write?: (text: string) => void;
}

export function progress(opts: ProgressOptions = {}): Progress {
  const write = opts.write ?? ((text: string) => void process.stderr.write(text));
  const tty = opts.tty ?? process.stderr.isTTY === true;
  const quiet = opts.quiet === true;
  return {
    step: (line) => {
      if (tty && !quiet) write(`${line}\n`);
    },
    note: (line) => {
      if (!quiet) write(`${line}\n`);
    },
  };
}

export const QUIET_HELP = 'no progress lines nor notes on stderr (progress is shown only when stderr is a terminal anyway); errors and the gate verdict still are';
