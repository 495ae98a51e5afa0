import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { DEFAULT_CONFIG } from '../context.js';
import { loadConfig, type Config } from '../../config/load.js';
import { DEFAULT_LISTEN, parseListen } from '../../config/listen.js';
import { UsageError } from '../../core/errors.js';
import { createLogger } from '../logger.js';
import { loadRunExceptions, openStore } from '../../main.js';
import { listenAddress, startHttp } from '../http-server.js';
import { Metrics } from '../../server/server.js';

interface ServeOptions {
  config?: string;
  store?: string;
  listen?: string;
  logLevel: string;
}

/** The storage and server settings: the configuration's, or the store named by --store with the server's defaults. */
function serveSettings(opts: ServeOptions): { storage: Config['storage']; server: Config['server']; config?: Config } {
  if (opts.store !== undefined) {
    if (opts.config !== undefined) throw new UsageError('--store and -c both name the store; give one');
    const storage: Config['storage'] = /^postgres(ql)?:\/\//.test(opts.store) ? { kind: 'postgres', url: opts.store } : { kind: 'sqlite', path: opts.store };
    if (storage.kind === 'sqlite' && !existsSync(storage.path)) throw new UsageError(`--store: ${opts.store} does not exist (serve reads a store; it never starts an empty one)`);
    return { storage, server: { listen: parseListen(DEFAULT_LISTEN), tokens: [], readySlots: 2 } };
  }
  const config = loadConfig(opts.config ?? DEFAULT_CONFIG);
  return { storage: config.storage, server: config.server, config };
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(COMMAND_SUMMARIES.serve.summary)
    .option('-c, --config <file>', `configuration file: its storage and server settings (default: ${DEFAULT_CONFIG}, unless --store)`)
    .option('--store <path>', 'SQLite file or postgres:// URL of the store to serve, without a configuration')
    .option('--listen <addr>', 'host:port, [ipv6]:port or :port (default: server.listen, 127.0.0.1:9464); an address other than loopback needs tokens (server.tokens or COMPLYD_API_TOKENS)')
    .option('--log-level <level>', 'log level of the JSON log lines on stderr', 'info')
    .action(async (opts: ServeOptions) => {
      const { storage, server, config } = serveSettings(opts);
      const address = listenAddress(opts.listen, server.listen);
      if (!address) throw new UsageError('serve needs an address: --listen or server.listen is off');
      const log = createLogger({ level: opts.logLevel });
      const store = await openStore({ storage }, log);
      const http = await startHttp({
        history: store.history,
        // The dead letters of the store served are counted too; deliveries are the daemon's.
        metrics: new Metrics(store.history, undefined, { deadLetters: store.deadLetters }),
        log,
        address,
        server,
        ...(config ? { exceptions: () => loadRunExceptions(config, log).exceptions } : {}),
      }).catch(async (err: unknown) => {
        await store.close();
        throw err;
      });
      process.stderr.write(`complyd: serving ${storage.kind === 'sqlite' ? storage.path : 'PostgreSQL'} at ${http.url} (health /healthz /readyz, metrics /metrics, API /api/v1, Ctrl-C to stop)\n`);
      await new Promise<void>((r) => {
        process.once('SIGINT', r);
        process.once('SIGTERM', r);
      });
      await http.close();
      await store.close();
    });
}
