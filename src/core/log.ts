/**
 * The logging complyd's layers do. The core imports no logging library: the command line
 * builds a pino logger (cli/logger.ts) and passes it in.
 */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** A logger that adds these fields to every record. */
  child(fields: Record<string, unknown>): Logger;
}

const ignore: LogFn = () => {};
const SILENT: Logger = { error: ignore, warn: ignore, info: ignore, debug: ignore, child: () => SILENT };

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return SILENT;
}
