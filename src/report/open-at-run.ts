/**
 * The episodes open at a reported run, held in columns instead of as objects (issue 12, ADR
 * 0013): a cluster of 200,000 bare pods has 2.1 million, and as objects (episode, then report
 * finding) they were most of the report's memory. Each episode keeps a few numbers here: its
 * status, severity, seen flag and disposition as bytes, and indexes into tables of the values
 * many episodes share (resources, evidence, messages, first sightings, clusters, controls); its
 * fingerprint as 16 bytes. An episode is turned back into an object only while it is used, one
 * control at a time.
 *
 * Only what a report reads is kept: identity, state, first sighting, resolution and
 * disposition; not the last sighting, the discriminator or whether the evidence was pruned.
 */
import { SEVERITIES, STATUSES, type Evidence, type ResourceRef, type Severity, type Status } from '../core/types.js';
import type { FindingEpisode } from '../store/run-store.js';

type Point = FindingEpisode['firstSeen'];
type Resolved = NonNullable<FindingEpisode['resolved']>;
type Disposition = NonNullable<FindingEpisode['disposition']>;

/** An episode as this keeps it: a FindingEpisode without lastSeen, discriminator and evidencePruned. */
export type OpenEpisode = Omit<FindingEpisode, 'lastSeen' | 'discriminator' | 'evidencePruned'>;

/** A growing column of 32-bit integers. */
class IntColumn {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  at(i: number): number {
    return this.data[i] as number;
  }
  /** Drops the spare capacity once nothing more is added. */
  trim(): void {
    this.data = this.data.slice(0, this.length);
  }
}

/** Distinct values by key, each with its index; the first value of a key stands for all. */
class Table<T> {
  readonly values: T[] = [];
  private index: Map<string, number> | undefined = new Map();
  of(key: string, value: T): number {
    const index = this.index as Map<string, number>;
    let i = index.get(key);
    if (i === undefined) {
      i = this.values.length;
      index.set(key, i);
      this.values.push(value);
    }
    return i;
  }
  /** The keys are needed only while adding. */
  seal(): void {
    this.index = undefined;
  }
}

const NONE = -1;
const HEX32 = /^[0-9a-f]{32}$/;
const DISPOSITIONS = [undefined, 'excepted', 'expired'] as const;
const opt = (s: string | undefined): string => (s === undefined ? '\u0001' : s);
const resourceKey = (r: ResourceRef): string => `${r.kind}\u0000${opt(r.namespace)}\u0000${r.name}\u0000${opt(r.container)}\u0000${opt(r.apiVersion)}\u0000${opt(r.uid)}`;

export class OpenAtRun {
  private readonly clusters = new Table<string>();
  private readonly controlIds = new Table<string>();
  private readonly resources = new Table<ResourceRef>();
  private readonly evidence = new Table<Evidence>();
  private readonly messages = new Table<string>();
  private readonly points = new Table<Point>();
  private readonly resource = new IntColumn();
  private readonly evidenceOf = new IntColumn();
  private readonly messageOf = new IntColumn();
  private readonly firstSeen = new IntColumn();
  private readonly episodeNo = new IntColumn();
  private readonly clusterOf = new IntColumn();
  private readonly controlOf = new IntColumn();
  /** status | severity << 3 | seen << 6 | disposition << 7 */
  private flags = new Uint16Array(1024);
  private prints = new Uint8Array(16 * 1024);
  /** The rare ones: fingerprints that are not 32 hex digits, resolutions, exception ids. */
  private readonly oddPrints = new Map<number, string>();
  private readonly resolved = new Map<number, Resolved>();
  private readonly exceptionIds = new Map<number, string>();
  /** Episode indexes per control and cluster, in the order added. */
  private readonly byControl = new Map<number, Map<number, IntColumn>>();
  size = 0;

  add(e: OpenEpisode): void {
    const i = this.size++;
    if (i === this.flags.length) {
      const flags = new Uint16Array(this.flags.length * 2);
      flags.set(this.flags);
      this.flags = flags;
      const prints = new Uint8Array(this.prints.length * 2);
      prints.set(this.prints);
      this.prints = prints;
    }
    const cluster = this.clusters.of(e.cluster, e.cluster);
    const control = this.controlIds.of(e.controlId, e.controlId);
    this.clusterOf.push(cluster);
    this.controlOf.push(control);
    this.resource.push(this.resources.of(resourceKey(e.resource), e.resource));
    const ev = e.evidence;
    this.evidenceOf.push(ev ? this.evidence.of(`${ev.path}\u0000${ev.observed}\u0000${ev.expected}`, ev) : NONE);
    this.messageOf.push(e.message !== undefined ? this.messages.of(e.message, e.message) : NONE);
    this.firstSeen.push(this.points.of(`${e.firstSeen.runId}\u0000${e.firstSeen.seq}\u0000${e.firstSeen.at}`, e.firstSeen));
    this.episodeNo.push(e.episode);
    const disposition = e.disposition ? DISPOSITIONS.indexOf(e.disposition.kind) : 0;
    this.flags[i] = STATUSES.indexOf(e.status) | (SEVERITIES.indexOf(e.severity) << 3) | (e.seen ? 64 : 0) | (disposition << 7);
    if (e.disposition) this.exceptionIds.set(i, e.disposition.exceptionId);
    if (e.resolved) this.resolved.set(i, e.resolved);
    if (HEX32.test(e.fingerprint)) this.prints.set(Buffer.from(e.fingerprint, 'hex'), i * 16);
    else this.oddPrints.set(i, e.fingerprint);
    let clusters = this.byControl.get(control);
    if (!clusters) this.byControl.set(control, (clusters = new Map()));
    let list = clusters.get(cluster);
    if (!list) clusters.set(cluster, (list = new IntColumn()));
    list.push(i);
  }

