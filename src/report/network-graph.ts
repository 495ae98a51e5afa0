/**
 * The connectivity graph of one cluster as a drawing: which nodes and edges are shown (a
 * bounded number, each namespace's most exposed workloads first) and where, laid out by dagre
 * (@dagrejs/dagre: layered layout with compound nodes, so each namespace is a box around its
 * workloads). Pure geometry; pdf-network.ts draws it.
 */
import dagre from '@dagrejs/dagre';
import type { NetworkAnalysis } from '../core/network.js';
import { INGRESS_CONTROLLER_PEER, isExposed, isExternalPeer, isWorkloadPeer, workloadExposures, type WorkloadExposure } from '../core/network-exposure.js';

/** Nodes drawn at most (workloads and the peers outside them); the rest are counted in a note. */
export const MAX_GRAPH_NODES = 20;
/** Edges drawn at most. */
export const MAX_GRAPH_EDGES = 60;

export type NodeKind = 'workload' | 'ingress-controller' | 'any-pod' | 'internet' | 'external-in' | 'external-out';

export interface DrawnNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly lines: readonly string[];
  /** Open to the internet, the entire cluster or external ranges. */
  readonly exposed: boolean;
  /** Top-left corner and size, in layout units (see NetworkDrawing.fontSize). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DrawnGroup {
  readonly namespace: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DrawnEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** Traffic from outside the workloads (internet, ingress controller, any pod, a range) into an exposed workload. */
  readonly exposure: boolean;
  readonly points: ReadonlyArray<{ x: number; y: number }>;
  readonly labelAt?: { x: number; y: number };
}

export interface NetworkDrawing {
  readonly nodes: readonly DrawnNode[];
  readonly groups: readonly DrawnGroup[];
  readonly edges: readonly DrawnEdge[];
  readonly width: number;
  readonly height: number;
  /** The text size the layout was measured at. */
  readonly fontSize: number;
  /** Workloads and connections of the analysis not drawn for the caps. */
  readonly omitted: { readonly workloads: number; readonly edges: number };
  /** Connections into workloads open to the entire cluster, drawn once from "any pod" instead. */
  readonly implied: number;
}

export interface GraphOptions {
  /** Width of a text at a size, as the renderer measures it (bold: a node's first line). */
  readonly measure: (text: string, size: number, bold: boolean) => number;
  readonly maxNodes?: number;
  readonly maxEdges?: number;
}

const FONT_SIZE = 7;
const LINE = FONT_SIZE * 1.25;
const PAD = 4;
const MAX_LABEL = 28;

const ANY_POD = '{any pod}';
const INTERNET = '{internet}';

const short = (s: string, n = MAX_LABEL) => (s.length <= n ? s : `${s.slice(0, n - 1)}~`);
/** Edges that allow everything go unlabelled (the caption says so): most edges of an open cluster. */
const edgeLabel = (conn: string) => (conn === 'All Connections' ? '' : short(conn, 24));

/** `ns/name[Kind]` as its parts. */
function parts(workload: string): { namespace: string; name: string; kind: string } {
  const m = /^([^/]*)\/(.*)\[([^\]]*)\]$/.exec(workload);
  return m ? { namespace: m[1] ?? '', name: m[2] ?? workload, kind: m[3] ?? '' } : { namespace: '', name: workload, kind: '' };
}

interface Candidate {
  from: string;
  to: string;
  label: string;
  exposure: boolean;
}

/**
 * The edges worth drawing, by how much they say about exposure: from outside first, lateral
 * next, egress last. Connections into a workload open to the entire cluster are implied by
 * the one edge from "any pod", and only counted.
 */
