/**
 * IP address ranges as integer intervals (IPv4 in 0..2^32-1, IPv6 in 0..2^128-1, kept apart by
 * family), to apply ipBlock `cidr` minus `except` and to split the space outside the cluster
 * into the ranges policies tell apart.
 */

export type Family = 4 | 6;

export interface IpRange {
  readonly family: Family;
  readonly start: bigint;
  readonly end: bigint;
}

const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

export const ALL_IPV4: IpRange = { family: 4, start: 0n, end: MAX[4] };
export const ALL_IPV6: IpRange = { family: 6, start: 0n, end: MAX[6] };

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] | undefined => {
    if (h === '') return [];
    const out: string[] = [];
    for (const g of h.split(':')) {
      if (g.includes('.')) {
        // An IPv4 tail (::ffff:10.0.0.1) is two groups.
        const v4 = parseV4(g);
        if (v4 === undefined) return undefined;
        out.push((v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(g);
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  let n = 0n;
  for (const g of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]) n = (n << 16n) | BigInt(parseInt(g, 16));
  return n;
}

/** `10.0.0.0/8`, `2001:db8::/32` as a range; a message saying what is wrong otherwise. */
export function parseCidr(cidr: string): IpRange | string {
  const slash = cidr.indexOf('/');
  if (slash < 0) return `"${cidr}" is not a CIDR (no prefix length)`;
  const addr = cidr.slice(0, slash);
  const bitsText = cidr.slice(slash + 1);
  const family: Family = addr.includes(':') ? 6 : 4;
  const width = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > width) return `"${cidr}": the prefix length must be 0 to ${width}`;
  const ip = family === 4 ? parseV4(addr) : parseV6(addr);
  if (ip === undefined) return `"${cidr}": "${addr}" is not an IPv${family} address`;
  const hostBits = BigInt(width - Number(bitsText));
  // The API accepts host bits set (10.0.0.1/8) and means the network; so do we.
  const start = (ip >> hostBits) << hostBits;
  return { family, start, end: start + (1n << hostBits) - 1n };
}

/** `range` minus each of `holes`, as sorted disjoint ranges. */
export function subtract(range: IpRange, holes: readonly IpRange[]): IpRange[] {
  let parts: IpRange[] = [range];
  for (const h of holes) {
    if (h.family !== range.family) continue;
    const next: IpRange[] = [];
    for (const p of parts) {
      if (h.end < p.start || h.start > p.end) {
        next.push(p);
        continue;
      }
      if (h.start > p.start) next.push({ family: p.family, start: p.start, end: h.start - 1n });
      if (h.end < p.end) next.push({ family: p.family, start: h.end + 1n, end: p.end });
    }
    parts = next;
  }
  return parts;
}

/**
 * Split `space` at every edge of `blocks`: the smallest ranges inside which every block either
 * holds all addresses or none, so that each can be judged by one of its addresses.
 */
export function splitAt(space: IpRange, blocks: readonly IpRange[]): IpRange[] {
  const cuts = new Set<bigint>();
  for (const b of blocks) {
    if (b.family !== space.family) continue;
    if (b.start > space.start && b.start <= space.end) cuts.add(b.start);
    if (b.end >= space.start && b.end < space.end) cuts.add(b.end + 1n);
  }
  const starts = [space.start, ...[...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))];
  return starts.map((s, i) => ({ family: space.family, start: s, end: i + 1 < starts.length ? starts[i + 1]! - 1n : space.end }));
}

export function containsAddress(r: IpRange, family: Family, address: bigint): boolean {
  return r.family === family && r.start <= address && address <= r.end;
}

function formatAddress(family: Family, n: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 0xffn).toString()).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((n >> s) & 0xffffn));
  // The longest run of two or more zero groups is written `::` (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** `10.0.0.0-10.255.255.255`: both ends, as established analyzers print external peers. */
export function formatRange(r: IpRange): string {
  return `${formatAddress(r.family, r.start)}-${formatAddress(r.family, r.end)}`;
}

/** `10.0.0.0-10.255.255.255` (as formatRange writes it) back to a range; undefined when it is not one. */
export function parseRange(text: string): IpRange | undefined {
  const dash = text.indexOf('-');
  if (dash < 0) return undefined;
  const [a, b] = [text.slice(0, dash), text.slice(dash + 1)];
  const family: Family = a.includes(':') ? 6 : 4;
  const parse = family === 4 ? parseV4 : parseV6;
  const start = parse(a);
  const end = parse(b);
  return start === undefined || end === undefined || end < start ? undefined : { family, start, end };
}

/**
 * Addresses that are not the internet: private (RFC 1918, IPv6 unique local), shared (carrier
 * NAT), loopback, link-local, "this network", multicast and reserved.
 */
const NOT_INTERNET = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3', '::/127', 'fc00::/7', 'fe80::/10', 'ff00::/8'].map(
  (c) => parseCidr(c) as IpRange,
);

/** Whether a range holds some address of the internet (outside every NOT_INTERNET block). */
export function reachesInternet(r: IpRange): boolean {
  return subtract(r, NOT_INTERNET).length > 0;
}
