/**
 * The PDF's "Network exposure" section (issue 17): per cluster, the connectivity graph drawn
 * from the stored analysis (network-graph.ts lays it out), the most exposed workloads, and the
 * connections added, removed or changed over the period.
 */
import type { ConnectionDiff } from '../core/network.js';
import { isExposed, isWorkloadPeer, workloadExposures, type WorkloadExposure } from '../core/network-exposure.js';
import type { ClusterNetwork, RunReport } from './model.js';
import { networkDrawing, type DrawnEdge, type DrawnNode, type NetworkDrawing } from './network-graph.js';
import { callout, FONT, type Layout } from './pdf-layout.js';
import { fmtInt } from './pdf-cells.js';

/** Rows of the most exposed workloads table. */
export const EXPOSED_ROWS = 15;
/** Changed connections listed per cluster before "N more". */
export const CHANGE_ROWS = 40;

/** The section, when the report holds any cluster's connectivity. */
export function networkSection(L: Layout, report: RunReport): void {
  const networks = report.network ?? [];
  if (networks.length === 0) return;
  L.newPage();
  L.heading('Network exposure', 1, L.contents.entry('Network exposure'));
  L.paragraph(
    'Who can reach whom in each cluster, from its NetworkPolicies, Services and Ingresses as the scan read them (the analysis of `complyd network`). A connection is drawn when both the source\'s egress and the destination\'s ingress policies allow it. Workloads drawn in red are exposed: open to the internet through a LoadBalancer or NodePort Service or an Ingress whose traffic the policies let in, to every pod of the cluster, or to address ranges outside it. Whether the network plugin enforces NetworkPolicies is not known from the API (CIS 5.3.1).',
    L.style(FONT.regular, 9),
  );
  for (const n of networks) clusterNetwork(L, n);
}

function clusterNetwork(L: Layout, n: ClusterNetwork): void {
  const a = n.analysis;
  const body = L.style(FONT.regular, 9);
  L.heading(`Network exposure on ${n.cluster}`, 2, L.contents.entry(`Network exposure on ${n.cluster}`, 2));
  const exposures = workloadExposures(a);
  const exposed = exposures.filter(isExposed);
  const internet = exposures.filter((e) => e.internet.length > 0).length;
  const cluster = exposures.filter((e) => e.cluster !== undefined).length;
  L.paragraph(
    `${fmtInt(a.workloads)} workload(s), ${fmtInt(a.policies)} NetworkPolicy(ies), ${fmtInt(a.connections.length)} allowed connection(s). ${fmtInt(exposed.length)} workload(s) exposed: ${fmtInt(internet)} reachable from the internet, ${fmtInt(cluster)} open to the entire cluster.`,
    body,
  );
  if (!a.exposure) callout(L, `The analysis of ${n.cluster} was stored without its exposure view: workloads open to the entire cluster or through Services are not shown.`, L.c.status.unknown);
  if (a.problems.length > 0) callout(L, `${a.problems.length} problem(s) in the policies of ${n.cluster} (each spoils only its rule, which then allows nothing): ${a.problems.slice(0, 3).join('; ')}${a.problems.length > 3 ? '; ...' : ''}`, L.c.status.unknown);

  if (a.connections.length > 0 || exposures.length > 0) drawGraph(L, n.cluster, networkDrawing(a, { measure: (t, size, bold) => L.textWidth(t, L.style(bold ? FONT.bold : FONT.regular, size)) }));

  L.heading(`Most exposed workloads on ${n.cluster}`, 3);
  L.table(
    [
      { header: 'Workload', width: 26 },
      { header: 'Open to', width: 52 },
      { header: 'Reaches', width: 12, align: 'right' },
    ],
    exposed.slice(0, EXPOSED_ROWS).map((e) => [{ text: e.workload, font: FONT.bold, color: L.c.status.fail }, openTo(e), fmtInt(e.reachCount)]),
    { size: 8, caption: `Most exposed workloads on ${n.cluster}` },
  );
  if (exposed.length > EXPOSED_ROWS) L.paragraph(`${fmtInt(exposed.length - EXPOSED_ROWS)} more exposed workload(s) not listed: \`complyd network --exposure\` lists them all.`, L.style(FONT.italic, 8.5, L.c.muted));
  changes(L, n);
}

