#!/usr/bin/env node
import { buildProgram } from './program.js';
import { AppError, ConfigError, KubeconfigError, UsageError } from '../core/errors.js';
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';

exitQuietlyOnBrokenPipe();

/** Configuration and usage errors exit 2 with their message; anything else exits 1. */
buildProgram(process.argv)
  .then((program) => program.parseAsync(process.argv))
  .catch((err: unknown) => {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof KubeconfigError) {
      process.stderr.write(`complyd: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof AppError) {
      process.stderr.write(`complyd: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`complyd: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  });
