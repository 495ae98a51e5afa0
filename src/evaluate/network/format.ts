import type { ConnectionLine, ExposureLine, NetworkAnalysis } from './analyze.js';

/**
 * The analysis as text for people and tools: `src => dst : conns` lines as established
 * connectivity analyzers print them (txt), and the same lines as JSON, CSV, Markdown or a
 * Graphviz digraph.
 */

export const NETWORK_FORMATS = ['txt', 'json', 'csv', 'md', 'dot'] as const;
export type NetworkFormat = (typeof NETWORK_FORMATS)[number];

function exposureRows(lines: readonly ExposureLine[], arrow: '=>' | '<=', width: number): string[] {
  return lines.map((l) => `${l.workload.padEnd(width)} \t${arrow} \t${l.peer} : ${l.conn}`);
}

function txt(a: NetworkAnalysis): string {
  let out = a.connections.map((l) => `${l.src} => ${l.dst} : ${l.conn}\n`).join('');
  const e = a.exposure;
  if (!e) return out;
  if (out !== '') out += '\n';
  const width = Math.max(0, ...[...e.egress, ...e.ingress, ...e.services].map((l) => l.workload.length));
  out += 'Exposure Analysis Result:\n';
  if (e.egress.length > 0) out += `Egress Exposure:\n${exposureRows(e.egress, '=>', width).join('\n')}\n`;
  if (e.ingress.length > 0) out += `${e.egress.length > 0 ? '\n' : ''}Ingress Exposure:\n${exposureRows(e.ingress, '<=', width).join('\n')}\n`;
  if (e.unprotected.length > 0) out += `\nWorkloads not protected by network policies:\n${e.unprotected.join('\n')}\n`;
  if (e.services.length > 0) out += `\nExposed outside the cluster by Services of type LoadBalancer or NodePort:\n${exposureRows(e.services, '<=', width).join('\n')}\n`;
  return out;
}

function json(a: NetworkAnalysis): string {
  const conns = a.connections.map((l) => ({ src: l.src, dst: l.dst, conn: l.conn }));
  if (!a.exposure) return `${JSON.stringify(conns, null, 2)}\n`;
  const e = a.exposure;
  const side = (lines: readonly ExposureLine[], ingress: boolean): unknown[] =>
    lines.map((l) => (ingress ? { src: l.peer, dst: l.workload, conn: l.conn } : { src: l.workload, dst: l.peer, conn: l.conn }));
  return `${JSON.stringify(
    {
      connlist_results: conns,
      exposure_results: { egress_exposure: side(e.egress, false), ingress_exposure: side(e.ingress, true), services_exposure: side(e.services, true), unprotected: e.unprotected },
    },
    null,
    2,
  )}\n`;
}

const csvCell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

function csv(a: NetworkAnalysis): string {
  const rows = [['src', 'dst', 'conn'], ...a.connections.map((l) => [l.src, l.dst, l.conn])];
  let out = rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  const e = a.exposure;
  if (e) {
    const section = (title: string, lines: readonly ExposureLine[], ingress: boolean): string =>
      `\n${title}\n${['src,dst,conn', ...lines.map((l) => (ingress ? [l.peer, l.workload, l.conn] : [l.workload, l.peer, l.conn]).map(csvCell).join(','))].join('\n')}\n`;
    out += section('Egress Exposure:', e.egress, false) + section('Ingress Exposure:', e.ingress, true);
    if (e.services.length > 0) out += section('Services Exposure:', e.services, true);
  }
  return out;
}

const mdCell = (v: string): string => v.replaceAll('|', '\\|');

function md(a: NetworkAnalysis): string {
  const table = (rows: ReadonlyArray<readonly [string, string, string]>): string =>
    ['| src | dst | conn |', '|-----|-----|------|', ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n') + '\n';
  let out = table(a.connections.map((l) => [l.src, l.dst, l.conn] as const));
  const e = a.exposure;
  if (e) {
    out += `\n## Exposure Analysis Result:\n### Egress Exposure:\n${table(e.egress.map((l) => [l.workload, l.peer, l.conn] as const))}`;
    out += `\n### Ingress Exposure:\n${table(e.ingress.map((l) => [l.peer, l.workload, l.conn] as const))}`;
    if (e.services.length > 0) out += `\n### Services Exposure:\n${table(e.services.map((l) => [l.peer, l.workload, l.conn] as const))}`;
  }
  return out;
}

const dotId = (v: string): string => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** Workloads grouped by namespace in clusters; external ranges and the ingress controller apart. */
function dot(a: NetworkAnalysis): string {
  const edges: ConnectionLine[] = [...a.connections];
  for (const l of a.exposure?.ingress ?? []) if (!l.peer.endsWith('[External]')) edges.push({ src: l.peer, dst: l.workload, conn: l.conn });
  for (const l of a.exposure?.egress ?? []) if (!l.peer.endsWith('[External]')) edges.push({ src: l.workload, dst: l.peer, conn: l.conn });
  const nodes = [...new Set(edges.flatMap((l) => [l.src, l.dst]))].sort();
  const byNamespace = new Map<string, string[]>();
  const loose: string[] = [];
  for (const n of nodes) {
    const m = /^([^/[{]+)\/[^[]+\[[A-Za-z]+\]$/.exec(n);
    if (m) byNamespace.set(m[1]!, [...(byNamespace.get(m[1]!) ?? []), n]);
    else loose.push(n);
  }
  const out = ['digraph {'];
  let i = 0;
  for (const [ns, members] of [...byNamespace].sort(([x], [y]) => (x < y ? -1 : 1))) {
    out.push(`  subgraph cluster_${i++} {`, `    label=${dotId(ns)}`);
    for (const n of members) out.push(`    ${dotId(n)} [shape=box]`);
    out.push('  }');
  }
  for (const n of loose) out.push(`  ${dotId(n)} [shape=${n.endsWith('[External]') ? 'diamond' : 'ellipse'}]`);
  for (const l of edges) out.push(`  ${dotId(l.src)} -> ${dotId(l.dst)} [label=${dotId(l.conn)}]`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

export function formatNetwork(a: NetworkAnalysis, format: NetworkFormat): string {
  switch (format) {
    case 'txt':
      return txt(a);
    case 'json':
      return json(a);
    case 'csv':
      return csv(a);
    case 'md':
      return md(a);
    case 'dot':
      return dot(a);
  }
}
