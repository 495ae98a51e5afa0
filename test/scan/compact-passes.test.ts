/**
 * Passes are kept compactly by the scan (counted, with only their identity kept); what the
 * store records from such a scan must be exactly what it records from the same verdicts kept
 * as whole findings: the same counts, results hash, episodes and spans, scan after scan.
 */
import type { Knex } from 'knex';
import { CATALOG_VERSION, CONTROLS } from '../../src/controls/index.js';
import { exceptionsDigest, type Exception } from '../../src/core/exception.js';
import { silentLogger } from '../../src/core/log.js';
import type { ClusterScan, KubeObject, Snapshot } from '../../src/core/types.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { evaluateIn } from '../../src/evaluate/evaluate.js';
import { applyExceptions, compileException, snapshotTarget } from '../../src/evaluate/exceptions.js';
import { scanFleet, snapshotHash } from '../../src/scan/scan-fleet.js';
import { workloadRisks } from '../../src/score/risk.js';
import { openDatabase } from '../../src/store/db.js';
import { dialectOf } from '../../src/store/dialect.js';
import { episodesAtRun } from '../../src/store/history-reads.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { ownerlessPodsSnapshot } from '../../benchmarks/ownerless-pods.js';
import { describeEachDatabase } from '../helpers/databases.js';

const EXCEPTIONS: Exception[] = [
  {
    id: 'debug-pods',
    controls: ['*'],
    scope: { namespaces: ['*'], names: ['adhoc-0000*'] },
    owner: 'platform',
    reason: 'debugging',
    created: '2026-01-01',
    expires: '2026-01-02T12:00:00Z',
    source: { file: 'exceptions.yaml', index: 0 },
  },
];

type Container = { securityContext?: Record<string, unknown> };
const podsOf = (s: Snapshot): KubeObject[] => (s.objects.pods ?? []).filter((p) => p.metadata.name.startsWith('adhoc-'));
const containerOf = (p: KubeObject): Container => ((p.spec?.['containers'] as Container[] | undefined) ?? [])[0] ?? {};

/** Three scans of one cluster: first seen; some fixed, some gone, one list unreadable; most back. */
function round(n: number): Snapshot {
  const s = ownerlessPodsSnapshot({ cluster: 'dense', pods: 240, baseline: 300, seed: 5 });
  const pods = podsOf(s);
  if (n >= 1) {
    // Every third pod hardened: its failures close as fixed, by passes alone.
    pods.forEach((p, i) => {
      if (i % 3 === 0) containerOf(p).securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    });
    // Some pods gone, and a list unreadable: episodes resolve as gone, or stay open unseen.
    const gone = new Set(pods.filter((_, i) => i % 10 === 1).map((p) => p.metadata.name));
    s.objects.pods = (s.objects.pods ?? []).filter((p) => !gone.has(p.metadata.name));
  }
  if (n === 1) {
    delete s.objects.serviceaccounts;
    s.gaps.push({ evidence: 'serviceaccounts', reason: 'forbidden', message: 'serviceaccounts is forbidden' });
  }
  return s;
}

const at = (n: number) => new Date(Date.parse('2026-01-02T00:00:00Z') + n * 86_400_000);

/** Records a scan the way complyd did before passes were compacted: every verdict a Finding. */
async function recordWhole(store: RunStore, snapshot: Snapshot, now: Date): Promise<void> {
  const ctx = new EvalContext(snapshot, now);
  const findings = applyExceptions(evaluateIn(ctx, CONTROLS), EXCEPTIONS.map(compileException), snapshotTarget(snapshot), now);
  const runId = await store.runs.beginRun({ trigger: 'test', exceptionsDigest: exceptionsDigest(EXCEPTIONS), catalogVersion: CATALOG_VERSION, complydVersion: 'test', clusterCount: 1, now, owner: 'test' });
  const objectCounts = Object.fromEntries(Object.entries(snapshot.objects).map(([k, v]) => [k, v?.length ?? 0]));
  const scan: ClusterScan = {
    cluster: snapshot.cluster,
    labels: {},
    status: snapshot.gaps.length > 0 ? 'partial' : 'complete',
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    provider: snapshot.provider,
    ...(snapshot.serverVersion ? { serverVersion: snapshot.serverVersion.gitVersion } : {}),
    objectCounts,
    snapshotHash: snapshotHash(snapshot),
    gaps: snapshot.gaps,
    findings,
    risks: workloadRisks(ctx, findings),
  };
  expect(findings.filter((f) => f.status === 'pass').length).toBeGreaterThan(1000);
  await store.runs.recordCluster(runId, scan, { evaluatedControls: CONTROLS.map((c) => c.id), frameworks: Object.fromEntries(CONTROLS.map((c) => [c.id, c.frameworks])) });
  await store.runs.finishRun(runId, scan.status, now);
}

