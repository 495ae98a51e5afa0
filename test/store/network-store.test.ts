/**
 * Migration 011: each cluster scan keeps its connectivity, content-addressed (an unchanged
 * cluster adds no blob), bounded by a size cap, covered by the chain (an edited digest or blob
 * is caught), pruned by retention when only old scans refer to it (never a cluster's newest).
 * On SQLite and PostgreSQL; and on a store written by complyd 0.1.0, whose rows still verify.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import type { ClusterScan } from '../../src/core/types.js';
import type { NetworkAnalysis } from '../../src/core/network.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { describeEachDatabase } from '../helpers/databases.js';

const at = (day: number, seconds = 0) => new Date(Date.parse('2026-03-02T06:00:00.000Z') + day * 86_400_000 + seconds * 1000);

const CLOSED: NetworkAnalysis = {
  connections: [{ src: 'shop/web[Deployment]', dst: 'shop/api[Deployment]', conn: 'TCP 8080' }],
  exposure: { egress: [], ingress: [{ workload: 'shop/web[Deployment]', peer: 'entire-cluster', conn: 'TCP 80' }], unprotected: [], services: [] },
  workloads: 2,
  policies: 3,
  classes: 2,
  problems: [],
};
const OPENED: NetworkAnalysis = {
  ...CLOSED,
  connections: [...CLOSED.connections, { src: 'shop/web[Deployment]', dst: 'shop/db[StatefulSet]', conn: 'TCP 5432' }],
  exposure: { ...CLOSED.exposure!, ingress: [...CLOSED.exposure!.ingress, { workload: 'shop/db[StatefulSet]', peer: 'entire-cluster', conn: 'TCP 5432' }] },
};

function scan(cluster: string, day: number, network?: NetworkAnalysis, status: ClusterScan['status'] = 'complete'): ClusterScan {
  return {
    cluster,
    labels: {},
    status,
    startedAt: at(day, 1).toISOString(),
    finishedAt: at(day, 9).toISOString(),
    objectCounts: { deployments: 2 },
    gaps: [],
    findings: [],
    ...(network ? { network } : {}),
    ...(status === 'failed' ? { error: 'unreachable' } : {}),
  };
}

async function run(store: RunStore, day: number, scans: ClusterScan[], capBytes?: number): Promise<string> {
  const id = await store.runs.beginRun({ trigger: 'cli', catalogVersion: '1', complydVersion: 'next', clusterCount: scans.length, now: at(day), owner: 'test:1' });
  for (const s of scans) await store.runs.recordCluster(id, s, capBytes === undefined ? {} : { networkCapBytes: capBytes });
  await store.runs.finishRun(id, 'complete', at(day, 30));
  return id;
}

describeEachDatabase('connectivity per scan', (database) => {
  let db: Knex;
  let store: RunStore;
  beforeEach(async () => {
    db = await openDatabase(await database.fresh());
    store = knexRunStore(db);
  });
  afterEach(() => store.close());

  it('reads back what was recorded, one blob for an unchanged cluster, the newest by default', async () => {
    const r1 = await run(store, 1, [scan('east', 1, CLOSED), scan('west', 1, CLOSED)]);
    const r2 = await run(store, 2, [scan('east', 2, CLOSED), scan('west', 2, OPENED)]);
    // east twice and west once share one blob: three scans, two contents.
    expect(Number((await db('network_blobs').count({ n: '*' }).first())?.['n'])).toBe(2);
    expect((await store.history.network('east', r1))?.analysis).toEqual(CLOSED);
    const latest = await store.history.network('west');
    expect(latest).toMatchObject({ runId: r2, cluster: 'west', at: at(2, 1).toISOString(), analysis: OPENED });
    expect(latest?.digest).toMatch(/^[0-9a-f]{64}$/);
    // Since before the first scan: that first scan is the base.
    expect((await store.history.networkSince('west', at(0), latest?.at))?.runId).toBe(r1);
    // Since after the first scan: the newest at or before it.
    expect((await store.history.networkSince('west', at(1, 20)))?.runId).toBe(r1);
    expect(await store.history.network('nowhere')).toBeUndefined();
    expect((await store.history.clusterResults(r2)).find((c) => c.cluster === 'west')?.networkDigest).toBe(latest?.digest);
    expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, problems: [] });
  });

  it('keeps no connectivity over the cap, nor for a failed scan, and says why', async () => {
    const r = await run(store, 1, [scan('east', 1, OPENED), scan('west', 1, undefined, 'failed')], 100);
    expect(await store.history.network('east', r)).toEqual({ runId: r, cluster: 'east', at: at(1, 1).toISOString(), note: expect.stringMatching(/^connectivity not kept: 0\.0 MiB of JSON \(2 connections\) is over the 0\.0 MiB cap$/) });
    expect((await store.history.network('west', r))?.note).toMatch(/no connectivity recorded/);
    expect(await store.history.network('east')).toBeUndefined();
    expect(Number((await db('network_blobs').count({ n: '*' }).first())?.['n'])).toBe(0);
  });

  it('covers the digest by the chain and checks the blob against it', async () => {
    const r = await run(store, 1, [scan('east', 1, CLOSED)]);
    const row = (await db('run_clusters').where({ run_id: r, cluster: 'east' }).first()) as { network_digest: string };
    await db('run_clusters').where({ run_id: r }).update({ network_digest: null });
    expect((await store.integrity.verifyChain()).problems.map((p) => p.kind)).toEqual(['chain-hash']);
    await db('run_clusters').where({ run_id: r }).update({ network_digest: row.network_digest });
    expect((await store.integrity.verifyChain()).ok).toBe(true);
    const forged = JSON.stringify({ ...CLOSED, connections: [] });
    await db('network_blobs').where({ digest: row.network_digest }).update({ body: gzipSync(forged) });
    const report = await store.integrity.verifyChain();
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'network', cluster: 'east', runId: r, row: `network_blobs ${row.network_digest}` })]);
  });

  it('prunes blobs only old scans refer to, never a cluster\'s newest, and still verifies', async () => {
    const r1 = await run(store, 1, [scan('east', 1, OPENED), scan('west', 1, OPENED)]);
    await run(store, 2, [scan('east', 2, CLOSED)]);
    await run(store, 40, [scan('east', 40, CLOSED)]);
    // OPENED: only day-1 scans, but it is west's newest: kept. Nothing to prune yet.
    expect((await store.integrity.pruneEvidence(at(30))).networkBlobs).toBe(0);
    await run(store, 41, [scan('west', 41, CLOSED)]);
    expect((await store.integrity.pruneEvidence(at(30))).networkBlobs).toBe(1);
    expect(await store.history.network('east', r1)).toMatchObject({ digest: expect.any(String), note: expect.stringMatching(/pruned by retention/) });
    expect((await store.history.network('east'))?.analysis).toEqual(CLOSED);
    expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, problems: [] });
  });
});

describe('migration 011 on a store written by complyd 0.1.0', () => {
  it('applies after 012 and 013, and the old rows still verify', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'complyd-011-'));
    try {
      const path = join(dir, 'complyd.sqlite');
      await copyFile(join(process.cwd(), 'test', 'fixtures', 'store-0.1.0', 'complyd-0.1.0.db'), path);
      const db = await openDatabase({ kind: 'sqlite', path });
      const store = knexRunStore(db);
      try {
        const names = ((await db('complyd_migrations').select('name').orderBy('id')) as Array<{ name: string }>).map((r) => r.name);
        expect(names).toEqual(MIGRATIONS.map((m) => m.name));
        expect(names.indexOf('011_network_connectivity')).toBeGreaterThan(names.indexOf('013_alert_dead_letters'));
        expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, problems: [] });
        await run(store, 400, [scan('west', 400, CLOSED)]);
        expect((await store.history.network('west'))?.analysis).toEqual(CLOSED);
        expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, problems: [] });
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
