/**
 * Migration 012 on a store written by complyd 0.1.0: the old rows still verify, a new row
 * keeps its enforcement posture, the chain covers it (an edit is caught), and a row without
 * one hashes as before.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import type { ClusterPosture } from '../../src/core/admission.js';
import type { ClusterScan } from '../../src/core/types.js';

const FIXTURE = join(process.cwd(), 'test', 'fixtures', 'store-0.1.0', 'complyd-0.1.0.db');
const at = (day: number, seconds = 0) => new Date(Date.parse('2026-03-02T06:00:00.000Z') + day * 86_400_000 + seconds * 1000);

const POSTURE: ClusterPosture = {
  controls: [{ controlId: 'PSS-privileged', state: 'not-enforced', by: [], namespaces: { denied: 1, total: 2 }, expected: 'Deny', drift: true, reason: 'policy complyd-pss-privileged has no binding' }],
  counts: { enforced: 0, warned: 0, audited: 0, 'not-enforced': 1, unknown: 0 },
  expected: 1,
  drift: 1,
  engines: [{ engine: 'kyverno', presence: { state: 'installed', policies: 2 } }],
  policyReports: [{ source: 'kyverno', reports: 1, namespaces: 1, summary: { pass: 1, fail: 1, warn: 0, error: 0, skip: 0 } }],
};

function scan(cluster: string, day: number, posture?: ClusterPosture): ClusterScan {
  return {
    cluster,
    labels: { env: 'prod' },
    status: 'complete',
    startedAt: at(day, 1).toISOString(),
    finishedAt: at(day, 9).toISOString(),
    objectCounts: { deployments: 1 },
    gaps: [],
    findings: [{ cluster, controlId: 'PSS-privileged', severity: 'critical', status: 'pass', resource: { kind: 'Deployment', namespace: 'shop', name: 'web', container: 'app' } }],
    ...(posture ? { posture } : {}),
  };
}

describe('enforcement posture in the hash chain', () => {
  let dir: string;
  let db: Knex;
  let store: RunStore;
  let runId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'complyd-012-'));
    const path = join(dir, 'complyd.sqlite');
    await copyFile(FIXTURE, path);
    db = await openDatabase({ kind: 'sqlite', path });
    store = knexRunStore(db);
    runId = await store.runs.beginRun({ trigger: 'cli', catalogVersion: '1.12.0+1', complydVersion: 'next', clusterCount: 2, now: at(7), owner: 'test:1' });
    await store.runs.recordCluster(runId, scan('west', 7, POSTURE), { evaluatedControls: ['PSS-privileged'] });
    await store.runs.recordCluster(runId, scan('north', 7), { evaluatedControls: ['PSS-privileged'] });
    await store.runs.finishRun(runId, 'complete', at(7, 30));
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps older rows verifying and reads the posture back as recorded', async () => {
    expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, problems: [] });
    const rows = await store.history.clusterResults(runId);
    expect(rows.find((r) => r.cluster === 'west')?.posture).toEqual(POSTURE);
    expect(rows.find((r) => r.cluster === 'north')?.posture).toBeUndefined();
  });

  it('catches an edit of a recorded posture, and its removal', async () => {
    const stored = (await db('run_clusters').where({ run_id: runId, cluster: 'west' }).first()) as { posture: string };
    await db('run_clusters').where({ run_id: runId, cluster: 'west' }).update({ posture: stored.posture.replace('"not-enforced"', '"enforced"') });
    const edited = await store.integrity.verifyChain();
    expect(edited.ok).toBe(false);
    expect(edited.problems.map((p) => [p.kind, p.cluster])).toContainEqual(['chain-hash', 'west']);
    await db('run_clusters').where({ run_id: runId, cluster: 'west' }).update({ posture: null });
    expect((await store.integrity.verifyChain()).ok).toBe(false);
    await db('run_clusters').where({ run_id: runId, cluster: 'west' }).update({ posture: stored.posture });
    expect((await store.integrity.verifyChain()).ok).toBe(true);
  });
});
