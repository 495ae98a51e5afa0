import type { ChangedConnection, ConnectionDiff, ConnectionLine } from '../../core/network.js';

/**
 * What changed between two connectivity analyses, line by line: a pair of endpoints whose
 * connection appeared, disappeared, or allows other protocols or ports than before.
 */

export type { ChangedConnection, ConnectionDiff } from '../../core/network.js';

const key = (c: ConnectionLine): string => `${c.src}\0${c.dst}`;

export function diffConnections(before: readonly ConnectionLine[], after: readonly ConnectionLine[]): ConnectionDiff {
  const was = new Map(before.map((c) => [key(c), c]));
  const now = new Map(after.map((c) => [key(c), c]));
  const added: ConnectionLine[] = [];
  const changed: ChangedConnection[] = [];
  for (const [k, c] of now) {
    const old = was.get(k);
    if (!old) added.push(c);
    else if (old.conn !== c.conn) changed.push({ src: c.src, dst: c.dst, before: old.conn, after: c.conn });
  }
  const removed = [...was].filter(([k]) => !now.has(k)).map(([, c]) => c);
  return { added, removed, changed };
}

export const isEmptyDiff = (d: ConnectionDiff): boolean => d.added.length + d.removed.length + d.changed.length === 0;

/** `+ a => b : conns`, `- a => b : conns`, `~ a => b : before -> after`, in that order; `no change` when equal. */
export function formatDiffText(d: ConnectionDiff): string {
  if (isEmptyDiff(d)) return 'no change\n';
  const lines = [
    ...d.added.map((c) => `+ ${c.src} => ${c.dst} : ${c.conn}`),
    ...d.removed.map((c) => `- ${c.src} => ${c.dst} : ${c.conn}`),
    ...d.changed.map((c) => `~ ${c.src} => ${c.dst} : ${c.before} -> ${c.after}`),
  ];
  return `${lines.join('\n')}\n`;
}
