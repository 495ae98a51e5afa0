import { loadConfig, type Config } from '../config/load.js';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';

/** Options every command that reads the configuration accepts. */
export interface ConfigOptions {
  config: string;
  logLevel?: string;
}

export const DEFAULT_CONFIG = 'complyd.yaml';

/**
 * Load config and build the logger. Interactive commands log errors only (their summary
 * already says what went wrong); `--log-level info` shows the JSON log lines on stderr.
 */
export function setup(opts: ConfigOptions, defaultLevel = 'error'): { config: Config; log: Logger } {
  const config = loadConfig(opts.config);
  const log = createLogger({ level: opts.logLevel ?? defaultLevel });
  return { config, log };
}
