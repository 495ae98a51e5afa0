import { isIP } from 'node:net';
import type { Verdict } from '../../../core/types.js';
import { defaultAdmissionPlugins, flagDefault } from '../../../evaluate/control-plane-defaults.js';
import { parseGoBool, parseGoDuration, parseGoInt, type FlagSetting } from '../../../evaluate/flags.js';
import { evidenceOf, flagPath, notOnOrOff, notesAbout, observed, shown, verdict, type Replica } from './common.js';

/**
 * The rules the flag controls are made of. Each judges one replica and returns one verdict
 * with evidence: the field, the flag as seen (or `<unset> (default: …)`), what is wanted.
 * A value the binary itself would refuse (`--profiling=maybe`) is `unknown`, never a pass.
 */

/** The effective boolean: the flag's value, else the compiled default. */
export function judgeBool(r: Replica, flag: string, want: boolean, expected: string): Verdict {
  const setting = r.flags.flags.get(flag);
  const raw = setting?.value ?? flagDefault(r.component, flag, r.minor, r.flags);
  const evidence = evidenceOf(r, flag, expected);
  const note = notesAbout(r, [flag]);
  if (raw === undefined) return verdict('unknown', r, evidence, `no compiled default is known for --${flag}`);
  const value = parseGoBool(raw);
  if (value === undefined) return verdict('unknown', r, evidence, notOnOrOff(`--${flag}`, raw, r.component));
  return verdict(value === want ? 'pass' : 'fail', r, evidence, note);
}

/** Every flag present with a non-empty value. */
export function judgeSet(r: Replica, flags: readonly string[], expected: string): Verdict {
  const missing = flags.filter((f) => (r.flags.flags.get(f)?.value ?? '') === '');
  const first = missing[0] ?? flags[0] ?? '';
  const shownFlags = flags.map((f) => (r.flags.flags.has(f) ? observed(r, f) : `--${f}: <unset>`)).join('; ');
  const evidence = { path: flagPath(r, r.flags.flags.get(first)), observed: shownFlags, expected };
  return verdict(missing.length === 0 ? 'pass' : 'fail', r, evidence, notesAbout(r, flags));
}

/** The flag absent. Any presence fails, even with an empty value (kube-bench's reading). */
export function judgeUnset(r: Replica, flag: string, expected: string): Verdict {
  return verdict(r.flags.flags.has(flag) ? 'fail' : 'pass', r, evidenceOf(r, flag, expected));
}

/** An integer flag (Go syntax: `0x1e`, `036` is octal) at least `min`. */
export function judgeIntAtLeast(r: Replica, flag: string, min: number, expected: string): Verdict {
  const raw = r.flags.flags.get(flag)?.value ?? flagDefault(r.component, flag, r.minor, r.flags);
  const evidence = evidenceOf(r, flag, expected);
  if (raw === undefined) return verdict('fail', r, evidence);
  const n = parseGoInt(raw);
  if (n === undefined) return verdict('unknown', r, evidence, `"${raw}" is not an integer: ${r.component} would refuse to start with it`);
  const note = String(n) === raw ? undefined : `${raw} is read as ${n}`;
  return verdict(n >= min ? 'pass' : 'fail', r, evidence, note);
}

/** A Go duration flag within (minMs, maxMs]. */
export function judgeDurationWithin(r: Replica, flag: string, minExclusiveMs: number, maxMs: number, expected: string): Verdict {
  const raw = r.flags.flags.get(flag)?.value ?? flagDefault(r.component, flag, r.minor, r.flags);
  const evidence = evidenceOf(r, flag, expected);
  if (raw === undefined) return verdict('fail', r, evidence);
  const ms = parseGoDuration(raw);
  if (ms === undefined) return verdict('unknown', r, evidence, `"${raw}" is not a Go duration: ${r.component} would refuse to start with it`);
  return verdict(ms > minExclusiveMs && ms <= maxMs ? 'pass' : 'fail', r, evidence);
}

const AUTHORIZATION_MODES: ReadonlySet<string> = new Set(['AlwaysAllow', 'AlwaysDeny', 'ABAC', 'Webhook', 'RBAC', 'Node']);

/**
 * Why kube-apiserver would refuse this --authorization-mode list (its options validation):
 * no mode, a mode it does not know (names are case-sensitive), a mode named twice (repeated
 * flags accumulate, so `--authorization-mode=Node,RBAC --authorization-mode=RBAC` is one),
 * Webhook or ABAC without the file they need.
 */
function refusedAuthorizationModes(r: Replica, modes: readonly string[]): string | undefined {
  if (modes.length === 0) return '--authorization-mode names no mode';
  const unknownModes = modes.filter((m) => !AUTHORIZATION_MODES.has(m));
  if (unknownModes.length > 0) return `${unknownModes.map((m) => `"${m}"`).join(', ')} is not an authorization mode (accepted: ${[...AUTHORIZATION_MODES].join(', ')})`;
  const twice = modes.filter((m, i) => modes.indexOf(m) !== i);
  if (twice.length > 0) return `${[...new Set(twice)].join(', ')} is named more than once in --authorization-mode`;
  const needsFile = (mode: string, flag: string) => modes.includes(mode) && (r.flags.flags.get(flag)?.value ?? '') === '';
  if (needsFile('Webhook', 'authorization-webhook-config-file')) return 'mode Webhook without --authorization-webhook-config-file';
  if (needsFile('ABAC', 'authorization-policy-file')) return 'mode ABAC without --authorization-policy-file';
  return undefined;
}

