/**
 * Sets of connections: per protocol, the allowed port ranges (1-65535), and for peers whose
 * ports are not known (a destination outside the inputs) the port names a rule allowed.
 * Ranges are kept sorted and merged, so two equal sets print the same.
 */

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** An inclusive port range. */
export type PortRange = readonly [number, number];

export interface Conns {
  readonly ports: Readonly<Record<Protocol, readonly PortRange[]>>;
  /** Named ports that could not be resolved to numbers (the destination's ports are unknown). */
  readonly named?: Readonly<Partial<Record<Protocol, readonly string[]>>>;
}

const FULL: readonly PortRange[] = [[MIN_PORT, MAX_PORT]];

export const NO_CONNS: Conns = { ports: { SCTP: [], TCP: [], UDP: [] } };
export const ALL_CONNS: Conns = { ports: { SCTP: FULL, TCP: FULL, UDP: FULL } };

export function isProtocol(v: unknown): v is Protocol {
  return typeof v === 'string' && (PROTOCOLS as readonly string[]).includes(v);
}

/** One protocol's range (or all its ports). */
export function connsOf(protocol: Protocol, range: PortRange = [MIN_PORT, MAX_PORT]): Conns {
  return { ports: { ...NO_CONNS.ports, [protocol]: [range] } };
}

export function namedConns(protocol: Protocol, name: string): Conns {
  return { ports: NO_CONNS.ports, named: { [protocol]: [name] } };
}

function mergeRanges(ranges: PortRange[]): PortRange[] {
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [[ranges[0]![0], ranges[0]![1]]];
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i]!;
    const last = out[out.length - 1]!;
    if (r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

export function union(a: Conns, b: Conns): Conns {
  if (isEmpty(b)) return a;
  if (isEmpty(a)) return b;
  const ports = {} as Record<Protocol, readonly PortRange[]>;
  for (const p of PROTOCOLS) ports[p] = b.ports[p].length === 0 ? a.ports[p] : a.ports[p].length === 0 ? b.ports[p] : mergeRanges([...a.ports[p], ...b.ports[p]]);
  const named = unionNamed(a.named, b.named);
  return named ? { ports, named } : { ports };
}

function unionNamed(a: Conns['named'], b: Conns['named']): Conns['named'] {
  if (!a) return b;
  if (!b) return a;
  const out: Partial<Record<Protocol, readonly string[]>> = {};
  for (const p of PROTOCOLS) {
    const names = [...new Set([...(a[p] ?? []), ...(b[p] ?? [])])].sort();
    if (names.length > 0) out[p] = names;
  }
  return out;
}

/** Both sides allow it. Named ports survive only where the other side allows the whole protocol. */
export function intersect(a: Conns, b: Conns): Conns {
  if (a === ALL_CONNS) return b;
  if (b === ALL_CONNS) return a;
  const ports = {} as Record<Protocol, readonly PortRange[]>;
  for (const p of PROTOCOLS) ports[p] = intersectRanges(a.ports[p], b.ports[p]);
  const named: Partial<Record<Protocol, readonly string[]>> = {};
  for (const p of PROTOCOLS) {
    const names = [...(a.named?.[p] && isFull(b.ports[p]) ? a.named[p] : []), ...(b.named?.[p] && isFull(a.ports[p]) ? b.named[p] : [])];
    if (names.length > 0) named[p] = [...new Set(names)].sort();
  }
  return Object.keys(named).length > 0 ? { ports, named } : { ports };
}

const isFull = (r: readonly PortRange[]): boolean => r.length === 1 && r[0]![0] === MIN_PORT && r[0]![1] === MAX_PORT;

export function isEmpty(c: Conns): boolean {
  return PROTOCOLS.every((p) => c.ports[p].length === 0 && (c.named?.[p]?.length ?? 0) === 0);
}

export function isAll(c: Conns): boolean {
  return PROTOCOLS.every((p) => isFull(c.ports[p]));
}

/** Every connection of `a` is in `b` (named ports count as contained only in a whole protocol or the same name). */
export function contains(b: Conns, a: Conns): boolean {
  for (const p of PROTOCOLS) {
    if (intersectRanges(a.ports[p], b.ports[p]).reduce((n, r) => n + r[1] - r[0] + 1, 0) !== a.ports[p].reduce((n, r) => n + r[1] - r[0] + 1, 0)) return false;
    for (const name of a.named?.[p] ?? []) if (!isFull(b.ports[p]) && !(b.named?.[p] ?? []).includes(name)) return false;
  }
  return true;
}

/**
 * `All Connections`, or each protocol (alphabetical) with its ranges: `TCP 80,8080-8090,UDP 53`,
 * joined by commas as established analyzers print them; `No Connections` for the empty set.
 */
export function formatConns(c: Conns): string {
  if (isAll(c)) return 'All Connections';
  const parts: string[] = [];
  for (const p of PROTOCOLS) {
    const items = c.ports[p].map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
    items.push(...(c.named?.[p] ?? []));
    if (items.length > 0) parts.push(`${p} ${items.join(',')}`);
  }
  return parts.length === 0 ? 'No Connections' : parts.join(',');
}

/** A stable key, to group equal sets. */
export function connsKey(c: Conns): string {
  return formatConns(c);
}