function edgeCandidates(a: NetworkAnalysis, exposures: readonly WorkloadExposure[]): { candidates: Candidate[]; implied: number } {
  const openToAll = new Set(exposures.filter((e) => e.cluster !== undefined).map((e) => e.workload));
  const candidates: Candidate[] = [];
  const serviceLabel = (peer: string, conn: string) => `${short(peer.replace(/^Service [^/]*\//, '').replace(/\[[A-Za-z]+\]$/, ''), 20)} ${edgeLabel(conn)}`.trim();
  for (const s of a.exposure?.services ?? []) candidates.push({ from: INTERNET, to: s.workload, label: serviceLabel(s.peer, s.conn), exposure: true });
  for (const l of a.connections) if (l.src === INGRESS_CONTROLLER_PEER) candidates.push({ from: l.src, to: l.dst, label: edgeLabel(l.conn), exposure: true });
  for (const e of exposures) if (e.cluster !== undefined) candidates.push({ from: ANY_POD, to: e.workload, label: edgeLabel(e.cluster), exposure: true });
  for (const l of a.connections) if (isExternalPeer(l.src) && isWorkloadPeer(l.dst)) candidates.push({ from: `in:${l.src}`, to: l.dst, label: edgeLabel(l.conn), exposure: true });
  let implied = 0;
  for (const l of a.connections) {
    if (!isWorkloadPeer(l.src) || !isWorkloadPeer(l.dst)) continue;
    if (openToAll.has(l.dst)) implied++;
    else candidates.push({ from: l.src, to: l.dst, label: edgeLabel(l.conn), exposure: false });
  }
  for (const l of a.connections) if (isWorkloadPeer(l.src) && isExternalPeer(l.dst)) candidates.push({ from: l.src, to: `out:${l.dst}`, label: edgeLabel(l.conn), exposure: false });
  return { candidates, implied };
}

/** The text and kind of a node that is not a workload. */
function peerNode(id: string): { kind: NodeKind; lines: string[] } | undefined {
  if (id === INGRESS_CONTROLLER_PEER) return { kind: 'ingress-controller', lines: ['ingress controller', '(Ingress traffic)'] };
  if (id === ANY_POD) return { kind: 'any-pod', lines: ['any pod of the cluster', '(entire cluster)'] };
  if (id === INTERNET) return { kind: 'internet', lines: ['internet', '(LoadBalancer/NodePort)'] };
  if (id.startsWith('in:')) return { kind: 'external-in', lines: [id.slice(3).replace(/\[External\]$/, ''), '(external, inbound)'] };
  if (id.startsWith('out:')) return { kind: 'external-out', lines: [id.slice(4).replace(/\[External\]$/, ''), '(external, outbound)'] };
  return undefined;
}

/**
 * The workloads drawn: each namespace's most exposed first, one namespace after another, so a
 * namespace whose policies isolate its workloads is drawn beside the exposed ones instead of
 * being crowded out by them (a cluster's system namespaces alone can fill the drawing).
 */
function chooseWorkloads(exposures: readonly WorkloadExposure[], room: number): Set<string> {
  const queues = new Map<string, string[]>();
  for (const e of exposures) {
    const ns = parts(e.workload).namespace;
    const q = queues.get(ns);
    if (q) q.push(e.workload);
    else queues.set(ns, [e.workload]);
  }
  const out = new Set<string>();
  for (let turn = 0; out.size < room; turn++) {
    const next = [...queues.values()].flatMap((q) => (turn < q.length ? [q[turn]!] : []));
    if (next.length === 0) break;
    for (const w of next.slice(0, room - out.size)) out.add(w);
  }
  return out;
}

