import { closeSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import type { ClusterTarget } from '../core/types.js';
import { ConfigError } from '../core/errors.js';
import { configSchema, type RawConfig } from './schema.js';
import { interpolate } from './interpolate.js';
import { keyPath } from '../core/key-path.js';
import { MAX_CONFIG_BYTES, parseYaml, tooLarge } from './parse-yaml.js';
import { loadCustomControls } from './custom-controls.js';
import type { CustomControlDefinition } from '../core/custom-control.js';
import { parseListen, type ListenAddress } from './listen.js';
import { profileMembers, profileSummary, type Profile, type ProfileSummary } from './profiles.js';

export { keyPath };

export type StorageTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** The validated configuration, with every path made absolute. */
export interface Config {
  readonly file: string;
  readonly clusters: readonly ClusterTarget[];
  readonly schedule: RawConfig['schedule'];
  readonly storage: StorageTarget;
  readonly output: RawConfig['output'];
  readonly collect: RawConfig['collect'];
  readonly retention: RawConfig['retention'];
  readonly hardening: RawConfig['hardening'];
  /**
   * Scheduled report jobs, each with its directory resolved; a profile's jobs follow the
   * top-level ones, with `profile` set and `clusters` limited to the group's.
   */
  readonly reports: ReadonlyArray<RawConfig['reports'][number] & { dir: string; profile?: ProfileSummary }>;
  /** Cluster groups with their own frameworks, floor, gates, exceptions and reports (ADR 0015). */
  readonly profiles: readonly Profile[];
  readonly log: RawConfig['log'];
  /** Webhook alerts after every scan (ADR 0022). */
  readonly alerts: RawConfig['alerts'];
  /** The HTTP server: its address parsed (undefined: off), TLS files absolute. */
  readonly server: ServerConfig;
  /** Exceptions files and directories (absolute) and the longest lifetime allowed, in ms. */
  readonly exceptions: RawConfig['exceptions'];
  /** Custom controls of `controls.dirs`, compiled (their CEL parsed and type-checked). */
  readonly customControls: readonly CustomControlDefinition[];
}

export interface ServerConfig {
  listen: ListenAddress | undefined;
  tokens: readonly string[];
  /** Files of more tokens (absolute), read when the server starts. */
  tokenFiles?: readonly string[];
  tls?: { cert: string; key: string };
  readySlots: number;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `${keyPath(issue.path)}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${keyPath(issue.path)}: ${issue.message}`;
  });
}

function resolvePath(base: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Parse and validate config text. `file` is used for messages and to resolve relative paths. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const envIssues: Array<{ at: string; message: string }> = [];
  const raw = interpolate(parseYaml(text, file) ?? {}, env, (path, message) => envIssues.push({ at: keyPath(path), message }));
  const parsed = configSchema.safeParse(raw);
  // A key whose reference failed holds a made-up value: its schema issue would only repeat the problem.
  const failedKeys = new Set(envIssues.map((i) => i.at));
  const schemaIssues = parsed.success ? [] : parsed.error.issues.filter((i) => !failedKeys.has(keyPath(i.path)));
  const issues = [...envIssues.map((i) => `${i.at}: ${i.message}`), ...formatIssues(schemaIssues)];
  if (!parsed.success || issues.length > 0) {
    throw new ConfigError(`${file}: invalid configuration:\n  ${issues.join('\n  ')}`, issues);
  }
  const cfg = parsed.data;
  const base = dirname(resolve(file));
  const jobDir = (job: { name: string; dir?: string | undefined }) => (job.dir !== undefined ? resolvePath(base, job.dir) : join(resolvePath(base, cfg.output.dir), job.name));
  const members = profileMembers(cfg.clusters, cfg.profiles);
  return {
    file: resolve(file),
    clusters: cfg.clusters.map((c, i) => ({
      name: c.name,
      kubeconfig: resolvePath(base, c.kubeconfig),
      ...(c.context ? { context: c.context } : {}),
      labels: c.labels,
      configPath: `clusters[${i}]`,
      // A cluster's own selection replaces the top-level one whole.
      ...((c.namespaces ?? cfg.namespaces) ? { namespaces: c.namespaces ?? cfg.namespaces } : {}),
    })),
    schedule: cfg.schedule,
    storage: 'sqlite' in cfg.storage ? { kind: 'sqlite', path: resolvePath(base, cfg.storage.sqlite) } : { kind: 'postgres', url: cfg.storage.postgres },
    output: { ...cfg.output, dir: resolvePath(base, cfg.output.dir) },
    collect: cfg.collect,
    retention: cfg.retention,
    hardening: cfg.hardening,
    reports: [
      ...cfg.reports.map((job) => ({ ...job, dir: jobDir(job) })),
      ...cfg.profiles.flatMap((p, i) => p.reports.map((job) => ({ ...job, dir: jobDir(job), clusters: job.clusters ?? members[i] ?? [], profile: profileSummary(p) }))),
    ],
    profiles: cfg.profiles.map((p, i) => ({
      name: p.name,
      selector: p.selector,
      frameworks: p.frameworks,
      ...(p.severityFloor ? { severityFloor: p.severityFloor } : {}),
      gates: p.gates,
      exceptions: p.exceptions.map((e) => resolvePath(base, e)),
      ...(p.enforcement ? { enforcement: p.enforcement } : {}),
      clusters: members[i] ?? [],
      configPath: `profiles[${i}]`,
    })),
    log: cfg.log,
    alerts: cfg.alerts,
    server: {
      listen: parseListen(cfg.server.listen),
      tokens: cfg.server.tokens,
      ...(cfg.server.tokenFiles ? { tokenFiles: cfg.server.tokenFiles.map((f) => resolvePath(base, f)) } : {}),
      ...(cfg.server.tls ? { tls: { cert: resolvePath(base, cfg.server.tls.cert), key: resolvePath(base, cfg.server.tls.key) } } : {}),
      readySlots: cfg.server.readySlots,
    },
    exceptions: { ...cfg.exceptions, paths: cfg.exceptions.paths.map((p) => resolvePath(base, p)) },
    customControls: loadCustomControls(cfg.controls.dirs.map((d) => resolvePath(base, d))),
  };
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig(readConfigText(file), file, env);
}

/** The file's text, read no further than the size limit (so `-c /dev/zero` is refused, not read forever). */
export function readConfigText(file: string, what = 'configuration'): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < buf.length) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_CONFIG_BYTES) throw tooLarge(file);
    return buf.toString('utf8', 0, length);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(err);
    throw new ConfigError(`${file}: cannot read ${what}: ${why}`, undefined, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
