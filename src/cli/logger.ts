import { pino, type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log record. Secret values never enter a
 * snapshot, but kubeconfig credentials pass through the collector; this is the second fence.
 */
const REDACT = [
  'token',
  '*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'key',
  '*.key',
  'clientKey',
  '*.clientKey',
  'data',
  '*.data',
  'stringData',
  '*.stringData',
];

export interface LoggerOptions {
  level?: string;
  /** Write JSON lines (daemon, machines) or nothing but warnings for interactive commands. */
  destination?: NodeJS.WritableStream;
}

/** The process's logger: JSON lines on stderr (or `destination`), credentials redacted; it is the core's Logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'complyd' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (opts.destination ?? process.stderr) as pino.DestinationStream,
  );
}
