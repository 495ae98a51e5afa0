/**
 * Command-line flags of the control-plane components, read the way the binaries read them
 * (catalog section 0.1). Pure: a container's argv and env in, the flags it sets out.
 *
 * - kube-apiserver, kube-controller-manager and kube-scheduler parse with spf13/pflag:
 *   `--k=v` or `--k v`; a boolean flag takes its value only as `--k=v` (a bare `--k` is true
 *   and never consumes the next word); `_` in a name means `-` (Kubernetes normalises names).
 * - etcd parses with Go's `flag` package (`-k` and `--k` are the same) and also reads
 *   `ETCD_<FLAG>` variables for flags not given on the command line.
 * - `$(VAR)` is expanded from the container's env before the binary sees its arguments,
 *   as the kubelet does (`$$(VAR)` is a literal `$(VAR)`; an unknown variable stays as is).
 * - A scalar flag given twice: the last one wins. A list flag accumulates every occurrence.
 * - A flag followed by another flag, or last, has an empty value unless it is a known boolean:
 *   complyd never reads the next flag as a value, so one unlisted boolean cannot hide a flag.
 * - A shell wrapper (`sh -c '…'`) or an empty argv makes the flags unreadable (`opaque`).
 */

import type { ComponentName } from '../core/components.js';

/** How a flag takes its value: bool, scalar (last wins), csv list (comma-split, accumulates), array (accumulates, not split), map (`k=v` pairs, accumulates). */
export type FlagKind = 'bool' | 'scalar' | 'csv' | 'array' | 'map';

interface FlagTable {
  /** pflag (Kubernetes binaries) or Go's flag package (etcd). */
  readonly syntax: 'pflag' | 'goflag';
  readonly bool: ReadonlySet<string>;
  readonly csv: ReadonlySet<string>;
  readonly array: ReadonlySet<string>;
  readonly map: ReadonlySet<string>;
  /** Prefix of the environment variables the binary reads as flags. */
  readonly envPrefix?: string;
}

/** Flags every Kubernetes binary has (logging, generic serving, leader election). */
const KUBE_BOOL = [
  'profiling',
  'contention-profiling',
  'permit-port-sharing',
  'permit-address-sharing',
  'leader-elect',
  'logtostderr',
  'alsologtostderr',
  'one-output',
  'skip-headers',
  'skip-log-headers',
  'add-dir-header',
  'log-json-split-stream',
  'log-text-split-stream',
  'authentication-skip-lookup',
  'authentication-tolerate-lookup-failure',
  'help',
];
const KUBE_CSV = ['tls-cipher-suites', 'authorization-always-allow-paths', 'requestheader-allowed-names', 'requestheader-username-headers', 'requestheader-group-headers', 'requestheader-extra-headers-prefix', 'requestheader-uid-headers'];
const KUBE_MAP = ['feature-gates'];

