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
import { fingerprintOfKey, matchKey, resourceOfPart } from '../core/fingerprint.js';
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

/**
 * The non-pass verdicts that open episodes, one per fingerprint (the worst), kept as columns:
 * a large cluster's first scan opens millions, and an object (or a map entry under a key
 * string) each was most of the memory of recording it. Entry i is fingerprints[i],
 * findings[i] (the scan's own Finding) and states[i] (shared among equal states), in the order
 * the scan gave them; `byFingerprint` lists the entries in fingerprint order (the chain's).
 */
export interface NewFindings {
  fingerprints: string[];
  findings: Finding[];
  states: EpisodeState[];
  byFingerprint: Uint32Array;
}

export interface ScanObservations {
  cluster: string;
  /** The verdicts on the keys of open episodes, folded per key (the worst status wins, with its evidence); passes included. */
  byKey: Map<string, Finding>;
  /** The non-pass verdicts on every other key: each opens an episode. */
  fresh: NewFindings;
  /** States shared among the findings that have equal ones. */
  states: StateCache;
  /** Controls evaluated without a cluster-level unknown or error: their absent findings are gone. */
  judgedCleanly: (controlId: string) => boolean;
  /**
   * Whether the scan's findings cover an episode's resource (false for one in a namespace the
   * scan's selection left out): an absent finding outside it is not observed, never gone.
   */
  covers: (episodeKey: string) => boolean;
}

export interface LifecyclePlan {
  created: NewFindings;
  resolved: Array<{ episode: OpenEpisode; resolution: Resolution }>;
  /** Observed again with another state, or observed again after going unseen. */
  changed: Array<{ episode: OpenEpisode; next: EpisodeState }>;
  /** Were seen, now open but not observed. */
  unseen: OpenEpisode[];
  /** Open after this scan, with their state, whether it observed them and, if so, its disposition (new episodes excluded). */
  open: Array<{ episode: OpenEpisode; state: StateKey; seen: boolean; disposition?: Finding['disposition'] }>;
}

/**
 * Episode states shared among the findings that have equal ones: the scan shares one evidence
 * object and one message string among the findings that have the same (scan-fleet.ts), so
 * keyed by evidence object, then status, severity and message, a state and its hash are built
 * once per distinct value and nothing is held per finding.
 */
export class StateCache {
  private readonly byEvidence = new WeakMap<object, Map<string, EpisodeState>>();
  private readonly without = new Map<string, EpisodeState>();
  of(f: Finding): EpisodeState {
    let byRest = this.without;
    if (f.evidence) {
      byRest = this.byEvidence.get(f.evidence) ?? new Map<string, EpisodeState>();
      this.byEvidence.set(f.evidence, byRest);
    }
    const rest = `${f.status}\u0000${f.severity}\u0000${f.message === undefined ? '' : `\u0001${f.message}`}`;
    let state = byRest.get(rest);
    if (state === undefined) byRest.set(rest, (state = stateOf(f)));
    return state;
  }
}

export function stateOf(f: Finding): EpisodeState {
  const path = f.evidence?.path ?? null;
  const observed = f.evidence?.observed ?? null;
  const expected = f.evidence?.expected ?? null;
  const message = f.message ?? null;
  return { status: f.status, severity: f.severity, evidencePath: path, observed, expected, message, evidenceHash: evidenceHash(path, observed, expected, message) };
}

export function sameState(a: StateKey, b: StateKey): boolean {
  return a.status === b.status && a.severity === b.severity && a.evidenceHash === b.evidenceHash;
}

const CLUSTER_KIND = 'Cluster';

/**
 * `openKeys`: the keys of the cluster's open episodes. A pass matters only to an open episode
 * (it resolves it as fixed), so other passes are not kept: on a cluster of 200,000 pods they
 * are millions of verdicts. `passes`: the scan's passes kept apart from `findings`
 * (core/passes.ts). The verdicts on open keys are folded under their key; the others, nearly
 * all of a first scan's, go to `fresh` by fingerprint without a key string or object each.
 */
export function observeScan(cluster: string, findings: readonly Finding[], evaluatedControls: readonly string[] | undefined, openKeys: ReadonlySet<string>, passes?: Passes, namespaces?: NamespaceSelection): ScanObservations {
  // Open keys are matched on a string key, not on the SHA-256 fingerprint: passes are millions
  // of verdicts, and only the ones that may open an episode need their fingerprint.
  const byKey = new Map<string, Finding>();
  const withFindings = new Set<string>();
  const unclean = new Set<string>();
  const fresh: Candidates = { fingerprints: [], findings: [] };
  // Passes on keys without an open episode, given among the findings (the scan keeps them apart).
  let passKeys: Set<string> | undefined;
  for (const f of findings) {
    withFindings.add(f.controlId);
    if (f.resource.kind === CLUSTER_KIND && (f.status === 'unknown' || f.status === 'error')) unclean.add(f.controlId);
    const key = matchKey(f.controlId, f.resource, f.discriminator);
    if (openKeys.has(key)) observe(byKey, key, f);
    else if (f.status === 'pass') (passKeys ??= new Set()).add(key);
    else {
      fresh.fingerprints.push(fingerprintOfKey(f.cluster, key));
      fresh.findings.push(f);
    }
  }
  // Passes kept apart: the worst status wins whatever the order, so they may come last. Only
  // the few that meet an open episode become Findings again (a pass keeps no evidence).
  for (const p of passes?.byControl() ?? []) withFindings.add(p.key);
  if (passes && openKeys.size > 0) {
    passes.forEachKey((key, controlId, severity, part) => {
      if (openKeys.has(key)) observe(byKey, key, { status: 'pass', resource: resourceOfPart(part), cluster, controlId, severity });
    });
  }
  const states = new StateCache();
  const evaluated = evaluatedControls ? new Set([...evaluatedControls, ...withFindings]) : withFindings;
  const inScope = resourceInScope(namespaces);
  // matchKey: control, kind, namespace, name, container[, discriminator], joined by U+001F.
  const covers = inScope
    ? (key: string) => {
        const [, kind = '', namespace = '', name = ''] = key.split('\u001f');
        return inScope({ kind, name, ...(namespace ? { namespace } : {}) });
      }
    : () => true;
  return { cluster, byKey, fresh: newFindings(fresh, states, passKeys, passes), states, judgedCleanly: (c) => evaluated.has(c) && !unclean.has(c), covers };
}

