import type { Evidence, Provider, ResourceRef, Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import { flagDefault } from '../../../evaluate/control-plane-defaults.js';
import type { ComponentName } from '../../../core/components.js';
import { parseFlags, type FlagSetting, type ParsedFlags } from '../../../evaluate/flags.js';
import type { PodSpec } from '../../../core/pod-spec.js';
import type { Framework } from '../../../core/control.js';
import { notApplicable, unknown } from '../../verdicts.js';

/**
 * What the CIS control-plane controls (sections 1.2-1.4, 2, 3) share: where the flags of each
 * replica come from, what to say when no replica is visible, and how a flag is shown as
 * evidence. The rules themselves are in rules.ts.
 */

export const APISERVER: ComponentName = 'kube-apiserver';
export const CONTROLLER_MANAGER: ComponentName = 'kube-controller-manager';
export const SCHEDULER: ComponentName = 'kube-scheduler';
export const ETCD: ComponentName = 'etcd';

export const SECTION = {
  apiServer: 'CIS 1.2: API server',
  controllerManager: 'CIS 1.3: controller manager',
  scheduler: 'CIS 1.4: scheduler',
  etcd: 'CIS 2: etcd',
  authn: 'CIS 3.1: authentication and authorization',
  logging: 'CIS 3.2: logging',
} as const;

/** NSA/CISA hardening guide themes, as the catalog's mapping table names them. */
export const NSA = {
  controlPlane: 'Network separation: control-plane hardening',
  encryption: 'Network separation: encryption of secrets at rest',
  authn: 'Authentication & authorization: no anonymous access; strong authN',
  rbac: 'Authentication & authorization: RBAC least privilege',
  audit: 'Audit logging & threat detection: API audit logging',
} as const;

export const CIS_ONLY: readonly Framework[] = ['cis-1.12'];
export const CIS_AND_NSA: readonly Framework[] = ['cis-1.12', 'nsa'];

/**
 * Providers whose control plane is not ours to judge with this benchmark: the managed services
 * run it out of sight, and OpenShift runs it through its operators, outside kube-system, with
 * its own CIS benchmark (CIS Red Hat OpenShift Container Platform).
 */
export const MANAGED_PROVIDERS: ReadonlySet<Provider> = new Set(['eks', 'gke', 'aks', 'openshift']);

/** One running copy of a component, as its mirror pod (or static pod manifest) shows it. */
export interface Replica {
  readonly component: ComponentName;
  /** The mirror pod, and the component's container in it. */
  readonly resource: ResourceRef;
  readonly flags: ParsedFlags;
  /** Kubernetes minor version of the cluster, when known. */
  readonly minor?: number;
  /** `spec.containers[<name>]`. */
  readonly containerPath: string;
  /** Where the argv word at `index` sits (`….command` or `….args`); without index, where flags are written. */
  readonly argvPath: (index?: number) => string;
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** Every replica of `component`, parsed once per snapshot and shared by all controls. */
export function replicasOf(ctx: EvalContext, component: ComponentName): readonly Replica[] {
  return ctx.shared(`cis-control-plane/replicas/${component}`, () =>
    ctx.components(component).flatMap((c): Replica[] => {
      const container = c.containers.find((x) => x.name === component) ?? c.containers.find((x) => x.argv.slice(0, 2).some((w) => basename(w) === component)) ?? c.containers[0];
      if (!container) return [];
      let flags = parseFlags(component, container.argv, container.env);
      const configFile = flags.flags.get('config-file');
      if (component === ETCD && configFile && !flags.opaque) {
        flags = { ...flags, opaque: `${configFile.occurrences.at(-1)?.raw ?? '--config-file'}: etcd takes its whole configuration from that file and ignores its other flags and ETCD_* variables; the file is not visible through the API` };
      }
      const stray = strayArgument(component, flags);
      if (stray && !flags.opaque) flags = { ...flags, opaque: stray };
      const containerPath = `spec.containers[${container.name}]`;
      const commandLength = commandLengthOf(ctx, c.namespace, c.pod, container.name);
      const minor = ctx.minorVersion;
      return [
        {
          component,
          resource: { kind: 'Pod', namespace: c.namespace, name: c.pod, container: container.name },
          flags,
          ...(minor === undefined ? {} : { minor }),
          containerPath,
          argvPath: (index?: number) => {
            const inArgs = index === undefined ? commandLength !== undefined && commandLength < container.argv.length && commandLength <= 1 : commandLength !== undefined && index >= commandLength;
            return `${containerPath}.${inArgs ? 'args' : 'command'}`;
          },
        },
      ];
    }),
  );
}

/**
 * Why the component cannot be running with these arguments, when a word is neither a flag nor a
 * flag's value (`--service-account-lookup false`: a boolean takes its value only after `=`).
 * kube-apiserver, kube-controller-manager and kube-scheduler accept no positional argument
 * (empty words aside) and exit; etcd's flag parsing stops at the first one and etcd exits too.
 * Reading the flag as true would pass `--service-account-lookup false` for a server that is
 * not running at all, so every flag of that replica is unknown instead.
 */
function strayArgument(component: ComponentName, flags: ParsedFlags): string | undefined {
  const stray = flags.positional.filter((w) => component === ETCD || w !== '');
  const [first] = stray;
  if (first === undefined) return undefined;
  return (
    `"${first}" is neither a flag nor a flag's value, and ${component} refuses to start with such an argument` +
    `${component === ETCD ? '' : ' (a boolean flag takes its value only as --flag=value)'}; ` +
    'the manifest does not describe a running component: fix its arguments and scan again'
  );
}

/** How many argv words come from `command` (the rest are `args`), when the pod object is in the snapshot. */
function commandLengthOf(ctx: EvalContext, namespace: string, pod: string, container: string): number | undefined {
  const byName = ctx.shared('cis-control-plane/pods-by-name', () => new Map(ctx.objects('pods').map((p) => [`${p.metadata.namespace ?? 'default'}/${p.metadata.name}`, p])));
  const spec = byName.get(`${namespace}/${pod}`)?.spec as PodSpec | undefined;
  const c = spec?.containers?.find((x) => x.name === container);
  return c ? (c.command ?? []).length : undefined;
}

function clusterRef(ctx: EvalContext): ResourceRef {
  return { kind: 'Cluster', name: ctx.snapshot.cluster };
}

/**
 * What to say when no replica of `component` is visible. Never a pass or a fail: the flags
 * simply cannot be seen.
 * - managed control plane: not applicable, the provider's own benchmark covers it;
 * - offline evaluation of files that hold no such manifest: not applicable;
 * - the pods could not be listed: nothing here, evaluate() already reports that gap as unknown;
 * - otherwise (k3s, RKE2 without static pods, external etcd, unknown): unknown.
 */
export function noReplicas(ctx: EvalContext, component: ComponentName): Verdict[] {
  const s = ctx.snapshot;
  if (MANAGED_PROVIDERS.has(s.provider)) return [notApplicable(clusterRef(ctx), `control plane is managed by ${s.provider}; use the provider's own benchmark`)];
  if (s.source === 'manifests') {
    return [notApplicable(clusterRef(ctx), s.controlPlane.length === 0 ? 'no control-plane manifest in the evaluated files' : `no ${component} manifest in the evaluated files`)];
  }
  if (s.gaps.some((g) => g.evidence === 'controlPlane')) return [];
  const where = component === ETCD ? 'etcd may be external to the cluster or run outside static pods' : `provider ${s.provider}: the control plane may run outside static pods (k3s runs it inside its own binary)`;
  return [unknown(clusterRef(ctx), `no ${component} mirror pod in kube-system (${where}): the component's flags are not visible through the API; check them on the control-plane host`)];
}

/** One verdict per replica of `component` (HA: every replica counts, the worst wins); the absence verdict when there is none. */
export function eachReplica(ctx: EvalContext, component: ComponentName, judge: (r: Replica) => Verdict): Verdict[] {
  const replicas = replicasOf(ctx, component);
  if (replicas.length === 0) return noReplicas(ctx, component);
  return replicas.map((r) => (r.flags.opaque ? unknown(r.resource, r.flags.opaque) : judge(r)));
}

/** The field a flag was read from: the argv list, or the env variable for etcd's ETCD_* variables. */
export function flagPath(r: Replica, setting: FlagSetting | undefined): string {
  const last = setting?.occurrences.at(-1);
  if (last?.source === 'env') return `${r.containerPath}.env[${last.env ?? ''}]`;
  return r.argvPath(last?.index);
}

/** A flag as written; a repeated scalar shows every occurrence and says the last one counts. */
export function shown(setting: FlagSetting): string {
  const raws = setting.occurrences.map((o) => o.raw);
  if (raws.length === 1 || setting.kind !== 'bool' && setting.kind !== 'scalar') return raws.join(' ');
  return `${raws.join(' ')} (the last one wins)`;
}

/** `--anonymous-auth=false`, or `<unset> (default: true)` when absent. */
export function observed(r: Replica, flag: string): string {
  const setting = r.flags.flags.get(flag);
  if (setting) return shown(setting);
  const d = flagDefault(r.component, flag, r.minor, r.flags);
  return d === undefined ? '<unset>' : `<unset> (default: ${d})`;
}

export function evidenceOf(r: Replica, flag: string, expected: string): Evidence {
  return { path: flagPath(r, r.flags.flags.get(flag)), observed: observed(r, flag), expected };
}

/** Parse notes about `flag` (a stray word after a boolean, an unexpanded variable...), for the verdict message. */
export function notesAbout(r: Replica, flags: readonly string[]): string | undefined {
  const mentions = (note: string, f: string): boolean =>
    new RegExp(`(^|[\\s"])-{1,2}${f}(?=[\\s=:"]|$)`).test(note) || note.startsWith(`ETCD_${f.toUpperCase().replace(/-/g, '_')} `);
  const notes = r.flags.notes.filter((n) => flags.some((f) => mentions(n, f)));
  return notes.length > 0 ? notes.join('; ') : undefined;
}

/** A verdict with evidence and, when there is one, a message. */
export function verdict(status: Verdict['status'], r: Replica, evidence: Evidence, message?: string): Verdict {
  return message === undefined ? { status, resource: r.resource, evidence } : { status, resource: r.resource, evidence, message };
}

/**
 * Why peer TLS does not apply, when etcd runs as a single member: one etcd replica in view whose
 * --initial-cluster (default: one local member) names one member. Several etcd mirror pods mean
 * several members, whatever each pod's --initial-cluster says (a member that bootstrapped the
 * cluster lists only itself there).
 */
export function singleMemberEtcd(ctx: EvalContext): string | undefined {
  const replicas = replicasOf(ctx, ETCD);
  const [only] = replicas;
  if (!only || replicas.length !== 1) return undefined;
  const setting = only.flags.flags.get('initial-cluster');
  const list = setting?.value ?? flagDefault(ETCD, 'initial-cluster') ?? '';
  const members = list.split(',').filter((m) => m.trim() !== '');
  if (members.length > 1) return undefined;
  return `single-member etcd (${setting ? shown(setting) : '--initial-cluster unset: one default member'}): there are no peers to authenticate`;
}

/** The marker the collector puts in place of a value it redacted (collect/redact.ts). */
const REDACTED = /^<redacted:\d+ chars>$/;

/**
 * Why an on/off setting cannot be judged, in words a reader acts on. A redacted value is one
 * the collector hid because the setting's name looks like a secret's and the value was not a
 * plain true or false: whatever it was, the component would not accept it as a switch.
 */
export function notOnOrOff(setting: string, raw: string, component: string): string {
  if (REDACTED.test(raw)) {
    return `${setting} holds something other than true or false (not shown: its name looks like a secret's, so the value was redacted when read); ${component} would refuse to start with it`;
  }
  return `${setting}="${raw}" is neither true nor false (accepted: true, false, 1, 0, t, f in any of Go's spellings); ${component} would refuse to start with it`;
}
