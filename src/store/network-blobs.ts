/**
 * Each cluster scan's connectivity (ADR 0017), content-addressed: the analysis as canonical
 * JSON, hashed with SHA-256 and kept gzipped once per distinct content. A scan's row points at
 * its blob; an unchanged cluster adds a row and no blob. The digest is covered by the row's
 * chain hash, and `verify` checks a blob still hashes to its digest.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import { canonicalNetworkJson, type NetworkAnalysis } from '../core/network.js';
import { sha256 } from './chain.js';
import { RUN_CLUSTERS, isoTimestamp } from './run-rows.js';
import type { StoredNetwork } from './run-types.js';
import { StoreError } from './store-error.js';

export const NETWORK_BLOBS = 'network_blobs';

/**
 * Over this much canonical JSON a scan's connectivity is not kept (a note says so): about
 * 150,000 connection lines, which only a cluster that few policies isolate reaches (without
 * any, every pair of workloads is a line).
 */
export const DEFAULT_NETWORK_CAP_BYTES = 16 * 1024 * 1024;

/** The canonical JSON's length in UTF-16 units, give or take its punctuation: checked before it is built. */
function estimatedJsonLength(a: NetworkAnalysis): number {
  let n = 0;
  for (const l of a.connections) n += l.src.length + l.dst.length + l.conn.length + 28;
  const e = a.exposure;
  if (e) for (const l of [...e.egress, ...e.ingress, ...e.services]) n += l.workload.length + l.peer.length + l.conn.length + 32;
  return n;
}

const MIB = 1024 * 1024;
const mib = (n: number): string => `${(n / MIB).toFixed(1)} MiB`;

/** The columns of the scan's row: its digest, or why there is none. The blob is written when new. */
export async function keepNetwork(trx: Knex.Transaction, analysis: NetworkAnalysis, capBytes: number, now: string): Promise<{ network_digest: string | null; network_note: string | null }> {
  const over = (size: number) => ({ network_digest: null, network_note: `connectivity not kept: ${mib(size)} of JSON (${analysis.connections.length} connections) is over the ${mib(capBytes)} cap` });
  // An unprotected cluster of thousands of workloads has millions of lines: never build their text.
  const estimate = estimatedJsonLength(analysis);
  if (estimate > capBytes) return over(estimate);
  const json = canonicalNetworkJson(analysis);
  const size = Buffer.byteLength(json);
  if (size > capBytes) return over(size);
  const digest = sha256(json);
  // Two clusters of one run with the same connectivity may write it at once (PostgreSQL): the second is a no-op.
  await trx(NETWORK_BLOBS).insert({ digest, size, body: gzipSync(json), created_at: now }).onConflict('digest').ignore();
  return { network_digest: digest, network_note: null };
}

/** The JSON a blob holds, or a StoreError naming the blob when it cannot be read back. */
export function blobJson(digest: string, body: Buffer | Uint8Array): string {
  try {
    return gunzipSync(body).toString('utf8');
  } catch (err) {
    throw new StoreError(`network_blobs ${digest}: not gzip: ${(err as Error).message}`, { cause: err });
  }
}

async function readBlob(db: Knex, digest: string): Promise<NetworkAnalysis | undefined> {
  const row = (await db(NETWORK_BLOBS).select('body').where({ digest }).first()) as { body: Buffer } | undefined;
  if (!row) return undefined;
  const json = blobJson(digest, row.body);
  try {
    return JSON.parse(json) as NetworkAnalysis;
  } catch (err) {
    throw new StoreError(`network_blobs ${digest}: not JSON: ${(err as Error).message}`, { cause: err });
  }
}

interface NetworkRow {
  run_id: string;
  cluster: string;
  started_at: string;
  network_digest: string | null;
  network_note: string | null;
}

const NETWORK_ROW = ['rc.run_id', 'rc.cluster', 'rc.started_at', 'rc.network_digest', 'rc.network_note'];

