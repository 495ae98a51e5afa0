import { isEmptyDiff, type ConnectionDiff } from '../../core/network.js';

/**
 * What changed between two connectivity analyses, line by line: a pair of endpoints whose
 * connection appeared, disappeared, or allows other protocols or ports than before.
 */

export type { ChangedConnection, ConnectionDiff } from '../../core/network.js';

export { diffConnections, isEmptyDiff } from '../../core/network.js';

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