const FLAG_TABLES: Record<ComponentName, FlagTable> = {
  'kube-apiserver': {
    syntax: 'pflag',
    bool: new Set([
      ...KUBE_BOOL,
      'anonymous-auth',
      'allow-privileged',
      'enable-bootstrap-token-auth',
      'service-account-lookup',
      'service-account-extend-token-expiration',
      'enable-aggregator-routing',
      'enable-garbage-collector',
      'enable-priority-and-fairness',
      'enable-logs-handler',
      'audit-log-compress',
      'audit-log-truncate-enabled',
      'audit-webhook-truncate-enabled',
      'watch-cache',
      'delete-collection-workers-enabled',
      'storage-initialization-timeout-enabled',
      'etcd-healthcheck-enabled',
      'disable-http2-serving',
    ]),
    csv: new Set([
      ...KUBE_CSV,
      'enable-admission-plugins',
      'disable-admission-plugins',
      'admission-control',
      'authorization-mode',
      'api-audiences',
      'cors-allowed-origins',
      'etcd-servers',
      'etcd-servers-overrides',
      'kubelet-preferred-address-types',
      'oidc-signing-algs',
      'watch-cache-sizes',
    ]),
    array: new Set(['service-account-key-file', 'service-account-issuer', 'tls-sni-cert-key']),
    map: new Set([...KUBE_MAP, 'runtime-config', 'oidc-required-claim']),
  },
  'kube-controller-manager': {
    syntax: 'pflag',
    bool: new Set([
      ...KUBE_BOOL,
      'use-service-account-credentials',
      'allocate-node-cidrs',
      'configure-cloud-routes',
      'enable-dynamic-provisioning',
      'enable-garbage-collector',
      'enable-hostpath-provisioner',
      'enable-leader-migration',
      'disable-attach-detach-reconcile-sync',
      'disable-force-detach-on-timeout',
    ]),
    csv: new Set([...KUBE_CSV, 'controllers']),
    array: new Set(),
    map: new Set(KUBE_MAP),
  },
  'kube-scheduler': {
    syntax: 'pflag',
    bool: new Set(KUBE_BOOL),
    csv: new Set(KUBE_CSV),
    array: new Set(),
    map: new Set(KUBE_MAP),
  },
  etcd: {
    syntax: 'goflag',
    bool: new Set([
      'client-cert-auth',
      'peer-client-cert-auth',
      'auto-tls',
      'peer-auto-tls',
      'enable-v2',
      'enable-pprof',
      'enable-grpc-gateway',
      'enable-log-rotation',
      'strict-reconfig-check',
      'force-new-cluster',
      'pre-vote',
      'debug',
      'socket-reuse-port',
      'socket-reuse-address',
      'unsafe-no-fsync',
      'client-cert-allowed-hostname-check',
      'peer-skip-client-san-verification',
      'experimental-peer-skip-client-san-verification',
      'experimental-initial-corrupt-check',
      'experimental-compact-hash-check-enabled',
      'experimental-enable-distributed-tracing',
      'experimental-enable-lease-checkpoint',
      'experimental-enable-lease-checkpoint-persist',
      'experimental-memory-mlock',
      'experimental-stop-grpc-service-on-defrag',
    ]),
    csv: new Set(),
    array: new Set(),
    map: new Set(),
    envPrefix: 'ETCD_',
  },
};

/** How `flag` of `component` takes its value. Flags complyd does not list are scalars. */
export function flagKind(component: ComponentName, flag: string): FlagKind {
  const t = FLAG_TABLES[component];
  if (t.bool.has(flag)) return 'bool';
  if (t.csv.has(flag)) return 'csv';
  if (t.array.has(flag)) return 'array';
  if (t.map.has(flag)) return 'map';
  return 'scalar';
}

/** One place a flag was set. */
export interface FlagOccurrence {
  /** As written: `--anonymous-auth=false`, `--audit-log-path /var/log/audit.log`, `ETCD_CLIENT_CERT_AUTH=true`. */
  readonly raw: string;
  /** The value after `$(VAR)` expansion; `true` for a bare boolean flag. */
  readonly value: string;
  readonly source: 'argv' | 'env';
  /** Position of the flag word in argv (command followed by args). */
  readonly index?: number;
  /** The environment variable, for source `env`. */
  readonly env?: string;
}

/** A flag as the binary ends up with it. */
export interface FlagSetting {
  readonly name: string;
  readonly kind: FlagKind;
  /** Scalars and booleans: the last value. Lists and maps: the accumulated items joined with commas. */
  readonly value: string;
  /** Lists and maps: every item of every occurrence, in order. Scalars: the last value alone. */
  readonly values: readonly string[];
  /** Every occurrence, in order; the one that counts for a scalar is the last. */
  readonly occurrences: readonly FlagOccurrence[];
}

export interface ParsedFlags {
  readonly component: ComponentName;
  /** Words before the first flag: the binary (`kube-apiserver`, `/usr/local/bin/etcd`...). */
  readonly program: readonly string[];
  readonly flags: ReadonlyMap<string, FlagSetting>;
  /** Words that are neither a flag nor a flag's value. */
  readonly positional: readonly string[];
  /** Things an auditor should know about how the flags were read (stray words, unresolved variables...). */
  readonly notes: readonly string[];
  /** Set when the flags cannot be read from argv at all (a shell wrapper, no argv): why. */
  readonly opaque?: string;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'busybox']);