/**
 * kube-apiserver's authorizer chain: `--authorization-mode` (default AlwaysAllow). With
 * `--authorization-config` the chain is in a file the API does not show: unknown.
 */
export function judgeAuthorizationMode(r: Replica, mode: string, want: boolean, expected: string): Verdict {
  const config = r.flags.flags.get('authorization-config');
  if (config) {
    return verdict('unknown', r, { path: flagPath(r, config), observed: shown(config), expected }, 'the authorizer chain is defined in the file named by --authorization-config (structured authorization configuration), which the API does not show');
  }
  const setting = r.flags.flags.get('authorization-mode');
  const refused = setting ? refusedAuthorizationModes(r, setting.values) : undefined;
  if (refused) return verdict('unknown', r, evidenceOf(r, 'authorization-mode', expected), `${refused}: kube-apiserver refuses to start with it`);
  const modes = setting?.values ?? [flagDefault(r.component, 'authorization-mode', r.minor, r.flags) ?? 'AlwaysAllow'];
  return verdict(modes.includes(mode) === want ? 'pass' : 'fail', r, evidenceOf(r, 'authorization-mode', expected));
}

const ADMISSION_FLAGS = ['admission-control', 'enable-admission-plugins', 'disable-admission-plugins'] as const;

interface AdmissionView {
  enabled?: ReadonlySet<string>;
  /** Why the set cannot be known: flags the API server would refuse. */
  conflict?: string;
  present: FlagSetting[];
}

/**
 * The admission plugins kube-apiserver runs: the default-on list plus --enable-admission-plugins
 * minus --disable-admission-plugins; the deprecated --admission-control replaces the list.
 */
function admissionOf(r: Replica): AdmissionView {
  const get = (f: string) => r.flags.flags.get(f);
  const present = ADMISSION_FLAGS.flatMap((f) => get(f) ?? []);
  const legacy = get('admission-control');
  const enable = get('enable-admission-plugins')?.values ?? [];
  const disable = get('disable-admission-plugins')?.values ?? [];
  if (legacy && present.length > 1) return { present, conflict: '--admission-control cannot be combined with --enable-admission-plugins or --disable-admission-plugins: the API server refuses to start' };
  if (legacy) return { present, enabled: new Set(legacy.values) };
  const both = enable.filter((p) => disable.includes(p));
  if (both.length > 0) return { present, conflict: `${both.join(', ')} is both enabled and disabled: the API server refuses to start` };
  const enabled = new Set([...defaultAdmissionPlugins(r.minor), ...enable]);
  for (const p of disable) enabled.delete(p);
  return { present, enabled };
}

/** An admission plugin on (`want` true) or off. */
export function judgeAdmissionPlugin(r: Replica, plugin: string, want: boolean, expected: string): Verdict {
  const view = admissionOf(r);
  const named = view.present.some((s) => s.values.includes(plugin));
  const byDefault = defaultAdmissionPlugins(r.minor).includes(plugin);
  const seen = view.present.map(shown).join('; ') || '<unset>';
  const evidence = {
    path: flagPath(r, view.present.at(-1)),
    observed: named || view.present.some((s) => s.name === 'admission-control') ? seen : `${seen} (${plugin} is ${byDefault ? 'on' : 'off'} by default)`,
    expected,
  };
  if (!view.enabled) return verdict('unknown', r, evidence, view.conflict);
  return verdict(view.enabled.has(plugin) === want ? 'pass' : 'fail', r, evidence);
}

/**
 * Loopback addresses a component can bind to without listening on the network. --bind-address
 * is an IP flag: a host name such as `localhost` is not accepted by the binary at all.
 */
export function isLoopback(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1';
}

/**
 * kube-controller-manager / kube-scheduler serve on loopback only. An absent --bind-address
 * means 0.0.0.0 (the compiled default): that fails. So does an empty one, which pflag's IP
 * flag reads as "keep the default" (older pflag versions refuse it; neither is loopback).
 * A value that is not an IP address is refused by the binary: unknown. `--secure-port=0`
 * turns serving off: passes.
 */
export function judgeLoopbackBind(r: Replica, expected: string): Verdict {
  const port = r.flags.flags.get('secure-port');
  if (port && parseGoInt(port.value) === 0) return verdict('pass', r, evidenceOf(r, 'secure-port', expected), 'secure serving is turned off (--secure-port=0), so nothing listens');
  const fallback = flagDefault(r.component, 'bind-address', r.minor, r.flags) ?? '0.0.0.0';
  const given = r.flags.flags.get('bind-address')?.value.trim();
  const address = given === undefined || given === '' ? fallback : given;
  const evidence = evidenceOf(r, 'bind-address', expected);
  if (isIP(address) === 0) return verdict('unknown', r, evidence, `--bind-address="${address}" is not an IP address: ${r.component} refuses to start with it`);
  return verdict(isLoopback(address) ? 'pass' : 'fail', r, evidence);
}