/** What a workload is open to, in words. */
function openTo(e: WorkloadExposure): string {
  const out: string[] = [];
  for (const i of e.internet) out.push(`internet via ${i}`);
  if (e.cluster !== undefined) out.push(`every pod of the cluster (${e.cluster})`);
  if (e.external.length > 0) out.push(`external ${e.external.slice(0, 2).join(', ')}${e.external.length > 2 ? `, +${e.external.length - 2} range(s)` : ''}`);
  return out.join('; ');
}

function changes(L: Layout, n: ClusterNetwork): void {
  const d = n.changes;
  L.heading(`Connections changed over the period on ${n.cluster}`, 3);
  const body = L.style(FONT.regular, 9);
  if (!d) {
    L.paragraph('No earlier run of the period holds this cluster\'s connectivity: nothing to compare with.', body);
    return;
  }
  const since = n.since ? ` since ${n.since.slice(0, 16).replace('T', ' ')} UTC` : '';
  const total = d.added.length + d.removed.length + d.changed.length;
  if (total === 0) {
    L.paragraph(`No connection added, removed or changed${since}.`, body);
    return;
  }
  L.paragraph(`${fmtInt(d.added.length)} connection(s) added, ${fmtInt(d.removed.length)} removed and ${fmtInt(d.changed.length)} changed${since}. Connections added from outside the cluster into a workload are marked as new exposure.`, body);
  const rows = changeRows(L, d);
  L.table(
    [
      { header: 'Change', width: 10 },
      { header: 'From', width: 30 },
      { header: 'To', width: 30 },
      { header: 'Connections', width: 30 },
    ],
    rows.slice(0, CHANGE_ROWS),
    { size: 8, caption: `Connections changed on ${n.cluster}` },
  );
  if (rows.length > CHANGE_ROWS) L.paragraph(`${fmtInt(rows.length - CHANGE_ROWS)} more change(s) not listed: \`complyd network diff\` lists them all.`, L.style(FONT.italic, 8.5, L.c.muted));
}

function changeRows(L: Layout, d: ConnectionDiff) {
  return [
    // From outside the workloads (an address range, the ingress controller) into one: new exposure.
    ...d.added.map((l) => [{ text: isWorkloadPeer(l.src) || !isWorkloadPeer(l.dst) ? 'added' : 'new exposure', font: FONT.bold, color: L.c.status.fail }, l.src, l.dst, l.conn]),
    ...d.changed.map((l) => [{ text: 'changed', font: FONT.bold }, l.src, l.dst, `${l.before} -> ${l.after}`]),
    ...d.removed.map((l) => [{ text: 'removed', font: FONT.bold, color: L.c.status.pass }, l.src, l.dst, l.conn]),
  ];
}

/** Fill and border of a node by what it is. */
function nodeColours(L: Layout, node: DrawnNode): { fill: string; stroke: string; text: string } {
  if (node.exposed) return { fill: '#fde8e6', stroke: L.c.status.fail, text: L.c.text };
  if (node.kind === 'workload') return { fill: '#ffffff', stroke: L.c.muted, text: L.c.text };
  return { fill: '#eef2f7', stroke: L.c.primary, text: L.c.primary };
}

