import type { Knex } from 'knex';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint } from '../../src/core/fingerprint.js';
import type { ClusterScan, Finding, Severity, Status } from '../../src/core/types.js';
import { openDatabase, StoreError, type StorageConfig } from '../../src/store/db.js';
import { ComplydMigrationSource, MIGRATIONS_TABLE } from '../../src/store/migrations/index.js';
import { knexRunStore, type BeginRunInput, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function runInput(overrides: Partial<BeginRunInput> = {}): BeginRunInput {
  return {
    trigger: 'cli',
    catalogVersion: 'cat-1',
    complydVersion: '0.1.0',
    clusterCount: 2,
    now: T0,
    owner: 'host-a:123',
    ...overrides,
  };
}

function finding(
  cluster: string,
  controlId: string,
  status: Status,
  name: string,
  extra: Partial<Finding> = {},
  severity: Severity = 'high',
): Finding {
  return {
    cluster,
    controlId,
    severity,
    status,
    resource: { kind: 'Deployment', namespace: 'shop', name, container: 'app' },
    ...extra,
  };
}

function scan(cluster: string, findings: Finding[], overrides: Partial<ClusterScan> = {}): ClusterScan {
  return {
    cluster,
    labels: { env: 'prod', region: 'eu-west-1' },
    status: 'complete',
    startedAt: '2025-03-01T10:00:01.000Z',
    finishedAt: '2025-03-01T10:00:09.500Z',
    provider: 'kubeadm',
    serverVersion: 'v1.31.2',
    objectCounts: { pods: 12, deployments: 4, namespaces: 3 },
    snapshotHash: 'ab'.repeat(32),
    gaps: [],
    findings,
    ...overrides,
  };
}

/** Rows about one cluster: its row in the run, the run's gaps, and its lifecycle and span rows (all runs). */
async function rowsOfCluster(knex: Knex, runId: string, cluster: string): Promise<Record<string, number>> {
  const count = async (q: Knex.QueryBuilder) => Number((await q.count({ n: '*' }).first())?.['n']);
  return {
    run_clusters: await count(knex('run_clusters').where({ run_id: runId, cluster })),
    gaps: await count(knex('gaps').where({ run_id: runId, cluster })),
    episodes: await count(knex('finding_episodes').where({ cluster })),
    control_spans: await count(knex('count_spans').where({ cluster, dim: 'control' })),
    namespace_spans: await count(knex('count_spans').where({ cluster, dim: 'namespace' })),
  };
}

describeEachDatabase('RunStore', (db) => {
  let cfg: StorageConfig;
  let knex: Knex;
  let store: RunStore;

  beforeEach(async () => {
    cfg = await db.fresh();
    knex = await openDatabase(cfg);
    store = knexRunStore(knex);
  });
  afterEach(async () => {
    await store.close();
  });

  it('migrates to the full schema, once, and reopens without re-running it', async () => {
    const columns: Record<string, string[]> = {
      runs: ['id', 'started_at', 'finished_at', 'status', 'trigger', 'catalog_version', 'complyd_version', 'cluster_count', 'owner', 'heartbeat_at'],
      run_clusters: ['run_id', 'cluster', 'labels', 'status', 'object_counts', 'object_total', 'snapshot_hash', 'error', 'pass_count', 'not_applicable_count'],
      gaps: ['run_id', 'cluster', 'evidence', 'reason', 'message'],
      finding_episodes: ['fingerprint', 'episode', 'cluster', 'control_id', 'first_seen_seq', 'last_seen_seq', 'resolved_seq', 'resolution', 'state_seq', 'seen', 'status', 'evidence_hash', 'evidence_pruned'],
      finding_revisions: ['episode_id', 'from_seq', 'to_seq', 'seen', 'status', 'severity', 'observed', 'evidence_hash'],
      count_spans: ['cluster', 'dim', 'key', 'severity', 'pass_count', 'error_count', 'from_seq', 'to_seq'],
      cluster_heads: ['cluster', 'head_seq', 'head_run_id', 'head_chain_hash', 'assessed_seq', 'assessed_run_id', 'assessed_at'],
      risk_spans: ['cluster', 'workload', 'kind', 'namespace', 'name', 'risk', 'severity', 'exposure', 'failing', 'factors', 'from_seq', 'to_seq'],
      score_spans: ['cluster', 'framework', 'severity', 'pass_count', 'fail_count', 'unknown_count', 'from_seq', 'to_seq'],
      schedule_claims: ['job', 'slot', 'owner', 'claimed_at'],
      disposition_spans: ['cluster', 'fingerprint', 'episode', 'disposition', 'exception_id', 'from_seq', 'to_seq'],
      alert_dead_letters: ['id', 'created_at', 'run_id', 'webhook', 'events', 'attempts', 'last_error', 'body'],
    };
    columns['runs']?.push('seq', 'exceptions_digest');
    columns['run_clusters']?.push('seq', 'results_hash', 'prev_chain_hash', 'chain_hash', 'risk_recorded', 'scores_recorded');
    for (const [table, cols] of Object.entries(columns)) {
      expect(await knex.schema.hasTable(table)).toBe(true);
      for (const c of cols) expect([table, c, await knex.schema.hasColumn(table, c)]).toEqual([table, c, true]);
    }
    // One schema generation: 001's per-run tables are gone (006).
    for (const table of ['findings', 'control_results']) expect([table, await knex.schema.hasTable(table)]).toEqual([table, false]);
    const applied = await knex('complyd_migrations').select('name');
    expect(applied.map((r: { name: string }) => r.name)).toEqual(['001_initial', '002_lifecycles', '003_risk', '004_score_spans', '005_schedule_claims', '006_drop_per_run_findings', '007_finding_identity', '008_exception_dispositions', '010_cluster_profiles', '013_alert_dead_letters']);

    const [, pending] = (await knex.migrate.list({
      migrationSource: new ComplydMigrationSource(),
      tableName: MIGRATIONS_TABLE,
    })) as [unknown[], unknown[]];
    expect(pending).toEqual([]);

    const runId = await store.runs.beginRun(runInput());
    const again = knexRunStore(await openDatabase(cfg));
    try {
      expect((await again.history.getRun(runId))?.status).toBe('running');
      const stillAll = await knex('complyd_migrations').count({ n: '*' }).first();
      expect(Number(stillAll?.['n'])).toBe(10);
    } finally {
      await again.close();
    }

    if (db.kind === 'sqlite') {
      const journal = (await knex.raw('PRAGMA journal_mode')) as Array<{ journal_mode: string }>;
      const fks = (await knex.raw('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>;
      const busy = (await knex.raw('PRAGMA busy_timeout')) as Array<{ timeout: number }>;
      expect([journal[0]?.journal_mode, fks[0]?.foreign_keys, busy[0]?.timeout]).toEqual(['wal', 1, 5000]);
    }
  });

  it('refuses rows that break the schema constraints', async () => {
    // The store relies on these: a child row without its cluster, an unknown status.
    await expect(knex('gaps').insert({ run_id: 'nope', cluster: 'c', evidence: 'secrets', reason: 'forbidden', message: 'm' })).rejects.toThrow();
    const runId = await store.runs.beginRun(runInput());
    await expect(knex('runs').where({ id: runId }).update({ status: 'sleeping' })).rejects.toThrow();
    // Lifecycle tables: a revision needs its episode; statuses and resolutions are closed lists.
    const revision = { episode_id: 999, from_seq: 1, to_seq: 2, seen: 1, status: 'fail', severity: 'high', evidence_hash: 'e'.repeat(64) };
    await expect(knex('finding_revisions').insert(revision)).rejects.toThrow();
    const episode = {
      fingerprint: 'f'.repeat(32), episode: 1, cluster: 'c', control_id: 'X', kind: 'Pod', name: 'p',
      first_seen_run_id: runId, first_seen_seq: 1, first_seen_at: T0.toISOString(), state_seq: 1,
      seen: 1, status: 'fail', severity: 'high', evidence_hash: 'e'.repeat(64),
    };
    await expect(knex('finding_episodes').insert({ ...episode, resolution: 'forgotten' })).rejects.toThrow();
    await expect(knex('count_spans').insert({ cluster: 'c', dim: 'pods', key: 'X', severity: 'high', from_seq: 1 })).rejects.toThrow();
    await knex('finding_episodes').insert(episode);
    await expect(knex('finding_episodes').insert(episode)).rejects.toThrow(); // (fingerprint, episode) is unique
  });

  it('round-trips a run of two clusters: counts, control results, findings with evidence, gaps', async () => {
    const runId = await store.runs.beginRun(runInput());
    const east = scan('east', [
      finding('east', 'CIS-5.2.2', 'pass', 'web'),
      finding('east', 'CIS-5.2.2', 'fail', 'api', {
        evidence: { path: 'spec.containers[app].securityContext.privileged', observed: 'true', expected: 'false' },
      }),
      finding('east', 'CIS-5.2.2', 'unknown', 'east', { resource: { kind: 'Cluster', name: 'east' }, message: 'evidence "pods" could not be read: forbidden: no' }),
      finding('east', 'CIS-1.2.1', 'manual', 'east', { resource: { kind: 'Cluster', name: 'east' }, message: 'check by hand' }, 'medium'),
      finding('east', 'CIS-5.7.4', 'not-applicable', 'default', { resource: { kind: 'Namespace', name: 'default' } }, 'low'),
      finding('east', 'CIS-5.1.1', 'error', 'east', { resource: { kind: 'Cluster', name: 'east' }, message: 'control CIS-5.1.1 failed: boom' }, 'critical'),
      finding('east', 'CIS-5.1.1', 'pass', 'admins', { resource: { kind: 'ClusterRoleBinding', name: 'admins' } }, 'critical'),
    ], {
      status: 'partial',
      gaps: [{ evidence: 'secrets', reason: 'forbidden', message: 'secrets is forbidden: User "complyd" cannot list' }],
    });
    const west = scan('west', [finding('west', 'CIS-5.2.2', 'pass', 'web'), finding('west', 'CIS-5.2.2', 'pass', 'api')], {
      labels: { env: 'dev' },
      provider: undefined,
      serverVersion: undefined,
      snapshotHash: undefined,
    });
    await store.runs.recordCluster(runId, east);
    await store.runs.recordCluster(runId, west);
    await store.runs.finishRun(runId, 'partial', at(30));

    const run = await store.history.getRun(runId);
    expect(run).toEqual({
      id: runId,
      seq: expect.any(Number),
      startedAt: '2025-03-01T10:00:00.000Z',
      finishedAt: '2025-03-01T10:00:30.000Z',
      status: 'partial',
      trigger: 'cli',
      catalogVersion: 'cat-1',
      complydVersion: '0.1.0',
      clusterCount: 2,
      owner: 'host-a:123',
      heartbeatAt: '2025-03-01T10:00:30.000Z',
    });

    const clusters = await store.history.clusterResults(runId);
    expect(clusters.map((c) => c.cluster)).toEqual(['east', 'west']);
    expect(clusters[0]).toEqual({
      runId,
      cluster: 'east',
      labels: { env: 'prod', region: 'eu-west-1' },
      status: 'partial',
      startedAt: '2025-03-01T10:00:01.000Z',
      finishedAt: '2025-03-01T10:00:09.500Z',
      provider: 'kubeadm',
      serverVersion: 'v1.31.2',
      objectCounts: { pods: 12, deployments: 4, namespaces: 3 },
      objectTotal: 19,
      snapshotHash: 'ab'.repeat(32),
      counts: { pass: 2, fail: 1, manual: 1, 'not-applicable': 1, unknown: 1, error: 1 },
      // The first of its cluster's chain: linked to the zero hash.
      chain: { seq: expect.any(Number), resultsHash: expect.stringMatching(/^[0-9a-f]{64}$/), prevChainHash: '0'.repeat(64), chainHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(clusters[1]).toEqual({
      runId,
      cluster: 'west',
      labels: { env: 'dev' },
      status: 'complete',
      startedAt: '2025-03-01T10:00:01.000Z',
      finishedAt: '2025-03-01T10:00:09.500Z',
      objectCounts: { pods: 12, deployments: 4, namespaces: 3 },
      objectTotal: 19,
      counts: { pass: 2, fail: 0, manual: 0, 'not-applicable': 0, unknown: 0, error: 0 },
      chain: expect.objectContaining({ prevChainHash: '0'.repeat(64) }),
    });

    const controls = await store.history.controlResults(runId, 'east');
    expect(controls.map((c) => [c.controlId, c.severity, c.status, c.counts.pass, c.counts.fail])).toEqual([
      ['CIS-1.2.1', 'medium', 'manual', 0, 0],
      ['CIS-5.1.1', 'critical', 'error', 1, 0],
      ['CIS-5.2.2', 'high', 'fail', 1, 1],
      ['CIS-5.7.4', 'low', 'not-applicable', 0, 0],
    ]);
    expect((await store.history.controlResults(runId)).map((c) => `${c.cluster}/${c.controlId}/${c.status}`)).toEqual([
      'east/CIS-1.2.1/manual',
      'east/CIS-5.1.1/error',
      'east/CIS-5.2.2/fail',
      'east/CIS-5.7.4/not-applicable',
      'west/CIS-5.2.2/pass',
    ]);

    const failed = await store.history.findings(runId, { status: 'fail' });
    expect(failed).toEqual([
      {
        runId,
        cluster: 'east',
        controlId: 'CIS-5.2.2',
        fingerprint: fingerprint({ cluster: 'east', controlId: 'CIS-5.2.2', resource: { kind: 'Deployment', namespace: 'shop', name: 'api', container: 'app' } }),
        status: 'fail',
        severity: 'high',
        resource: { kind: 'Deployment', namespace: 'shop', name: 'api', container: 'app' },
        evidence: { path: 'spec.containers[app].securityContext.privileged', observed: 'true', expected: 'false' },
        episode: 1,
        firstSeenAt: '2025-03-01T10:00:01.000Z',
      },
    ]);
    const unknown = await store.history.findings(runId, { cluster: 'east', controlId: 'CIS-5.2.2', status: 'unknown' });
    expect(unknown).toHaveLength(1);
    expect(unknown[0]?.resource).toEqual({ kind: 'Cluster', name: 'east' });
    expect(unknown[0]?.message).toBe('evidence "pods" could not be read: forbidden: no');
    expect(unknown[0]?.evidence).toBeUndefined();

    expect(await store.history.gaps(runId)).toEqual([
      { runId, cluster: 'east', evidence: 'secrets', reason: 'forbidden', message: 'secrets is forbidden: User "complyd" cannot list' },
    ]);
  });

  it('counts passes without storing them as findings (or episodes)', async () => {
    const runId = await store.runs.beginRun(runInput({ clusterCount: 1 }));
    await store.runs.recordCluster(runId, scan('east', [
      finding('east', 'C-1', 'pass', 'a'),
      finding('east', 'C-1', 'pass', 'b'),
      finding('east', 'C-1', 'fail', 'c'),
      finding('east', 'C-2', 'pass', 'a'),
    ]));
    const all = await store.history.findings(runId);
    expect(all.map((f) => `${f.controlId}/${f.resource.name}/${f.status}`)).toEqual(['C-1/c/fail']);
    expect(await store.history.findings(runId, { status: 'pass' })).toEqual([]);
    const controls = await store.history.controlResults(runId);
    expect(controls.map((c) => [c.controlId, c.status, c.counts.pass, c.counts.fail])).toEqual([
      ['C-1', 'fail', 2, 1],
      ['C-2', 'pass', 1, 0],
    ]);
    expect((await store.history.clusterResults(runId))[0]?.counts.pass).toBe(3);
    expect(await rowsOfCluster(knex, runId, 'east')).toEqual({ run_clusters: 1, gaps: 0, episodes: 1, control_spans: 2, namespace_spans: 1 });
  });

  it('records nothing of a cluster whose insert fails midway, and keeps the other clusters', async () => {
    const runId = await store.runs.beginRun(runInput());
    await store.runs.recordCluster(runId, scan('east', [finding('east', 'C-1', 'fail', 'a')]));

    // 1,200 findings: the bad one (NOT NULL name) sits in the third insert chunk, so the
    // cluster row, gaps and two chunks of episodes are written before it.
    const good = Array.from({ length: 1200 }, (_, i) => finding('west', `C-${i % 7}`, 'fail', `d-${i}`));
    const bad = [...good];
    bad[1100] = finding('west', 'C-1', 'fail', 'x', { resource: { kind: 'Pod', name: null as unknown as string } });
    const westScan = scan('west', bad, { gaps: [{ evidence: 'nodes', reason: 'timeout', message: 'slow' }] });

    const err = await store.runs.recordCluster(runId, westScan).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(new RegExp(`^cannot record cluster west of run ${runId}: .*\\bnull\\b`, 'i'));
    expect((err as StoreError).message).not.toMatch(/insert into/i);
    expect((err as StoreError).cause).toBeDefined();

    expect(await rowsOfCluster(knex, runId, 'west')).toEqual({ run_clusters: 0, gaps: 0, episodes: 0, control_spans: 0, namespace_spans: 0 });
    expect(await knex('cluster_heads').where({ cluster: 'west' })).toEqual([]);
    expect(await rowsOfCluster(knex, runId, 'east')).toEqual({ run_clusters: 1, gaps: 0, episodes: 1, control_spans: 1, namespace_spans: 1 });

    // Nothing left behind blocks a clean retry.
    await store.runs.recordCluster(runId, scan('west', good, { gaps: [{ evidence: 'nodes', reason: 'timeout', message: 'slow' }] }));
    expect(await rowsOfCluster(knex, runId, 'west')).toEqual({ run_clusters: 1, gaps: 1, episodes: 1200, control_spans: 7, namespace_spans: 1 });
  });

  it('refuses to record the same cluster twice for one run, keeping the first', async () => {
    const runId = await store.runs.beginRun(runInput());
    await store.runs.recordCluster(runId, scan('east', [finding('east', 'C-1', 'fail', 'a')]));
    await expect(store.runs.recordCluster(runId, scan('east', [finding('east', 'C-1', 'fail', 'b'), finding('east', 'C-1', 'fail', 'c')]))).rejects.toThrow(
      `cannot record cluster east of run ${runId}: already recorded`,
    );
    expect((await store.history.findings(runId)).map((f) => f.resource.name)).toEqual(['a']);

    // The same cluster in another run is fine.
    const other = await store.runs.beginRun(runInput({ now: at(60) }));
    await store.runs.recordCluster(other, scan('east', [finding('east', 'C-1', 'fail', 'b')]));
    expect((await store.history.findings(other)).map((f) => f.resource.name)).toEqual(['b']);
  });

  it('refuses clusters for an unknown run or a run that is no longer running', async () => {
    await expect(store.runs.recordCluster('00000000-0000-4000-8000-000000000000', scan('east', []))).rejects.toThrow(/no such run/);
    const runId = await store.runs.beginRun(runInput());
    await store.runs.finishRun(runId, 'complete', at(10));
    await expect(store.runs.recordCluster(runId, scan('east', []))).rejects.toThrow(
      `cannot record cluster east of run ${runId}: the run is complete, not running`,
    );
    expect(await rowsOfCluster(knex, runId, 'east')).toEqual({ run_clusters: 0, gaps: 0, episodes: 0, control_spans: 0, namespace_spans: 0 });
    await expect(store.runs.finishRun(runId, 'failed', at(20))).rejects.toThrow(/already complete/);
    expect((await store.history.getRun(runId))?.status).toBe('complete');
  });

  it('marks running runs with a stale heartbeat as interrupted, and only those', async () => {
    const crashed = await store.runs.beginRun(runInput({ now: T0, owner: 'host-a:1' }));
    const alive = await store.runs.beginRun(runInput({ now: T0, owner: 'host-b:2' }));
    const done = await store.runs.beginRun(runInput({ now: T0 }));
    await store.runs.heartbeat(crashed, at(10));
    expect(await store.runs.heartbeat(alive, at(50))).toBe(true);
    await store.runs.finishRun(done, 'complete', at(20));

    expect(await store.runs.markAbandonedRuns(at(60), 30_000)).toEqual([crashed]);
    expect(await store.history.getRun(crashed)).toMatchObject({ status: 'interrupted', finishedAt: at(10).toISOString(), heartbeatAt: at(10).toISOString() });
    expect((await store.history.getRun(alive))?.status).toBe('running');
    expect(await store.history.getRun(done)).toMatchObject({ status: 'complete', finishedAt: at(20).toISOString() });

    // Idempotent, and the interrupted run's owner learns it was taken over.
    expect(await store.runs.markAbandonedRuns(at(60), 30_000)).toEqual([]);
    expect(await store.runs.heartbeat(crashed, at(61))).toBe(false);
    await expect(store.runs.recordCluster(crashed, scan('east', []))).rejects.toThrow(/the run is interrupted/);
    await expect(store.runs.finishRun(crashed, 'complete', at(62))).rejects.toThrow(/already interrupted/);

    // The live one goes stale in turn.
    expect(await store.runs.markAbandonedRuns(at(200), 30_000)).toEqual([alive]);
  });

  it('latestRun returns the newest complete or partial run, never a running one', async () => {
    expect(await store.history.latestRun()).toBeUndefined();
    const complete = await store.runs.beginRun(runInput({ now: at(0) }));
    const partial = await store.runs.beginRun(runInput({ now: at(100) }));
    const failed = await store.runs.beginRun(runInput({ now: at(200) }));
    const running = await store.runs.beginRun(runInput({ now: at(300) }));
    const interrupted = await store.runs.beginRun(runInput({ now: at(250) }));
    await store.runs.finishRun(complete, 'complete', at(50));
    await store.runs.finishRun(partial, 'partial', at(150));
    await store.runs.finishRun(failed, 'failed', at(210));
    await store.runs.finishRun(interrupted, 'interrupted', at(260));

    expect((await store.history.latestRun())?.id).toBe(partial);
    expect((await store.history.latestRun({ completeOnly: true }))?.id).toBe(complete);
    expect((await store.history.listRuns(10)).map((r) => r.id)).toEqual([running, interrupted, failed, partial, complete]);
    expect((await store.history.listRuns(2)).map((r) => r.status)).toEqual(['running', 'interrupted']);
    expect((await store.history.getRun(running))?.finishedAt).toBeUndefined();
  });

  it('records a cluster with 5,000 findings (inserted in chunks)', async () => {
    const runId = await store.runs.beginRun(runInput({ clusterCount: 1 }));
    const statuses: Status[] = ['fail', 'unknown', 'manual', 'error', 'not-applicable'];
    const many = Array.from({ length: 5000 }, (_, i) =>
      finding('big', `CIS-${i % 40}`, statuses[i % statuses.length] ?? 'fail', `workload-${i}`, {
        evidence: { path: `spec.template.spec.containers[${i}].image`, observed: `img:${i}`, expected: 'pinned digest' },
      }),
    );
    const passes = Array.from({ length: 700 }, (_, i) => finding('big', `CIS-${i % 40}`, 'pass', `ok-${i}`));
    await store.runs.recordCluster(runId, scan('big', [...many, ...passes], { gaps: Array.from({ length: 600 }, (_, i) => ({ evidence: `kubelets/node-${i}`, reason: 'timeout' as const, message: 'slow' })) }));

    const stored = await store.history.findings(runId);
    expect(stored).toHaveLength(5000);
    expect(new Set(stored.map((f) => f.fingerprint)).size).toBe(5000);
    expect(stored.find((f) => f.resource.name === 'workload-4999')?.evidence?.observed).toBe('img:4999');
    expect(await store.history.gaps(runId)).toHaveLength(600);
    const controls = await store.history.controlResults(runId);
    expect(controls).toHaveLength(40);
    const totals = controls.reduce((sum, c) => sum + c.counts.fail + c.counts.unknown + c.counts.manual + c.counts.error + c.counts['not-applicable'] + c.counts.pass, 0);
    expect(totals).toBe(5700);
    expect((await store.history.clusterResults(runId))[0]?.counts).toEqual({ pass: 700, fail: 1000, unknown: 1000, manual: 1000, error: 1000, 'not-applicable': 1000 });
  });
});

describe('openDatabase errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'complyd-open-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the SQLite path it could not open', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const path = join(blocker, 'complyd.sqlite');
    const err = await openDatabase({ kind: 'sqlite', path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toContain(`cannot open SQLite database ${path}: `);
    expect((err as StoreError).cause).toBeDefined();
  });

  it('names the PostgreSQL host and database, never the password', async () => {
    const err = await openDatabase({ kind: 'postgres', url: 'postgres://complyd:hunter2@127.0.0.1:1/fleet' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/^cannot open PostgreSQL database fleet on 127\.0\.0\.1:1: /);
    expect((err as StoreError).message).not.toContain('hunter2');
  });

  it('rejects a malformed PostgreSQL URL without echoing it', async () => {
    const err = await openDatabase({ kind: 'postgres', url: 'complyd:hunter2@db:5432' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).not.toContain('hunter2');
    expect((err as StoreError).cause).toBeUndefined();
  });
});