  /** Done adding: the lookup maps go. */
  seal(): void {
    for (const t of [this.clusters, this.controlIds, this.resources, this.evidence, this.messages, this.points]) t.seal();
    for (const c of [this.resource, this.evidenceOf, this.messageOf, this.firstSeen, this.episodeNo, this.clusterOf, this.controlOf]) c.trim();
    for (const clusters of this.byControl.values()) for (const list of clusters.values()) list.trim();
  }

  /** Cheap fields, without building the episode. */
  status(i: number): Status {
    return STATUSES[(this.flags[i] as number) & 7] as Status;
  }
  severity(i: number): Severity {
    return SEVERITIES[((this.flags[i] as number) >> 3) & 7] as Severity;
  }
  seen(i: number): boolean {
    return ((this.flags[i] as number) & 64) !== 0;
  }
  cluster(i: number): string {
    return this.clusters.values[this.clusterOf.at(i)] as string;
  }
  controlId(i: number): string {
    return this.controlIds.values[this.controlOf.at(i)] as string;
  }
  resourceOf(i: number): ResourceRef {
    return this.resources.values[this.resource.at(i)] as ResourceRef;
  }
  firstSeenAt(i: number): string {
    return (this.points.values[this.firstSeen.at(i)] as Point).at;
  }
  disposition(i: number): Disposition | undefined {
    const kind = DISPOSITIONS[((this.flags[i] as number) >> 7) & 3];
    return kind ? { kind, exceptionId: this.exceptionIds.get(i) as string } : undefined;
  }
  fingerprint(i: number): string {
    return this.oddPrints.get(i) ?? Buffer.from(this.prints.buffer, this.prints.byteOffset + i * 16, 16).toString('hex');
  }
  evidenceAt(i: number): Evidence | undefined {
    const e = this.evidenceOf.at(i);
    return e === NONE ? undefined : this.evidence.values[e];
  }
  messageAt(i: number): string | undefined {
    const m = this.messageOf.at(i);
    return m === NONE ? undefined : this.messages.values[m];
  }

  /** The episode, built again (its shared parts are the objects it was added with). */
  episode(i: number): OpenEpisode {
    const evidence = this.evidenceAt(i);
    const message = this.messageAt(i);
    const disposition = this.disposition(i);
    const resolved = this.resolved.get(i);
    return {
      cluster: this.cluster(i),
      controlId: this.controlId(i),
      severity: this.severity(i),
      status: this.status(i),
      resource: this.resourceOf(i),
      ...(evidence && { evidence }),
      ...(message !== undefined && { message }),
      fingerprint: this.fingerprint(i),
      episode: this.episodeNo.at(i),
      firstSeen: this.points.values[this.firstSeen.at(i)] as Point,
      ...(resolved && { resolved }),
      seen: this.seen(i),
      ...(disposition && { disposition }),
    };
  }

  /** The control ids that have episodes. */
  controls(): string[] {
    return [...this.byControl.keys()].map((c) => this.controlIds.values[c] as string);
  }

  /**
   * The indexes of a control's episodes in the order the store reads a run's episodes: by
   * cluster (bytewise), then in the order added (which is the store's id order).
   */
  ofControl(controlId: string): number[] {
    const control = this.controlIds.values.indexOf(controlId);
    const clusters = this.byControl.get(control);
    if (!clusters) return [];
    const out: number[] = [];
    const names = [...clusters.keys()].sort((a, b) => byteOrder(this.clusters.values[a] as string, this.clusters.values[b] as string));
    for (const c of names) {
      const list = clusters.get(c) as IntColumn;
      for (let k = 0; k < list.length; k++) out.push(list.at(k));
    }
    return out;
  }

  /** Every episode, built one at a time, by cluster and control (bytewise) as the store orders them. */
  *episodes(): Generator<OpenEpisode> {
    const name = (t: Table<string>) => (k: number) => t.values[k] as string;
    const controls = [...this.byControl.keys()].sort((a, b) => byteOrder(name(this.controlIds)(a), name(this.controlIds)(b)));
    const clusters = this.clusters.values.map((_, k) => k).sort((a, b) => byteOrder(name(this.clusters)(a), name(this.clusters)(b)));
    for (const cluster of clusters) {
      for (const control of controls) {
        const list = this.byControl.get(control)?.get(cluster);
        if (list) for (let k = 0; k < list.length; k++) yield this.episode(list.at(k));
      }
    }
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