/** The drawing, scaled to the text width and at most a page high, with its caption and the caps' note. */
function drawGraph(L: Layout, cluster: string, d: NetworkDrawing): void {
  const { doc } = L;
  // At most two thirds of a page, so the drawing mostly stays with the lines above it.
  const maxH = ((L.bottom - L.top) * 2) / 3;
  const scale = Math.min(1.4, L.width / Math.max(1, d.width), maxH / Math.max(1, d.height));
  const h = d.height * scale;
  const captionStyle = L.style(FONT.italic, 8, L.c.muted);
  const notes = graphNotes(d);
  const noteLines = notes ? L.wrap(notes, captionStyle, L.width) : [];
  L.ensure(h + 8 + noteLines.length * L.lineHeight(captionStyle));
  const x0 = L.left + (L.width - d.width * scale) / 2;
  const y0 = L.y;
  const X = (x: number) => x0 + x * scale;
  const Y = (y: number) => y0 + y * scale;
  const size = d.fontSize * scale;
  const exposedNames = d.nodes.filter((n) => n.exposed).map((n) => n.id);
  const alt = `Connectivity graph of ${cluster}: ${d.nodes.length} node(s) and ${d.edges.length} connection(s) drawn; exposed: ${exposedNames.length ? exposedNames.join(', ') : 'none'}`;
  L.figure(alt, () => {
    for (const g of d.groups) {
      doc.save().roundedRect(X(g.x), Y(g.y), g.width * scale, g.height * scale, 4 * scale).lineWidth(0.6).dash(3 * scale, { space: 2 * scale }).fillAndStroke('#f7f7f7', L.c.muted).undash().restore();
      L.drawLines([`namespace ${g.namespace}`], L.style(FONT.bold, size, L.c.muted), X(g.x) + 3 * scale, Y(g.y) + 2 * scale, g.width * scale - 6 * scale);
    }
    for (const e of d.edges) drawEdge(L, e, X, Y, scale, size);
    for (const n of d.nodes) {
      const c = nodeColours(L, n);
      doc.save().roundedRect(X(n.x), Y(n.y), n.width * scale, n.height * scale, 3 * scale).lineWidth(n.exposed ? 1.4 : 0.6).fillAndStroke(c.fill, c.stroke).restore();
      const lh = size * 1.25;
      n.lines.forEach((line, i) => {
        const style = L.style(i === 0 ? FONT.bold : FONT.regular, size, i === 0 && n.exposed ? L.c.status.fail : c.text);
        L.drawLines([line], style, X(n.x), Y(n.y) + 4 * scale + i * lh, n.width * scale, 'center');
      });
    }
    return h;
  });
  L.y += h + 4;
  if (noteLines.length) {
    L.drawLines(noteLines, captionStyle, L.left, L.y, L.width);
    L.y += noteLines.length * L.lineHeight(captionStyle) + 4;
  }
}

function drawEdge(L: Layout, e: DrawnEdge, X: (x: number) => number, Y: (y: number) => number, scale: number, size: number): void {
  const { doc } = L;
  const pts = e.points.map((p) => ({ x: X(p.x), y: Y(p.y) }));
  const first = pts[0];
  const last = pts[pts.length - 1];
  const prev = pts[pts.length - 2];
  if (!first || !last || !prev) return;
  const colour = e.exposure ? L.c.status.fail : '#8a8f98';
  doc.save().moveTo(first.x, first.y);
  for (const p of pts.slice(1)) doc.lineTo(p.x, p.y);
  doc.lineWidth(e.exposure ? 0.9 : 0.5).strokeColor(colour).stroke();
  // The arrowhead along the last segment.
  const ang = Math.atan2(last.y - prev.y, last.x - prev.x);
  const len = 4.5 * scale;
  doc
    .moveTo(last.x, last.y)
    .lineTo(last.x - len * Math.cos(ang - 0.4), last.y - len * Math.sin(ang - 0.4))
    .lineTo(last.x - len * Math.cos(ang + 0.4), last.y - len * Math.sin(ang + 0.4))
    .closePath()
    .fill(colour)
    .restore();
  if (e.labelAt && e.label) {
    const style = L.style(FONT.regular, size * 0.9, e.exposure ? L.c.status.fail : L.c.muted);
    const w = L.textWidth(e.label, style) + 2;
    doc.save().rect(X(e.labelAt.x) - w / 2, Y(e.labelAt.y) - size * 0.6, w, size * 1.2).fill('#ffffff').restore();
    L.drawLines([e.label], style, X(e.labelAt.x) - w / 2, Y(e.labelAt.y) - size * 0.55, w, 'center');
  }
}

function graphNotes(d: NetworkDrawing): string {
  const notes: string[] = ['Red: exposed workloads and the traffic that reaches them from outside; unlabelled edges allow all ports and protocols.'];
  if (d.implied > 0) notes.push(`${fmtInt(d.implied)} connection(s) into workloads open to the entire cluster are drawn once, from "any pod of the cluster".`);
  if (d.omitted.workloads > 0 || d.omitted.edges > 0)
    notes.push(`${fmtInt(d.omitted.workloads)} more workload(s) and ${fmtInt(d.omitted.edges)} more connection(s) not drawn (each namespace's most exposed come first; \`complyd network\` lists every connection).`);
  return notes.join(' ');
}