async function recordScanned(store: RunStore, snapshot: Snapshot, now: Date): Promise<void> {
  await scanFleet(
    [{ name: snapshot.cluster, kubeconfig: '/dev/null', labels: {}, configPath: 'clusters[0]' }],
    { store: store.runs, controls: CONTROLS, collect: () => Promise.resolve(snapshot), now: () => now, log: silentLogger(), catalogVersion: CATALOG_VERSION, complydVersion: 'test', owner: 'test', exceptions: EXCEPTIONS },
    { trigger: 'test', concurrency: 1 },
  );
}

const COUNTS = ['pass', 'fail', 'manual', 'not_applicable', 'unknown', 'error'].map((s) => `${s}_count`);

/** What the store holds of the cluster, without the ids and times that differ between stores. */
async function stored(db: Knex) {
  const rows = async (table: string, columns: string[], order: string[]) => (await db(table).select(columns).orderBy(order)) as unknown[];
  return {
    clusters: await rows('run_clusters', ['seq', 'status', 'results_hash', ...COUNTS, 'object_total', 'snapshot_hash'], ['seq']),
    episodes: await rows('finding_episodes', ['fingerprint', 'episode', 'status', 'severity', 'seen', 'first_seen_seq', 'state_seq', 'resolved_seq', 'resolution', 'last_seen_seq', 'evidence_hash'], ['fingerprint', 'episode']),
    spans: await rows('count_spans', ['dim', 'key', 'severity', 'from_seq', 'to_seq', ...COUNTS], ['dim', 'key', 'severity', 'from_seq']),
    scores: await rows('score_spans', ['framework', 'severity', 'from_seq', 'to_seq', ...COUNTS], ['framework', 'severity', 'from_seq']),
  };
}

describeEachDatabase('compact passes', (db) => {
  it('record the same counts, results hashes, episodes and spans as whole findings, over scans that fix, lose and cannot read resources', async () => {
    const whole = await openDatabase(await db.fresh());
    const compact = await openDatabase(await db.fresh());
    const wholeStore = knexRunStore(whole);
    const compactStore = knexRunStore(compact);
    try {
      for (let n = 0; n < 3; n++) {
        await recordWhole(wholeStore, round(n), at(n));
        await recordScanned(compactStore, round(n), at(n));
      }
      const expected = await stored(whole);
      const actual = await stored(compact);
      // The scenario exercises what passes decide: episodes fixed by a pass, gone, unseen.
      const resolutions = (expected.episodes as Array<{ resolution: string | null }>).map((e) => e.resolution);
      expect(resolutions).toContain('fixed');
      expect(resolutions).toContain('resource-gone');
      expect(expected.clusters).toHaveLength(3);
      expect(actual).toEqual(expected);
      // And the chain re-derived from what was stored holds.
      expect((await compactStore.integrity.verifyChain()).problems).toEqual([]);
      // A run's open episodes read a page at a time (SQLite) are those read at once, in the same order.
      const runs = await compactStore.history.listRuns(3);
      for (const run of runs) {
        const whole = await episodesAtRun(compact, dialectOf(compact), run.id, { includeUnseen: true });
        expect(whole.length).toBeGreaterThan(100);
        const order = whole.map((e) => `${e.cluster}\u0000${e.controlId}`);
        expect(order).toEqual([...order].sort());
        expect(await episodesAtRun(compact, dialectOf(compact), run.id, { includeUnseen: true }, 37)).toEqual(whole);
        expect(await compactStore.history.openEpisodes({ runId: run.id })).toEqual(whole);
      }
    } finally {
      await wholeStore.close();
      await compactStore.close();
    }
    // Each scanned round also analyses and stores the connectivity of 256 workloads that no
    // policy isolates (65,000 lines): on a loaded 2-core machine that tipped it over 30 s.
  }, 60_000);
});
