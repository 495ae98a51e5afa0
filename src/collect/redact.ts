/**
 * Secret values that pod specs carry in plain text (a flag's literal token, an env variable's
 * password, credentials in a URL) are replaced here, on arrival, by a marker that keeps their
 * length and nothing else: `<redacted:24 chars>`. Nothing after the collector (evaluation,
 * store, logs, reports) ever holds them, and a control that only needs a value to be present
 * still sees one.
 *
 * What counts as secret is decided by name, as the Kubernetes flag references and common
 * practice name them: a flag, variable or annotation whose name contains password, passwd,
 * passphrase, secret, token or credential, or has a word key, auth, pass, apikey or bearer, or
 * pwd beside another word (PWD alone is the working directory), or ends in the word jwt. Not
 * redacted, because they are not secrets and controls read them:
 * - names that end in file, dir, path, config, kubeconfig, ttl, expiration or version
 *   (`--token-auth-file`, `--service-account-key-file`, `ETCD_KEY_FILE`): a path or a setting
 *   about the secret, not the secret; and the switches and paths of NOT_SECRET_FLAGS;
 * - Go booleans (`--anonymous-auth=false`, `ETCD_CLIENT_CERT_AUTH=true`): a switch, not a secret;
 * - empty values, which controls must still tell from absent ones.
 */

import { isSecretName } from '../core/secret-names.js';

const MARKER = /^<redacted:\d+ chars>$/;

/** The marker that replaces `value` (an already redacted value stays as it is). */
export function redacted(value: string): string {
  return MARKER.test(value) ? value : `<redacted:${value.length} chars>`;
}

export { isSecretName };

const GO_BOOLEANS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** `value` as kept under `name`: redacted when the name marks a secret and the value could be one. */
function valueUnder(name: string, value: string): string {
  if (value === '' || GO_BOOLEANS.has(value) || !isSecretName(name)) return scrubUrlCredentials(value);
  return redacted(value);
}

/** `https://user:password@host` keeps the user and loses the password, wherever it appears. */
export function scrubUrlCredentials(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):([^\s/@]+)@/gi, (_whole, head: string, password: string) => `${head}:${redacted(password)}@`);
}

const FLAG_WITH_VALUE = /^(-{1,2})([^=\s]+)=([^]*)$/;
const BARE_FLAG = /^-{1,2}([^=\s-][^=\s]*)$/;
const ENV_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([^]*)$/;
/** A flag inside a shell string (`sh -c "kube-apiserver --x=y"`): dashes, name, separator, value. */
const FLAG_IN_TEXT = /(^|\s)(-{1,2})([A-Za-z0-9][\w.-]*)(=|\s+)(?!-)("[^"]*"|'[^']*'|[^\s"']+)/g;

