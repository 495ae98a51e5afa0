/**
 * Wiring of the HTTP server for `daemon`, `serve` and `demo --serve`: the listen address
 * (flag over configuration), the bearer tokens (configuration and COMPLYD_API_TOKENS), the TLS
 * files read here, and reports rendered as `complyd report` renders them.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../core/log.js';
import type { Exception } from '../core/exception.js';
import { UsageError } from '../core/errors.js';
import { parseListen, type ListenAddress } from '../config/listen.js';
import type { ServerConfig } from '../config/load.js';
import { buildReport, reportContent } from '../main.js';
import type { HistoryReader } from '../store/run-store.js';
import { isLoopback, startServer, type Metrics, type RunningServer, type SchedulerHealth } from '../server/server.js';

/** Bearer tokens from the environment: comma- or whitespace-separated. */
export function envTokens(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['COMPLYD_API_TOKENS'] ?? '').split(/[\s,]+/).filter((t) => t.length > 0);
}

/** `--listen` over the configuration's `server.listen`; undefined when off. */
export function listenAddress(flag: string | undefined, config: ListenAddress | undefined): ListenAddress | undefined {
  if (flag === undefined) return config;
  try {
    return parseListen(flag);
  } catch (err) {
    throw new UsageError(`--listen: ${(err as Error).message}`);
  }
}

export interface HttpWiring {
  history: HistoryReader;
  log: Logger;
  address: ListenAddress;
  server: Pick<ServerConfig, 'tokens' | 'tokenFiles' | 'tls'>;
  exceptions?: () => readonly Exception[];
  scheduler?: SchedulerHealth;
  metrics?: Metrics;
}

export async function startHttp(w: HttpWiring): Promise<RunningServer> {
  const tokens = [...w.server.tokens, ...envTokens(), ...(w.server.tokenFiles ?? []).flatMap(readTokenFile)];
  if (!isLoopback(w.address.host) && tokens.length === 0) {
    throw new UsageError(`the HTTP server would listen on ${w.address.host}, not loopback, without authentication: set server.tokens in the configuration or COMPLYD_API_TOKENS (see the README, "HTTP server", "Exposing it safely")`);
  }
  const tls = w.server.tls ? { cert: readPem(w.server.tls.cert, 'server.tls.cert'), key: readPem(w.server.tls.key, 'server.tls.key') } : undefined;
  return startServer({
    history: w.history,
    log: w.log,
    listen: { ...w.address, tokens, ...(tls ? { tls } : {}) },
    renderReport: async (runId, format) => {
      const exceptions = w.exceptions?.();
      const report = await buildReport(w.history, runId, exceptions ? { exceptions } : {});
      const content = await reportContent(report, format);
      return Buffer.isBuffer(content) ? content : Buffer.from([...content].join(''), 'utf8');
    },
    ...(w.scheduler ? { scheduler: w.scheduler } : {}),
    ...(w.metrics ? { metrics: w.metrics } : {}),
  });
}

/** A token file is small: a few tokens of at most 512 characters, one per line. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

/** The tokens of one file of `server.tokenFiles` (a mounted Secret): one per line, blank lines skipped. */
function readTokenFile(file: string): string[] {
  let text: string;
  try {
    if (statSync(file).size > MAX_TOKEN_FILE_BYTES) throw new UsageError(`server.tokenFiles: ${file} is larger than ${MAX_TOKEN_FILE_BYTES} bytes; it should hold tokens, one per line`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`server.tokenFiles: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const tokens = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  // The token itself is never named in a message.
  const short = tokens.findIndex((t) => t.length < 16 || t.length > 512 || /\s/.test(t));
  if (short >= 0) throw new UsageError(`server.tokenFiles: ${file}, token ${short + 1}: a token must be 16 to 512 characters without spaces`);
  if (tokens.length === 0) throw new UsageError(`server.tokenFiles: ${file} holds no token`);
  return tokens;
}

function readPem(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`${key}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
