/**
 * One string per distinct value among the rows of one large read. A database driver gives
 * every row its own copy of every text (cluster, control id, run ids, timestamps, evidence
 * path, observed and expected values): of the close to a million episodes open on a cluster of
 * 200,000 pods, nearly all are the same few hundred values, and their copies were most of the
 * read's memory. Columns unique to each row (fingerprint, name, uid) are left alone: a map
 * entry per row would cost more than it saves.
 */
const UNIQUE = new Set(['fingerprint', 'name', 'uid']);

export class RowStrings {
  private readonly seen = new Map<string, string>();

  /** Replaces, in place, the row's repeated string values by the first copy of each. */
  share<T extends object>(row: T): T {
    const r = row as Record<string, unknown>;
    for (const key of Object.keys(r)) {
      const v = r[key];
      if (typeof v !== 'string' || UNIQUE.has(key)) continue;
      const held = this.seen.get(v);
      if (held === undefined) this.seen.set(v, v);
      else r[key] = held;
    }
    return row;
  }

  /** One object per distinct point (run, seq, time): episodes seen in the same scan share it. */
  private readonly points = new Map<string, { runId: string; seq: number; at: string }>();
  point(runId: string, seq: number, at: string): { runId: string; seq: number; at: string } {
    const key = `${runId}\u0000${seq}\u0000${at}`;
    let p = this.points.get(key);
    if (!p) this.points.set(key, (p = { runId, seq, at }));
    return p;
  }
}