/** Choose what to draw and lay it out. */
export function networkDrawing(a: NetworkAnalysis, opts: GraphOptions): NetworkDrawing {
  const maxNodes = opts.maxNodes ?? MAX_GRAPH_NODES;
  const maxEdges = opts.maxEdges ?? MAX_GRAPH_EDGES;
  const exposures = workloadExposures(a);
  const byWorkload = new Map(exposures.map((e) => [e.workload, e]));
  const { candidates, implied } = edgeCandidates(a, exposures);

  // Workloads by exposure, then by how many connections they take part in.
  const special = new Set(candidates.flatMap((c) => [c.from, c.to]).filter((n) => !byWorkload.has(n)));
  const workloadRoom = Math.max(1, maxNodes - special.size);
  const drawnWorkloads = chooseWorkloads(exposures, workloadRoom);
  const drawn = (n: string) => drawnWorkloads.has(n) || special.has(n);
  const edges = candidates.filter((c) => drawn(c.from) && drawn(c.to)).slice(0, maxEdges);
  const used = new Set([...drawnWorkloads, ...edges.flatMap((e) => [e.from, e.to])]);

  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 46, edgesep: 6, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const nodeInfo = new Map<string, { kind: NodeKind; lines: string[]; exposed: boolean }>();
  const measure = (t: string, bold = false) => opts.measure(t, FONT_SIZE, bold);
  const addNode = (id: string, kind: NodeKind, lines: string[], exposed: boolean) => {
    const width = Math.max(40, ...lines.map((l, i) => measure(l, i === 0))) + 2 * PAD;
    g.setNode(id, { width, height: lines.length * LINE + 2 * PAD });
    nodeInfo.set(id, { kind, lines, exposed });
  };
  for (const id of used) {
    const e = byWorkload.get(id);
    if (!e) {
      const peer = peerNode(id);
      if (peer) addNode(id, peer.kind, peer.lines, false);
      continue;
    }
    const p = parts(id);
    addNode(id, 'workload', [short(p.name), p.kind], isExposed(e));
    const group = `ns:${p.namespace}`;
    if (!g.hasNode(group)) g.setNode(group, { label: p.namespace });
    g.setParent(id, group);
  }
  for (const e of edges) g.setEdge(e.from, e.to, e.label ? { width: measure(e.label) + 4, height: LINE, labelpos: 'c' } : {});
  dagre.layout(g);

  const nodes: DrawnNode[] = [];
  const groups: DrawnGroup[] = [];
  for (const id of g.nodes()) {
    const n = g.node(id) as { x: number; y: number; width: number; height: number };
    if (id.startsWith('ns:') && !nodeInfo.has(id)) {
      // Room above the box's first node for the namespace's name.
      groups.push({ namespace: id.slice(3), x: n.x - n.width / 2, y: n.y - n.height / 2 - LINE, width: n.width, height: n.height + LINE });
      continue;
    }
    const info = nodeInfo.get(id);
    if (info) nodes.push({ id, ...info, x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height });
  }
  const drawnEdges = edges.map((e): DrawnEdge => {
    const l = g.edge(e.from, e.to) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number };
    return { ...e, points: l.points ?? [], ...(l.x !== undefined && l.y !== undefined ? { labelAt: { x: l.x, y: l.y } } : {}) };
  });
  // Everything inside a box from (0, 0), whatever room the namespace names took.
  const minX = Math.min(0, ...groups.map((b) => b.x), ...nodes.map((n) => n.x));
  const minY = Math.min(0, ...groups.map((b) => b.y), ...nodes.map((n) => n.y));
  const shift = <T extends { x: number; y: number }>(p: T): T => ({ ...p, x: p.x - minX, y: p.y - minY });
  const graph = g.graph() as { width?: number; height?: number };
  return {
    nodes: nodes.map(shift),
    groups: groups.map(shift),
    edges: drawnEdges.map((e) => ({ ...e, points: e.points.map(shift), ...(e.labelAt ? { labelAt: shift(e.labelAt) } : {}) })),
    width: (graph.width ?? 0) - minX,
    height: (graph.height ?? 0) - minY,
    fontSize: FONT_SIZE,
    omitted: { workloads: exposures.length - [...used].filter((n) => byWorkload.has(n)).length, edges: candidates.length - edges.length },
    implied,
  };
}

export type { WorkloadExposure };