async function storedOf(db: Knex, row: NetworkRow | undefined): Promise<StoredNetwork | undefined> {
  if (!row) return undefined;
  const base = { runId: row.run_id, cluster: row.cluster, at: row.started_at };
  if (row.network_digest === null) return { ...base, note: row.network_note ?? 'no connectivity recorded for this scan' };
  const analysis = await readBlob(db, row.network_digest);
  return analysis ? { ...base, digest: row.network_digest, analysis } : { ...base, digest: row.network_digest, note: 'connectivity pruned by retention (its digest stays in the chain)' };
}

/** Rows of the cluster's scans that hold connectivity or say why not, newest first. */
const withNetwork = (db: Knex, cluster: string) =>
  db(`${RUN_CLUSTERS} as rc`)
    .select(NETWORK_ROW)
    .where('rc.cluster', cluster)
    .andWhere((q) => void q.whereNotNull('rc.network_digest').orWhereNotNull('rc.network_note'))
    .orderBy('rc.seq', 'desc');

/** At a run (its row, whatever it holds), or the cluster's newest scan that holds connectivity. */
export async function networkAt(db: Knex, cluster: string, runId?: string): Promise<StoredNetwork | undefined> {
  if (runId !== undefined) {
    const row = (await db(`${RUN_CLUSTERS} as rc`).select(NETWORK_ROW).where({ 'rc.cluster': cluster, 'rc.run_id': runId }).first()) as NetworkRow | undefined;
    if (row && row.network_digest === null && row.network_note === null) return { runId: row.run_id, cluster, at: row.started_at, note: 'no connectivity recorded for this scan (a failed scan, or recorded before complyd kept connectivity)' };
    return storedOf(db, row);
  }
  return storedOf(db, (await withNetwork(db, cluster).whereNotNull('rc.network_digest').first()) as NetworkRow | undefined);
}

/**
 * What a period starting at `from` compares against: the newest scan holding connectivity that
 * started at or before `from`, else the oldest one after it, started before `before` (the scan
 * compared with it). Undefined when no scan of the cluster holds connectivity in that range.
 */
export async function networkSince(db: Knex, cluster: string, from: Date, before?: string): Promise<StoredNetwork | undefined> {
  const at = isoTimestamp(from, 'from');
  const earlier = (await withNetwork(db, cluster).whereNotNull('rc.network_digest').andWhere('rc.started_at', '<=', at).first()) as NetworkRow | undefined;
  if (earlier) return storedOf(db, earlier);
  const q = db(`${RUN_CLUSTERS} as rc`).select(NETWORK_ROW).where('rc.cluster', cluster).whereNotNull('rc.network_digest').andWhere('rc.started_at', '>', at).orderBy('rc.seq', 'asc');
  if (before !== undefined) void q.andWhere('rc.started_at', '<', before);
  return storedOf(db, (await q.first()) as NetworkRow | undefined);
}

/**
 * Deletes the blobs that only scans started before `cutoff` refer to, except each cluster's
 * newest connectivity (the current state is never pruned). The rows keep their digests, so
 * the chain still verifies; a reader says the connectivity was pruned.
 */
export async function pruneNetworkBlobs(trx: Knex.Transaction, cutoff: string): Promise<number> {
  const newest = trx(`${RUN_CLUSTERS} as n`)
    .select('n.network_digest')
    .whereNotNull('n.network_digest')
    .whereRaw('?? = (SELECT MAX(??) FROM ?? AS m WHERE ?? = ?? AND ?? IS NOT NULL)', ['n.seq', 'm.seq', RUN_CLUSTERS, 'm.cluster', 'n.cluster', 'm.network_digest']);
  return trx(NETWORK_BLOBS)
    .whereNotIn('digest', (q) => void q.select('network_digest').from(RUN_CLUSTERS).whereNotNull('network_digest').andWhere('started_at', '>=', cutoff))
    .whereNotIn('digest', newest)
    .delete();
}
