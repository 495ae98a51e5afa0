import type { EvidenceKind, Gap, GapReason, ResourceRef, Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import { defineControl, type CatalogControl } from '../../define.js';
import { fail, pass, unknown } from '../../verdicts.js';

/**
 * Reading a kubelet's `/configz` the way the kubelet wrote it (catalog section 0.2).
 *
 * configz is the kubelet's effective configuration converted to KubeletConfiguration
 * v1beta1, so it already reflects CLI flags and whichever defaults applied (config-file
 * defaults or the legacy CLI-only ones). It is serialised with `omitempty`, so:
 * - a plain scalar that is absent holds its zero value (false, 0, ""), not the CLI default;
 * - a pointer field is filled in by defaulting and is always present; if one is missing the
 *   answer is incomplete, and the control says `unknown` instead of guessing;
 * - `featureGates` lists only the gates set explicitly.
 */

export const KUBELET_SECTION = 'CIS 4.2: kubelet';
export const KUBELET_NEEDS: readonly EvidenceKind[] = ['kubelets', 'nodes'];
export const NSA_KUBELET = 'Network separation: worker-node / kubelet hardening';

/** One node's kubelet configuration, as its configz returned it. */
export interface Configz {
  node: string;
  resource: ResourceRef;
  config: Record<string, unknown>;
}

export type KubeletJudge = (k: Configz) => Verdict;

export function nodeRef(name: string): ResourceRef {
  return { kind: 'Node', name };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dotted path inside the kubeletconfig object; null counts as absent. */
export function valueAt(config: Record<string, unknown>, path: string): unknown {
  let cur: unknown = config;
  for (const key of path.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur ?? undefined;
}

/** What to try when a kubelet's configz could not be read, by reason. */
const UNREADABLE_HINTS: Partial<Record<GapReason, string>> = {
  'method-not-allowed': 'the kubelet runs with enableDebuggingHandlers: false, which also turns off /configz; read its config file on the node instead',
  forbidden: 'the scanner identity needs get on nodes/proxy',
  unauthorized: 'the scanner identity needs get on nodes/proxy',
  unreachable: 'the API server could not reach the kubelet (node down, or port 10250 blocked from the control plane)',
  timeout: 'the kubelet did not answer in time',
};

function unreadable(node: string, gap: Gap | undefined): string {
  if (!gap) return `the kubelet configuration of node ${node} was not read, and no reason was recorded`;
  const hint = UNREADABLE_HINTS[gap.reason];
  return `the kubelet configuration of node ${node} could not be read (${gap.reason}: ${gap.message})${hint ? `; ${hint}` : ''}`;
}

/**
 * One verdict per node: the judge's for a node whose configz was read, `unknown` (with the
 * reason recorded in the gap `kubelets/<node>`) for one whose configz was not.
 */
export function eachKubelet(ctx: EvalContext, judge: KubeletJudge): Verdict[] {
  const gaps = ctx.shared('cis-node/kubelet-gaps', () => {
    const byNode = new Map<string, Gap>();
    for (const g of ctx.snapshot.gaps) if (g.evidence.startsWith('kubelets/')) byNode.set(g.evidence.slice('kubelets/'.length), g);
    return byNode;
  });
  return ctx.kubelets.map((k) => {
    const resource = nodeRef(k.node);
    return k.config ? judge({ node: k.node, resource, config: k.config }) : unknown(resource, unreadable(k.node, gaps.get(k.node)));
  });
}

/** A CIS 4.2 control: one verdict per kubelet from `judge`, in the kubelet section, needing the kubelets' configz. */
export function kubeletControl(spec: Omit<CatalogControl, 'section' | 'needs' | 'evaluate'> & { judge: KubeletJudge }): CatalogControl {
  const { judge, ...control } = spec;
  return defineControl({ ...control, section: KUBELET_SECTION, needs: KUBELET_NEEDS, evaluate: (ctx) => eachKubelet(ctx, judge) });
}

/** How a field shows up in configz when it is absent. */
export type Absent =
  /** A scalar with `omitempty`: absence means its zero value, named in words. */
  | { readonly means: unknown; readonly words: string }
  /** A defaulted pointer field: every kubelet reports it, so absence is missing evidence. */
  | 'always-reported';

export interface FieldRule {
  /** Path inside `kubeletconfig`, e.g. `authentication.anonymous.enabled`. */
  readonly path: string;
  readonly absent: Absent;
  readonly ok: (value: unknown) => boolean;
  /** The expected value, in words. */
  readonly expected: string;
}

function showValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A judge for the common case: one field, one condition, with configz's absence rule. */
export function judgeField(rule: FieldRule): KubeletJudge {
  const path = `kubeletconfig.${rule.path}`;
  return (k) => {
    const raw = valueAt(k.config, rule.path);
    if (raw === undefined && rule.absent === 'always-reported') {
      return unknown(k.resource, `configz of node ${k.node} has no ${rule.path}; every kubelet reports this field, so the configuration read is incomplete`);
    }
    const [value, observed] =
      raw === undefined && rule.absent !== 'always-reported'
        ? [rule.absent.means, `<unset> (${rule.absent.words})`]
        : [raw, showValue(raw)];
    return rule.ok(value) ? pass(k.resource, { path, observed, expected: rule.expected }) : fail(k.resource, path, observed, rule.expected);
  };
}

const GO_DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string (`4h0m0s`, `90s`, `0s`), or undefined when it is not one. */
export function goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (GO_DURATION_UNITS[part[2] ?? ''] ?? Number.NaN);
  }
  return m[1] === '-' ? -total : total;
}