/** Go's strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

const GO_INT = /^[+-]?(0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO](_?[0-7])+|0(_?[0-7])*|[1-9](_?[0-9])*)$/;

/** Go's strconv.ParseInt(s, 0, 64), as pflag's int flags use it: `0x1f`, `0o17`, `017` (octal), `1_000`. */
export function parseGoInt(s: string): number | undefined {
  if (!GO_INT.test(s)) return undefined;
  const negative = s.startsWith('-');
  const body = s.replace(/^[+-]/, '').replace(/_/g, '');
  let n: number;
  if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
  else if (body.length > 1 && body.startsWith('0')) n = parseInt(body.slice(1), 8);
  else n = parseInt(body, 10);
  return negative ? -n : n;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds: `1m0s`, `300s`, `1.5h`, `0`. */
export function parseGoDuration(s: string): number | undefined {
  const m = /^([+-]?)(.*)$/.exec(s);
  const sign = m?.[1] === '-' ? -1 : 1;
  const rest = m?.[2] ?? '';
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < rest.length) {
    part.lastIndex = at;
    const p = part.exec(rest);
    if (!p) return undefined;
    total += Number(p[1]) * (DURATION_UNITS[p[2] ?? ''] ?? NaN);
    at = part.lastIndex;
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

/**
 * Kubernetes' `$(VAR)` expansion of command, args and env values: a defined variable is
 * replaced, `$$` is a literal `$`, anything else (an unknown variable, a lone `$`) stays.
 */
export function expandVars(s: string, vars: ReadonlyMap<string, string>): { value: string; unresolved: string[] } {
  let out = '';
  const unresolved: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '$' || i + 1 >= s.length) {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = s.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
        continue;
      }
      const name = s.slice(i + 2, close);
      const value = vars.get(name);
      if (value === undefined) {
        unresolved.push(name);
        out += `$(${name})`;
      } else out += value;
      i = close + 1;
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return { value: out, unresolved };
}

/** Env values may refer to variables defined before them; the result maps each name to its expanded value. */
function expandEnv(env: Readonly<Record<string, string>>): Map<string, string> {
  const vars = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) vars.set(name, expandVars(value, vars).value);
  return vars;
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

class FlagBuilder {
  readonly occurrences = new Map<string, FlagOccurrence[]>();
  readonly notes: string[] = [];
  readonly positional: string[] = [];

  add(name: string, occurrence: FlagOccurrence): void {
    const list = this.occurrences.get(name);
    if (list) list.push(occurrence);
    else this.occurrences.set(name, [occurrence]);
  }

  settings(component: ComponentName): Map<string, FlagSetting> {
    const out = new Map<string, FlagSetting>();
    for (const [name, occurrences] of this.occurrences) {
      const kind = flagKind(component, name);
      const last = occurrences[occurrences.length - 1]?.value ?? '';
      if (kind === 'bool' || kind === 'scalar') {
        out.set(name, { name, kind, value: last, values: [last], occurrences });
        continue;
      }
      const values = kind === 'array' ? occurrences.map((o) => o.value) : occurrences.flatMap((o) => splitList(o.value));
      out.set(name, { name, kind, value: values.join(','), values, occurrences });
    }
    return out;
  }
}

/** A csv or map flag's items: comma-split, trimmed, empty items dropped (`--x=` is an empty list). */
function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/**
 * Read a container's flags. `argv` is command followed by args, exactly as the pod spec has
 * them; `env` holds the container's literal env values (valueFrom variables are unknown).
 */
export function parseFlags(component: ComponentName, argv: readonly string[], env: Readonly<Record<string, string>> = {}): ParsedFlags {
  const table = FLAG_TABLES[component];
  const vars = expandEnv(env);
  const b = new FlagBuilder();
  const words = argv.map((raw) => {
    const { value, unresolved } = expandVars(raw, vars);
    for (const name of unresolved) b.notes.push(`${raw}: $(${name}) is not a literal env variable of the container, so it is left unexpanded`);
    return value;
  });

  let i = 0;
  const program: string[] = [];
  while (i < words.length && !(words[i] ?? '').startsWith('-')) program.push(words[i++] ?? '');
  const opaque = (why: string): ParsedFlags => ({ component, program, flags: new Map(), positional: [], notes: b.notes, opaque: why });
  if (argv.length === 0) return opaque("the container has neither command nor args: its flags come from the image's entrypoint, which the API does not show");
  if (program[0] !== undefined && SHELLS.has(basename(program[0])) && words.includes('-c')) {
    return opaque(`the component is started through a shell (${program[0]} -c ...); complyd does not interpret shell scripts`);
  }

  while (i < words.length) {
    const word = words[i] ?? '';
    const raw = argv[i] ?? '';
    if (word === '--') {
      b.positional.push(...words.slice(i + 1));
      break;
    }
    const long = word.startsWith('--') ? word.slice(2) : table.syntax === 'goflag' && word.startsWith('-') && word.length > 1 ? word.slice(1) : undefined;
    if (long === undefined) {
      i = shorthandOrPositional(words, argv, i, table, b);
      continue;
    }
    i = longFlag(component, table, long, words, argv, i, raw, b);
  }

  if (table.envPrefix) addEnvFlags(table.envPrefix, env, vars, b);
  const flags = b.settings(component);
  return { component, program, flags, positional: b.positional, notes: b.notes };
}

/** One `--name[=value]` word (and its value word when it takes one); returns the next index. */
function longFlag(component: ComponentName, table: FlagTable, long: string, words: readonly string[], argv: readonly string[], i: number, raw: string, b: FlagBuilder): number {
  const eq = long.indexOf('=');
  let name = eq < 0 ? long : long.slice(0, eq);
  if (table.syntax === 'pflag') name = name.replace(/_/g, '-');
  if (eq >= 0) {
    b.add(name, { raw, value: long.slice(eq + 1), source: 'argv', index: i });
    return i + 1;
  }
  const next = words[i + 1];
  const kind = flagKind(component, name);
  if (kind === 'bool') {
    b.add(name, { raw, value: 'true', source: 'argv', index: i });
    if (next !== undefined && parseGoBool(next) !== undefined) {
      b.notes.push(`${raw} ${argv[i + 1] ?? ''}: a boolean flag takes a value only as ${raw}=value, so the binary reads ${raw} as true and "${next}" as a stray argument`);
    }
    return i + 1;
  }
  // A flag followed by another flag (or by nothing) has no value here. It is most likely a
  // boolean complyd does not list; reading the next flag as its value (as pflag would for a
  // string flag) could hide that flag. Its value is empty: a rule that needs one does not pass.
  if (next === undefined || next.startsWith('-')) {
    b.add(name, { raw, value: '', source: 'argv', index: i });
    b.notes.push(`${raw} has no value`);
    return i + 1;
  }
  b.add(name, { raw: `${raw} ${argv[i + 1] ?? ''}`, value: next, source: 'argv', index: i });
  return i + 2;
}

/** `-v=2` / `-v 2` (klog's verbosity, the only shorthand the Kubernetes binaries have), or a stray word. */
function shorthandOrPositional(words: readonly string[], argv: readonly string[], i: number, table: FlagTable, b: FlagBuilder): number {
  const word = words[i] ?? '';
  if (table.syntax === 'pflag' && /^-[a-zA-Z]/.test(word)) {
    const next = words[i + 1];
    return !word.includes('=') && word.length === 2 && next !== undefined && !next.startsWith('-') ? i + 2 : i + 1;
  }
  b.positional.push(word);
  b.notes.push(`"${argv[i] ?? word}" is neither a flag nor a flag's value`);
  return i + 1;
}

/** etcd's `ETCD_<FLAG>` variables, for flags the command line does not set (the command line wins). */
function addEnvFlags(prefix: string, env: Readonly<Record<string, string>>, vars: ReadonlyMap<string, string>, b: FlagBuilder): void {
  for (const key of Object.keys(env)) {
    if (!key.startsWith(prefix) || key.length === prefix.length) continue;
    const name = key.slice(prefix.length).toLowerCase().replace(/_/g, '-');
    const value = vars.get(key) ?? '';
    if (b.occurrences.has(name)) {
      b.notes.push(`${key} is ignored: --${name} is also given on the command line, which wins`);
      continue;
    }
    b.add(name, { raw: `${key}=${value}`, value, source: 'env', env: key });
  }
}

/** The value of a `--feature-gates` entry, `undefined` when the flag does not name the gate (later entries win). */
export function featureGate(flags: ParsedFlags, gate: string): { value: string; raw: string } | undefined {
  const setting = flags.flags.get('feature-gates');
  if (!setting) return undefined;
  let found: { value: string; raw: string } | undefined;
  for (const o of setting.occurrences) {
    for (const item of splitList(o.value)) {
      const eq = item.indexOf('=');
      if (eq > 0 && item.slice(0, eq).trim() === gate) found = { value: item.slice(eq + 1).trim(), raw: o.raw };
    }
  }
  return found;
}
