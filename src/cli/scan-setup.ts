/**
 * Where `complyd scan` gets its fleet: the configuration file (`-c`, or ./complyd.yaml), or a
 * kubeconfig's contexts (`--kubeconfig`, `--context`). Mixing the two is a usage error, and
 * having neither says how to give either.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { UsageError } from '../core/errors.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from './context.js';
import { createLogger } from './logger.js';
import { defaultKubeconfig, kubeconfigConfig, noConfigError } from './kubeconfig-fleet.js';
import { describeSelection, namespaceFlags, type ControlSelection } from './selection.js';

export interface ScanSourceOptions {
  includeNamespaces?: string[];
  excludeNamespaces?: string[];
  /** true: `--kubeconfig` given without a file. */
  kubeconfig?: string | true;
  context?: string[];
  store?: string;
}

/**
 * The configuration, the logger, and the trigger the run records: `cli`, followed by the
 * selection when one applies, so a partial run is never mistaken for a full one in the history
 * and the reports.
 */
export function scanSetup(opts: ConfigOptions & ScanSourceOptions, configGiven: boolean, selection: ControlSelection): { config: Config; log: Logger; trigger: string } {
  const fromKubeconfig = opts.kubeconfig !== undefined || (opts.context?.length ?? 0) > 0;
  if (fromKubeconfig && configGiven) throw new UsageError('-c/--config and --kubeconfig/--context are two ways to name the clusters: use one');
  if (!fromKubeconfig && opts.store !== undefined) throw new UsageError('--store goes with --kubeconfig; with a configuration file the store is its storage key');
  const described = describeSelection(selection);
  const trigger = described ? `cli (${described})` : 'cli';
  if (fromKubeconfig) {
    const file = typeof opts.kubeconfig === 'string' ? opts.kubeconfig : defaultKubeconfig();
    const config = kubeconfigConfig({ kubeconfig: file, ...(opts.context ? { contexts: opts.context } : {}), ...(opts.store ? { store: opts.store } : {}) });
    return { config: withNamespaceFlags(config, opts), log: createLogger({ level: opts.logLevel ?? 'error' }), trigger };
  }
  if (!configGiven && !existsSync(DEFAULT_CONFIG)) throw noConfigError(DEFAULT_CONFIG);
  const { config, log } = setup(opts);
  return { config: withNamespaceFlags(config, opts), log, trigger };
}

function withNamespaceFlags(config: Config, opts: ScanSourceOptions): Config {
  const namespaces = namespaceFlags(opts);
  return namespaces ? { ...config, clusters: config.clusters.map((c) => ({ ...c, namespaces })) } : config;
}
