/**
 * Migration 010 on a store written by complyd 0.1.0: the old rows still verify, a new row
 * records its profile and frameworks, and the chain covers them (an edit is caught).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';

const FIXTURE = join(process.cwd(), 'test', 'fixtures', 'store-0.1.0', 'complyd-0.1.0.db');
const at = (day: number, seconds = 0) => new Date(Date.parse('2026-03-02T06:00:00.000Z') + day * 86_400_000 + seconds * 1000);

describe('profiles in the hash chain', () => {
  let dir: string;
  let db: Knex;
  let store: RunStore;
  let runId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'complyd-010-'));
    const path = join(dir, 'complyd.sqlite');
    await copyFile(FIXTURE, path);
    db = await openDatabase({ kind: 'sqlite', path });
    store = knexRunStore(db);
    runId = await store.runs.beginRun({ trigger: 'cli', catalogVersion: '1.12.0+1', complydVersion: 'next', clusterCount: 1, now: at(7), owner: 'test:1' });
    await store.runs.recordCluster(
      runId,
      {
        cluster: 'west',
        labels: { env: 'staging' },
        status: 'complete',
        startedAt: at(7, 1).toISOString(),
        finishedAt: at(7, 9).toISOString(),
        objectCounts: { deployments: 1 },
        gaps: [],
        findings: [{ cluster: 'west', controlId: 'PSS-privileged', severity: 'critical', status: 'pass', resource: { kind: 'Deployment', namespace: 'shop', name: 'web', container: 'app' } }],
      },
      { evaluatedControls: ['PSS-privileged'], profile: { name: 'staging', frameworks: ['pss-baseline'] } },
    );
    await store.runs.finishRun(runId, 'complete', at(7, 30));
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the rows written before 010 verifying, and reads the new row back with its profile', async () => {
    expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, rows: 14 });
    const rows = await store.history.clusterResults(runId);
    expect(rows.map((r) => [r.cluster, r.profile, r.frameworks])).toEqual([['west', 'staging', ['pss-baseline']]]);
    // The rows of 0.1.0 have neither.
    const old = (await store.history.listRuns(20)).find((r) => r.id !== runId);
    const oldRows = await store.history.clusterResults(old?.id ?? '');
    expect(oldRows.length).toBeGreaterThan(0);
    expect(oldRows.every((r) => r.profile === undefined && r.frameworks === undefined)).toBe(true);
  });

  it('catches an edit of the recorded profile or frameworks', async () => {
    await db('run_clusters').where({ run_id: runId }).update({ profile: 'prod' });
    const edited = await store.integrity.verifyChain();
    expect(edited.ok).toBe(false);
    expect(JSON.stringify(edited)).toContain('chain-hash');
    await db('run_clusters').where({ run_id: runId }).update({ profile: 'staging', frameworks: '["pss-baseline","nsa"]' });
    expect((await store.integrity.verifyChain()).ok).toBe(false);
    await db('run_clusters').where({ run_id: runId }).update({ frameworks: '["pss-baseline"]' });
    expect((await store.integrity.verifyChain()).ok).toBe(true);
  });
});
