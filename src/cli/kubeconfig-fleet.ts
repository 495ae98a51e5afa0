/**
 * `complyd scan --kubeconfig FILE [--context NAME...]`: a fleet made from a kubeconfig instead
 * of a configuration file, as kube-bench and Kubescape users expect. Each context is one
 * cluster named after it; everything else takes the configuration's defaults, the store
 * included (`./complyd.sqlite` unless `--store` says otherwise).
 */
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Config } from '../config/load.js';
import { readConfigText } from '../config/load.js';
import { parseYaml } from '../config/parse-yaml.js';
import { configSchema } from '../config/schema.js';
import { ConfigError, KubeconfigError, UsageError } from '../core/errors.js';
import type { ClusterTarget } from '../core/types.js';

export const DEFAULT_STORE = './complyd.sqlite';

/** The kubeconfig kubectl would read: the first file of `$KUBECONFIG`, else ~/.kube/config. */
export function defaultKubeconfig(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.length > 0);
  return first ?? join(home, '.kube', 'config');
}

/** The contexts a kubeconfig declares and its current one. */
export interface KubeconfigContexts {
  contexts: string[];
  current?: string;
}

export function readKubeconfigContexts(file: string): KubeconfigContexts {
  let doc: unknown;
  try {
    doc = parseYaml(readConfigText(file, 'kubeconfig'), file);
  } catch (err) {
    // The reader's messages already name the file; they are kubeconfig errors here.
    throw new KubeconfigError(`--kubeconfig: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(`--kubeconfig: ${file} is not a kubeconfig (a YAML mapping with contexts)`);
  const raw = (doc as Record<string, unknown>).contexts;
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) throw new KubeconfigError(`--kubeconfig: ${file}: contexts: must be a list`);
  const contexts: string[] = [];
  ((raw ?? []) as unknown[]).forEach((c, i) => {
    const name = c !== null && typeof c === 'object' ? (c as Record<string, unknown>).name : undefined;
    if (typeof name !== 'string' || name.length === 0) throw new KubeconfigError(`--kubeconfig: ${file}: contexts[${i}].name: must be a non-empty string`);
    contexts.push(name);
  });
  const current = (doc as Record<string, unknown>)['current-context'];
  return { contexts, ...(typeof current === 'string' && current.length > 0 ? { current } : {}) };
}

/**
 * A context name made a cluster name (lower-case letters, digits, ".", "_", "-", at most 63,
 * starting and ending with a letter or digit): EKS's `arn:aws:eks:eu-west-1:1234:cluster/prod`
 * becomes `arn-aws-eks-eu-west-1-1234-cluster-prod`.
 */
export function clusterNameOf(context: string): string {
  const name = context
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name || 'cluster';
}

/** Distinct cluster names for the contexts, in order: a clash after sanitising takes -2, -3... */
export function clusterNames(contexts: readonly string[]): string[] {
  const taken = new Set<string>();
  return contexts.map((c) => {
    const base = clusterNameOf(c);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 63 - String(n).length - 1).replace(/[^a-z0-9]+$/, '')}-${n}`;
    taken.add(name);
    return name;
  });
}

export interface KubeconfigFleetOptions {
  kubeconfig: string;
  /** Contexts to scan; absent: the current context. */
  contexts?: readonly string[];
  /** A SQLite file or a postgres:// URL. */
  store?: string;
}

/** The configuration a kubeconfig-only scan runs with. Errors name the flag and the file. */
export function kubeconfigConfig(opts: KubeconfigFleetOptions, cwd = process.cwd()): Config {
  const file = resolve(cwd, opts.kubeconfig);
  const { contexts, current } = readKubeconfigContexts(file);
  let chosen: readonly string[];
  if (opts.contexts && opts.contexts.length > 0) {
    const unknown = opts.contexts.filter((c) => !contexts.includes(c));
    if (unknown.length > 0) throw new KubeconfigError(`--context: not in ${file}: ${unknown.join(', ')} (contexts: ${contexts.join(', ') || 'none'})`);
    chosen = [...new Set(opts.contexts)];
  } else {
    if (!current) throw new KubeconfigError(`--kubeconfig: ${file} has no current-context; name one with --context (contexts: ${contexts.join(', ') || 'none'})`);
    if (!contexts.includes(current)) throw new KubeconfigError(`--kubeconfig: ${file}: current-context "${current}" is not among its contexts (${contexts.join(', ') || 'none'})`);
    chosen = [current];
  }
  const names = clusterNames(chosen);
  const store = opts.store ?? DEFAULT_STORE;
  const parsed = configSchema.safeParse({
    clusters: names.map((name, i) => ({ name, kubeconfig: file, context: chosen[i] })),
    storage: /^postgres(ql)?:\/\//.test(store) ? { postgres: store } : { sqlite: store },
  });
  if (!parsed.success) throw new UsageError(`--kubeconfig: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const cfg = parsed.data;
  const clusters: ClusterTarget[] = names.map((name, i) => ({ name, kubeconfig: file, context: chosen[i] as string, labels: {}, configPath: `--context ${chosen[i] as string}` }));
  return {
    file: `${file} (--kubeconfig)`,
    clusters,
    schedule: cfg.schedule,
    storage: 'sqlite' in cfg.storage ? { kind: 'sqlite', path: resolve(cwd, cfg.storage.sqlite) } : { kind: 'postgres', url: cfg.storage.postgres },
    output: { ...cfg.output, dir: resolve(cwd, cfg.output.dir) },
    collect: cfg.collect,
    customControls: [],
    retention: cfg.retention,
    hardening: cfg.hardening,
    reports: [],
    profiles: [],
    log: cfg.log,
    alerts: cfg.alerts,
    // A one-off scan serves nothing.
    server: { listen: undefined, tokens: [], readySlots: cfg.server.readySlots },
    exceptions: cfg.exceptions,
  };
}

/** The error when neither a configuration nor a kubeconfig was given and ./complyd.yaml is absent. */
export function noConfigError(defaultConfig: string, cwd = process.cwd()): ConfigError {
  return new ConfigError(
    `no configuration: ${resolve(cwd, defaultConfig)} does not exist. Either name one with -c FILE, ` +
      `or scan without one: --kubeconfig [FILE] (default: $KUBECONFIG or ~/.kube/config) with --context NAME for each cluster (default: its current context)`,
  );
}