interface Candidates {
  fingerprints: string[];
  findings: Finding[];
}

/**
 * The candidates folded per fingerprint as observe() folds per key (the worst status wins;
 * between equals, the first given), in the order given. A `not-applicable` ranks below a pass:
 * one whose key also has a pass folds into that pass and opens nothing. Sorting positions by
 * fingerprint finds the repeats without a map entry per candidate, and gives the chain's order.
 */
function newFindings(c: Candidates, states: StateCache, passKeys: ReadonlySet<string> | undefined, passes: Passes | undefined): NewFindings {
  const { fingerprints, findings } = c;
  const n = fingerprints.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const fp = (i: number): string => fingerprints[i] as string;
  order.sort((a, b) => (fp(a) < fp(b) ? -1 : fp(a) > fp(b) ? 1 : a - b));
  const dropped = new Uint8Array(n);
  // The first position of each fingerprint, in fingerprint order; the winner moves there.
  const firsts: number[] = [];
  const notApplicable = new Map<string, number>();
  for (let r = 0; r < n; ) {
    const first = order[r] as number;
    let best = findings[first] as Finding;
    let end = r + 1;
    for (; end < n && fp(order[end] as number) === fp(first); end++) {
      const at = order[end] as number;
      const f = findings[at] as Finding;
      if (f.status !== best.status && worstStatus([best.status, f.status]) === f.status) best = f;
      dropped[at] = 1;
    }
    findings[first] = best;
    firsts.push(first);
    if (best.status === 'not-applicable') notApplicable.set(matchKey(best.controlId, best.resource, best.discriminator), first);
    r = end;
  }
  if (notApplicable.size > 0) {
    for (const key of passKeys ?? []) dropNotApplicable(notApplicable, key, dropped);
    passes?.forEachKey((key) => dropNotApplicable(notApplicable, key, dropped));
  }
  // Compacted in the order given; `at` maps a position to its place after compaction.
  const at = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (dropped[i]) continue;
    at[i] = k;
    fingerprints[k] = fingerprints[i] as string;
    findings[k] = findings[i] as Finding;
    k++;
  }
  fingerprints.length = k;
  findings.length = k;
  const byFingerprint = new Uint32Array(k);
  let j = 0;
  for (const first of firsts) if (!dropped[first]) byFingerprint[j++] = at[first] as number;
  return { fingerprints, findings, states: findings.map((f) => states.of(f)), byFingerprint };
}

function dropNotApplicable(notApplicable: Map<string, number>, key: string, dropped: Uint8Array): void {
  const at = notApplicable.get(key);
  if (at !== undefined) dropped[at] = 1;
}

/** Folds `f` into the verdict held for its key: the worst status wins; between equals, the first seen. */
function observe(byKey: Map<string, Finding>, key: string, f: Finding): void {
  const seen = byKey.get(key);
  if (!seen) byKey.set(key, f);
  else if (f.status !== seen.status && worstStatus([seen.status, f.status]) === f.status) byKey.set(key, f);
}

/** The scan's new episodes are its `fresh` findings (observeScan left the open keys out of them). */
export function planLifecycle(open: readonly OpenEpisode[], scan: ScanObservations): LifecyclePlan {
  const plan: LifecyclePlan = { created: scan.fresh, resolved: [], changed: [], unseen: [], open: [] };
  for (const e of open) {
    const obs = scan.byKey.get(e.key);
    if (obs?.status === 'pass') {
      plan.resolved.push({ episode: e, resolution: 'fixed' });
    } else if (obs) {
      const state = scan.states.of(obs);
      if (!e.seen || !sameState(e.state, state)) plan.changed.push({ episode: e, next: state });
      plan.open.push({ episode: e, state, seen: true, ...(obs.disposition ? { disposition: obs.disposition } : {}) });
    } else if (scan.judgedCleanly(e.controlId) && scan.covers(e.key)) {
      plan.resolved.push({ episode: e, resolution: e.kind === CLUSTER_KIND ? 'fixed' : 'resource-gone' });
    } else {
      if (e.seen) plan.unseen.push(e);
      plan.open.push({ episode: e, state: e.state, seen: false });
    }
  }
  return plan;
}
