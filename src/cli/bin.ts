#!/usr/bin/env node
import { buildProgram } from './program.js';
import { AppError, ConfigError, KubeconfigError, UsageError } from '../core/errors.js';
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';
import { boundHeapGrowth } from './heap-growth.js';

exitQuietlyOnBrokenPipe();
boundHeapGrowth();

/** Configuration and usage errors exit 2 with their message; anything else exits 1 (see exit-codes.ts). */
buildProgram(process.argv)
  .then((program) => program.parseAsync(process.argv))
  .catch((err: unknown) => {
    if (err instanceof CommanderError) {
      // Commander has written its message (and the hint to run --help); help and version end in 0.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (err instanceof ConfigError || err instanceof UsageError || err instanceof KubeconfigError) {
      process.stderr.write(`complyd: ${err.message}\n`);
      process.exitCode = EXIT.usage;
    } else if (err instanceof AppError) {
      process.stderr.write(`complyd: ${err.message}\n`);
      process.exitCode = EXIT.unexpected;
    } else {
      process.stderr.write(`complyd: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT.unexpected;
    }
  });
