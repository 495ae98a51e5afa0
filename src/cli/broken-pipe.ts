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

/**
 * Exit with EXIT_BROKEN_PIPE as soon as the reader of `streams` (stdout and stderr) is gone.
 * Other write errors are thrown, as an unhandled 'error' event would be. Installed first
 * thing, so this listener runs before any a command adds while it waits for 'drain'.
 */
export function exitQuietlyOnBrokenPipe(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr], exit: (code: number) => void = (code) => process.exit(code)): void {
  for (const stream of streams) {
    stream.on('error', (err: ErrorWithCode) => {
      if (err.code !== 'EPIPE') throw err;
      exit(EXIT_BROKEN_PIPE);
    });
  }
}
