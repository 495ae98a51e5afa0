import { EXIT } from './exit-codes.js';

/**
 * A reader that stops early (`complyd report -o csv | head`) closes the pipe while
 * complyd still writes. git, kubectl and coreutils die of SIGPIPE there, which the shell
 * reports as 128 + 13 = 141 (`set -o pipefail` then sees that the output was cut short).
 * Node ignores SIGPIPE and reports the write's EPIPE as an 'error' event on the stream,
 * which nothing would catch: a stack trace. complyd exits as they do, quietly, with 141.
 */
export const EXIT_BROKEN_PIPE = EXIT.brokenPipe;

interface ErrorWithCode extends Error {
  code?: string;
}

/** How long the work before a broken-pipe exit may take (a store that does not answer must not hold the process). */
export const BROKEN_PIPE_FINISH_MS = 5_000;

let beforeExit: (() => Promise<void>) | undefined;

/**
 * Work to finish before a broken pipe ends the process, bounded by BROKEN_PIPE_FINISH_MS: the
 * daemon records its scan in flight as interrupted, since a daemon whose log reader went away
 * would otherwise leave the run `running` until another process notices. undefined removes it.
 */
export function beforeBrokenPipeExit(task: (() => Promise<void>) | undefined): void {
  beforeExit = task;
}

/**
 * Exit with EXIT_BROKEN_PIPE as soon as the reader of `streams` (stdout and stderr) is gone,
 * after the work registered with beforeBrokenPipeExit (once, however many writes fail
 * meanwhile). Other write errors are thrown, as an unhandled 'error' event would be.
 * Installed first thing, so this listener runs before any a command adds while it waits for 'drain'.
 */
export function exitQuietlyOnBrokenPipe(
  streams: readonly NodeJS.EventEmitter[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  let exiting = false;
  for (const stream of streams) {
    stream.on('error', (err: ErrorWithCode) => {
      if (err.code !== 'EPIPE') throw err;
      if (exiting) return;
      exiting = true;
      const task = beforeExit;
      if (!task) return exit(EXIT_BROKEN_PIPE);
      const timer = setTimeout(() => exit(EXIT_BROKEN_PIPE), BROKEN_PIPE_FINISH_MS);
      void task()
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          exit(EXIT_BROKEN_PIPE);
        });
    });
  }
}
