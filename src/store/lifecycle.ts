/**
 * Finding lifecycles, decided in memory: given the open episodes of one cluster and all the
 * findings of its new assessed scan (passes included), what opens, changes, goes unseen and
 * resolves. Pure; record.ts writes the result.
 *
 * For an open episode of fingerprint F and control C:
 * - F observed non-pass: still open; its state is rewritten only if status, severity or
 *   evidence changed, or it had gone unseen.
 * - F observed pass (every verdict for F passes): resolved, `fixed`.
 * - F absent, and C was judged cleanly (evaluated, with no cluster-level `unknown` or
 *   `error`): resolved, `resource-gone` (`fixed` for a cluster-scoped finding, whose
 *   resource, the cluster, is still there).
 * - F absent otherwise (C's evidence missing, C failed, C not evaluated, or F's namespace
 *   outside the scan's namespace selection): left open and marked unseen, once.
 * A non-pass F without an open episode opens a new one.
 */
import { fingerprint, matchKey, resourceOfPart } from '../core/fingerprint.js';
import type { Finding, Passes, Severity, Status } from '../core/types.js';
import { worstStatus } from '../core/status.js';
import { evidenceHash } from './chain.js';
import type { Resolution } from './run-types.js';
import { resourceInScope, type NamespaceSelection } from '../core/namespace-scope.js';

/** What decides whether an episode's state changed, and what the chain covers of it. */
export interface StateKey {
  status: Status;
  severity: Severity;
  evidenceHash: string;
}

export interface EpisodeState extends StateKey {
  evidencePath: string | null;
  observed: string | null;
  expected: string | null;
  message: string | null;
}

/** An open episode as recordCluster loads it: identity and state key, not the evidence text. */
export interface OpenEpisode {
  id: number;
  /** matchKey of its control and resource: what a scan's findings are matched on. */
  key: string;
  fingerprint: string;
  episode: number;
  controlId: string;
  kind: string;
  seen: boolean;
  stateSeq: number;
  state: StateKey;
}

/** The verdicts for one resource (findingKey) in one scan, folded: the worst status wins, with its evidence. */
export interface Observation {
  key: string;
  finding: Finding;
  /** Only computed for non-pass observations (a pass has no state to keep). */
  state: EpisodeState | undefined;
}

/** A non-pass observation with no open episode: opens one. */
export interface Created {
  fingerprint: string;
  finding: Finding;
  state: EpisodeState;
}

export interface ScanObservations {
  cluster: string;
  byKey: Map<string, Observation>;
  /** Controls evaluated without a cluster-level unknown or error: their absent findings are gone. */
  judgedCleanly: (controlId: string) => boolean;
  /**
   * Whether the scan's findings cover an episode's resource (false for one in a namespace the
   * scan's selection left out): an absent finding outside it is not observed, never gone.
   */
  covers: (episodeKey: string) => boolean;
}

export interface LifecyclePlan {
  created: Created[];
  resolved: Array<{ episode: OpenEpisode; resolution: Resolution }>;
  /** Observed again with another state, or observed again after going unseen. */
  changed: Array<{ episode: OpenEpisode; next: EpisodeState }>;
  /** Were seen, now open but not observed. */
  unseen: OpenEpisode[];
  /** Open after this scan, with their state and whether it observed them (new episodes excluded). */
  open: Array<{ episode: OpenEpisode; state: StateKey; seen: boolean }>;
}

/**
 * Evidence hashes by evidence object and message: the scan shares one evidence object among the
 * findings that have the same (scan-fleet.ts), so they share one hash, computed once. Keyed by
 * identity, it holds nothing per finding that the findings do not hold already.
 */
export class EvidenceHashes {
  private readonly byEvidence = new WeakMap<object, Map<string | null, string>>();
  private readonly without = new Map<string | null, string>();
  of(f: Finding): string {
    const message = f.message ?? null;
    let byMessage = this.without;
    if (f.evidence) {
      byMessage = this.byEvidence.get(f.evidence) ?? new Map();
      this.byEvidence.set(f.evidence, byMessage);
    }
    let hash = byMessage.get(message);
    if (hash === undefined) byMessage.set(message, (hash = evidenceHash(f.evidence?.path ?? null, f.evidence?.observed ?? null, f.evidence?.expected ?? null, message)));
    return hash;
  }
}

export function stateOf(f: Finding, hashes?: EvidenceHashes): EpisodeState {
  const path = f.evidence?.path ?? null;
  const observed = f.evidence?.observed ?? null;
  const expected = f.evidence?.expected ?? null;
  const message = f.message ?? null;
  const hash = hashes ? hashes.of(f) : evidenceHash(path, observed, expected, message);
  return { status: f.status, severity: f.severity, evidencePath: path, observed, expected, message, evidenceHash: hash };
}