/** One argv word on its own: `--name=value`, `NAME=value`, or a shell string holding flags. */
function redactWord(word: string): string {
  // Most words carry no value at all: a program, a path, a bare flag.
  if (!word.includes('=') && !word.includes('@') && !/\s/.test(word)) return word;
  const flag = FLAG_WITH_VALUE.exec(word);
  if (flag && !/\s/.test(flag[2] ?? '')) return withValue(word, flag[1] ?? '', flag[2] ?? '', flag[3] ?? '');
  const assignment = ENV_ASSIGNMENT.exec(word);
  if (assignment) return withValue(word, '', assignment[1] ?? '', assignment[2] ?? '');
  if (/\s-/.test(` ${word}`) && /\s/.test(word)) {
    return scrubUrlCredentials(
      word.replace(FLAG_IN_TEXT, (whole, lead: string, dashes: string, name: string, sep: string, value: string) => {
        const quote = /^["']/.test(value) ? value[0] ?? '' : '';
        const inner = quote ? value.slice(1, -1) : value;
        const kept = valueUnder(name, inner);
        return kept === inner ? whole : `${lead}${dashes}${name}${sep}${quote}${kept}${quote}`;
      }),
    );
  }
  return scrubUrlCredentials(word);
}

/** `<dashes><name>=<value>` with its value as kept; the word itself when that changes nothing. */
function withValue(word: string, dashes: string, name: string, value: string): string {
  const kept = valueUnder(name, value);
  return kept === value ? word : `${dashes}${name}=${kept}`;
}

/**
 * A command line with its secret values redacted: `--name=value`, `--name value` (the next
 * word, unless it is a flag), `NAME=value`, flags inside a shell string, URL passwords.
 */
export function redactArgv(argv: readonly string[]): string[] {
  return redactArgvIfNeeded(argv) ?? [...argv];
}

/** The redacted command line, or undefined when nothing in it needs redacting (most do not). */
function redactArgvIfNeeded(argv: readonly string[]): string[] | undefined {
  let out: string[] | undefined;
  const set = (i: number, word: string) => {
    if (word === argv[i]) return;
    out ??= [...argv];
    out[i] = word;
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    set(i, redactWord(word));
    if (i + 1 >= argv.length || !word.startsWith('-') || word.includes('=')) continue;
    const bare = BARE_FLAG.exec(word);
    const next = argv[i + 1] ?? '';
    if (bare && !next.startsWith('-') && isSecretName(bare[1] ?? '')) {
      set(i + 1, valueUnder(bare[1] ?? '', next));
      i++;
    }
  }
  return out;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

/**
 * Literal env values kept where a binary complyd judges reads them: variables named in
 * `$(…)` by the command line (or by another kept variable), and etcd's ETCD_* variables,
 * which etcd reads as flags. Every other literal value is replaced by its marker (its
 * presence stays visible), and so is one whose name marks a secret even where it is read.
 * `valueFrom` references (a Secret's name and key, never its value) are kept.
 */
export function redactEnv(env: readonly EnvVar[], argv: readonly string[]): EnvVar[] {
  if (!env.some((e) => typeof e.value === 'string')) return [...env];
  const read = namesReferenced(env, argv);
  return env.map((e) => {
    if (typeof e.value !== 'string') return e;
    const kept = read.has(e.name) || e.name.startsWith('ETCD_') ? valueUnder(e.name, e.value) : redacted(e.value);
    return kept === e.value ? e : { ...e, value: kept };
  });
}

const NO_NAMES: ReadonlySet<string> = new Set();

function namesReferenced(env: readonly EnvVar[], argv: readonly string[]): ReadonlySet<string> {
  if (!argv.some((w) => w.includes('$('))) return NO_NAMES;
  const names = new Set<string>();
  const add = (text: string) => {
    if (!text.includes('$(')) return;
    for (const m of text.matchAll(/\$\(([^)]*)\)/g)) names.add(m[1] ?? '');
  };
  argv.forEach(add);
  // A kept variable's own value may name others (`URL=https://$(HOST):443`).
  let size = -1;
  while (size !== names.size) {
    size = names.size;
    for (const e of env) if (names.has(e.name) && typeof e.value === 'string') add(e.value);
  }
  return names;
}

/** HTTP headers a probe sends that carry credentials. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token']);

export function redactHeaders(headers: ReadonlyArray<{ name: string; value: string }>): Array<{ name: string; value: string }> {
  return headers.map((h) => (typeof h.value === 'string' && (SECRET_HEADERS.has(String(h.name).toLowerCase()) || isSecretName(String(h.name))) ? { ...h, value: redacted(h.value) } : h));
}

/**
 * An annotation as kept: `undefined` to drop it (a copy of the whole object, which can hold
 * a Secret's data or every env value), else its value, redacted when the key marks a secret.
 */
export function keptAnnotation(key: string, value: string): string | undefined {
  if (MANIFEST_ANNOTATIONS.has(key) || (value.includes('"apiVersion"') && value.includes('"kind"'))) return undefined;
  const slash = key.lastIndexOf('/');
  return valueUnder(key.slice(slash + 1), value);
}

/** Annotations that hold the applied object itself (kubectl, kapp, Rancher). */
const MANIFEST_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', 'kapp.k14s.io/original', 'objectset.rio.cattle.io/applied']);

type Raw = Record<string, unknown>;
const isRaw = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((w) => typeof w === 'string');

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;

/**
 * Redact, in place, what the containers of a pod spec carry in plain text: command and args,
 * env values, the commands and HTTP headers of probes and lifecycle hooks. `spec` must be the
 * caller's own (just parsed, or copied). Fields of an unexpected shape are left for the shape
 * checks to refuse; this never throws.
 */
export function redactPodSpecInPlace(spec: Raw): void {
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const c of containers) if (isRaw(c)) redactContainerInPlace(c);
  }
}

function redactContainerInPlace(c: Raw): void {
  const command = isStrings(c.command) ? c.command : [];
  const args = isStrings(c.args) ? c.args : [];
  const argv = args.length === 0 ? command : command.length === 0 ? args : [...command, ...args];
  const redactedArgv = redactArgvIfNeeded(argv);
  if (redactedArgv) {
    if (isStrings(c.command)) c.command = redactedArgv.slice(0, command.length);
    if (isStrings(c.args)) c.args = redactedArgv.slice(command.length);
  }
  if (Array.isArray(c.env) && c.env.every((e) => isRaw(e) && typeof e.name === 'string')) {
    const env = redactEnv(c.env as EnvVar[], argv);
    if (env.some((e, i) => e !== (c.env as EnvVar[])[i])) c.env = env;
  }
  for (const key of PROBES) redactHandlerInPlace(c[key]);
  if (isRaw(c.lifecycle)) for (const key of HOOKS) redactHandlerInPlace(c.lifecycle[key]);
}

function redactHandlerInPlace(handler: unknown): void {
  if (!isRaw(handler)) return;
  if (isRaw(handler.exec) && isStrings(handler.exec.command)) handler.exec.command = redactArgv(handler.exec.command);
  const headers = isRaw(handler.httpGet) ? handler.httpGet.httpHeaders : undefined;
  if (isRaw(handler.httpGet) && Array.isArray(headers) && headers.every((h) => isRaw(h) && typeof h.name === 'string' && typeof h.value === 'string')) {
    handler.httpGet.httpHeaders = redactHeaders(headers as Array<{ name: string; value: string }>);
  }
}
