import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { ClusterTarget } from '../core/types.js';
import { ConfigError } from '../core/errors.js';
import { configSchema, type RawConfig } from './schema.js';

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
  /** Scheduled report jobs, each with its directory resolved. */
  readonly reports: ReadonlyArray<RawConfig['reports'][number] & { dir: string }>;
  readonly log: RawConfig['log'];
}

/** `clusters[1].kubeconfig` from zod's `['clusters', 1, 'kubeconfig']`. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `${keyPath(issue.path)}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${keyPath(issue.path)}: ${issue.message}`;
  });
}

/**
 * Replace `${VAR}` and `${VAR:-default}` in string values, so that credentials such as a
 * PostgreSQL URL can come from the environment instead of the file.
 */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[], issues: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const v = env[name] ?? fallback;
      if (v === undefined) issues.push(`${keyPath(path)}: environment variable ${name} is not set`);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], issues));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], issues)]));
  }
  return value;
}

function resolvePath(base: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Parse and validate config text. `file` is used for messages and to resolve relative paths. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new ConfigError(`${file}: invalid YAML: ${issues.join('; ')}`, issues);
  }
  const envIssues: string[] = [];
  const raw = interpolate(doc.toJS() ?? {}, env, [], envIssues);
  const parsed = configSchema.safeParse(raw);
  const issues = [...envIssues, ...(parsed.success ? [] : formatIssues(parsed.error.issues))];
  if (!parsed.success || issues.length > 0) {
    throw new ConfigError(`${file}: invalid configuration:\n  ${issues.join('\n  ')}`, issues);
  }
  const cfg = parsed.data;
  const base = dirname(resolve(file));
  return {
    file: resolve(file),
    clusters: cfg.clusters.map((c, i) => ({
      name: c.name,
      kubeconfig: resolvePath(base, c.kubeconfig),
      ...(c.context ? { context: c.context } : {}),
      labels: c.labels,
      configPath: `clusters[${i}]`,
    })),
    schedule: cfg.schedule,
    storage: 'sqlite' in cfg.storage ? { kind: 'sqlite', path: resolvePath(base, cfg.storage.sqlite) } : { kind: 'postgres', url: cfg.storage.postgres },
    output: { ...cfg.output, dir: resolvePath(base, cfg.output.dir) },
    collect: cfg.collect,
    retention: cfg.retention,
    reports: cfg.reports.map((job) => ({ ...job, dir: job.dir !== undefined ? resolvePath(base, job.dir) : join(resolvePath(base, cfg.output.dir), job.name) })),
    log: cfg.log,
  };
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new ConfigError(`${file}: cannot read configuration: ${why}`, undefined, { cause: err });
  }
  return parseConfig(text, file, env);
}