export function sameState(a: StateKey, b: StateKey): boolean {
  return a.status === b.status && a.severity === b.severity && a.evidenceHash === b.evidenceHash;
}

const CLUSTER_KIND = 'Cluster';

/**
 * `openKeys`, when given: the keys of the cluster's open episodes. A pass matters only to an
 * open episode (it resolves it as fixed), so other passes are not kept: on a cluster of
 * 200,000 pods they are millions of verdicts, and keeping each under its key dominated the
 * memory of recording it. `passes`: the scan's passes kept apart from `findings` (core/passes.ts).
 */
export function observeScan(cluster: string, findings: readonly Finding[], evaluatedControls?: readonly string[], openKeys?: ReadonlySet<string>, passes?: Passes, namespaces?: NamespaceSelection): ScanObservations {
  // Matched on a string key, not on the SHA-256 fingerprint: a cluster has tens of thousands of
  // verdicts, mostly passes, and only new episodes need their fingerprint.
  const byKey = new Map<string, Observation>();
  const withFindings = new Set<string>();
  const unclean = new Set<string>();
  for (const f of findings) {
    withFindings.add(f.controlId);
    if (f.resource.kind === CLUSTER_KIND && (f.status === 'unknown' || f.status === 'error')) unclean.add(f.controlId);
    const key = matchKey(f.controlId, f.resource, f.discriminator);
    if (f.status === 'pass' && openKeys && !openKeys.has(key)) continue;
    observe(byKey, key, f);
  }
  // Passes kept apart: the worst status wins whatever the order, so they may come last. Only
  // the few that meet an open episode become Findings again (a pass keeps no evidence).
  for (const p of passes?.byControl() ?? []) withFindings.add(p.key);
  if (passes && (!openKeys || openKeys.size > 0)) {
    passes.forEachKey((key, controlId, severity, part) => {
      if (!openKeys || openKeys.has(key)) observe(byKey, key, { status: 'pass', resource: resourceOfPart(part), cluster, controlId, severity });
    });
  }
  const hashes = new EvidenceHashes();
  for (const obs of byKey.values()) if (obs.finding.status !== 'pass') obs.state = stateOf(obs.finding, hashes);
  const evaluated = evaluatedControls ? new Set([...evaluatedControls, ...withFindings]) : withFindings;
  const inScope = resourceInScope(namespaces);
  // matchKey: control, kind, namespace, name, container[, discriminator], joined by U+001F.
  const covers = inScope
    ? (key: string) => {
        const [, kind = '', namespace = '', name = ''] = key.split('\u001f');
        return inScope({ kind, name, ...(namespace ? { namespace } : {}) });
      }
    : () => true;
  return { cluster, byKey, judgedCleanly: (c) => evaluated.has(c) && !unclean.has(c), covers };
}

/** Folds `f` into the observation of its key: the worst status wins; between equals, the first seen. */
function observe(byKey: Map<string, Observation>, key: string, f: Finding): void {
  const seen = byKey.get(key);
  if (!seen) byKey.set(key, { key, finding: f, state: undefined });
  else if (f.status !== seen.finding.status && worstStatus([seen.finding.status, f.status]) === f.status) seen.finding = f;
}

export function planLifecycle(open: readonly OpenEpisode[], scan: ScanObservations): LifecyclePlan {
  const plan: LifecyclePlan = { created: [], resolved: [], changed: [], unseen: [], open: [] };
  const openKeys = new Set<string>();
  for (const e of open) {
    openKeys.add(e.key);
    const obs = scan.byKey.get(e.key);
    if (obs && !obs.state) {
      plan.resolved.push({ episode: e, resolution: 'fixed' });
    } else if (obs?.state) {
      if (!e.seen || !sameState(e.state, obs.state)) plan.changed.push({ episode: e, next: obs.state });
      plan.open.push({ episode: e, state: obs.state, seen: true });
    } else if (scan.judgedCleanly(e.controlId) && scan.covers(e.key)) {
      plan.resolved.push({ episode: e, resolution: e.kind === CLUSTER_KIND ? 'fixed' : 'resource-gone' });
    } else {
      if (e.seen) plan.unseen.push(e);
      plan.open.push({ episode: e, state: e.state, seen: false });
    }
  }
  for (const obs of scan.byKey.values()) {
    if (obs.state && !openKeys.has(obs.key)) {
      plan.created.push({ fingerprint: fingerprint(obs.finding), finding: obs.finding, state: obs.state });
    }
  }
  return plan;
}
