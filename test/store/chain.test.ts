import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type ChainProblem, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { CLUSTER_SCOPE, clusterScan, dayAt, f, privileged, runOn, workload } from './history-fixtures.js';

/**
 * Five daily runs of two clusters, with something happening most days: a new finding, a fix,
 * changed evidence, a gap with an unknown, a cluster that fails.
 */
async function history(store: RunStore): Promise<string[]> {
  const east = (day: number) => {
    const list = [f('east', 'C-1', 'fail', workload('a'), privileged(day >= 4 ? '1' : 'true')), f('east', 'C-1', 'pass', workload('ok'))];
    if (day === 2 || day === 3) list.push(f('east', 'C-2', 'fail', workload('b'), {}, 'low'));
    else list.push(f('east', 'C-2', 'pass', workload('b'), {}, 'low'));
    if (day === 3) list.push(f('east', 'C-3', 'unknown', CLUSTER_SCOPE('east'), { message: 'evidence "secrets" could not be read: forbidden: no' }));
    else list.push(f('east', 'C-3', 'pass', workload('s')));
    return clusterScan('east', day, list, day === 3 ? { status: 'partial', gaps: [{ evidence: 'secrets', reason: 'forbidden', message: 'no' }] } : {});
  };
  const west = (day: number) =>
    day === 2
      ? clusterScan('west', day, [], { status: 'failed', error: 'timeout', objectCounts: {}, snapshotHash: undefined })
      : clusterScan('west', day, [f('west', 'C-1', day >= 3 ? 'pass' : 'fail', workload('w'))]);
  const runs: string[] = [];
  for (let day = 1; day <= 5; day++) runs.push(await runOn(store, day, [east(day), west(day)]));
  return runs;
}

interface Tamper {
  what: string;
  act: (knex: Knex, runs: string[]) => Promise<unknown>;
  expect: (problems: ChainProblem[], runs: string[]) => void;
}

const has = (problems: ChainProblem[], kind: string, cluster: string, runId?: string) =>
  problems.some((p) => p.kind === kind && p.cluster === cluster && (runId === undefined || p.runId === runId));

const TAMPERS: Tamper[] = [
  {
    what: 'a row status',
    act: (k, runs) => k('run_clusters').where({ run_id: runs[2], cluster: 'east' }).update({ status: 'complete' }),
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.cluster, x.runId, x.row])).toEqual([['chain-hash', 'east', runs[2], `run_clusters (run ${runs[2]}, cluster east)`]]),
  },
  {
    what: 'a row count',
    act: (k, runs) => k('run_clusters').where({ run_id: runs[1], cluster: 'west' }).update({ fail_count: 1 }),
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.cluster, x.runId])).toEqual([['chain-hash', 'west', runs[1]]]),
  },
  {
    what: "a run's start time",
    act: (k, runs) => k('runs').where({ id: runs[3] }).update({ started_at: dayAt(9).toISOString() }),
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.cluster, x.runId])).toEqual([['chain-hash', 'east', runs[3]], ['chain-hash', 'west', runs[3]]]),
  },
  {
    what: 'a stored chain hash',
    act: (k, runs) => k('run_clusters').where({ run_id: runs[1], cluster: 'east' }).update({ chain_hash: 'f'.repeat(64) }),
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.runId])).toEqual([['chain-hash', runs[1]], ['broken-link', runs[2]]]),
  },
  {
    what: 'the counts of a control span',
    act: (k) => k('count_spans').where({ cluster: 'east', dim: 'control', key: 'C-1' }).whereNull('to_seq').increment('fail_count', 1),
    // C-1's counts never changed: its one span covers every east row.
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.cluster, x.runId])).toEqual(runs.map((r) => ['results-hash', 'east', r])),
  },
  {
    what: 'the status of an episode',
    act: (k) => k('finding_episodes').where({ cluster: 'east', name: 'a' }).update({ status: 'manual' }),
    // Its current state holds from day 4 (the evidence changed then); days 1-3 are a revision.
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.runId])).toEqual([['results-hash', runs[3]], ['results-hash', runs[4]]]),
  },
  {
    what: 'when an episode was resolved',
    act: (k) => k('finding_episodes').where({ cluster: 'east', name: 'b' }).update({ resolved_seq: null, resolved_run_id: null, resolved_at: null, resolution: null }),
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.runId])).toEqual([['results-hash', runs[3]], ['results-hash', runs[4]]]),
  },
  {
    what: 'the evidence text of a finding',
    act: (k) => k('finding_episodes').where({ cluster: 'east', name: 'a' }).update({ observed: 'false' }),
    expect: (p) => expect(p.map((x) => [x.kind, x.cluster, x.row.startsWith('finding_episodes id ')])).toEqual([['evidence', 'east', true]]),
  },
  {
    what: 'a gap',
    act: (k, runs) => k('gaps').where({ run_id: runs[2], cluster: 'east' }).del(),
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.runId])).toEqual([['results-hash', runs[2]]]),
  },
  {
    what: 'a run in the middle (deleted)',
    act: (k, runs) => k('runs').where({ id: runs[2] }).del(),
    expect: (p, runs) => {
      expect(has(p, 'broken-link', 'east', runs[3])).toBe(true);
      expect(has(p, 'broken-link', 'west', runs[3])).toBe(true);
      // Episodes that point at the deleted run say so (east's b was resolved there... and was first seen on day 2).
      expect(p.filter((x) => x.kind === 'episode').map((x) => x.runId)).toContain(runs[2]);
      expect(p.filter((x) => x.kind === 'broken-link')).toHaveLength(2);
    },
  },
  {
    what: 'the newest run (deleted)',
    act: (k, runs) => k('runs').where({ id: runs[4] }).del(),
    expect: (p) => {
      expect(has(p, 'head', 'east')).toBe(true);
      expect(has(p, 'head', 'west')).toBe(true);
      expect(p.filter((x) => x.kind === 'broken-link')).toEqual([]);
    },
  },
  {
    what: 'the first run (deleted)',
    act: (k, runs) => k('runs').where({ id: runs[0] }).del(),
    expect: (p, runs) => {
      expect(has(p, 'broken-link', 'east', runs[1])).toBe(true);
      expect(has(p, 'broken-link', 'west', runs[1])).toBe(true);
    },
  },
  {
    what: 'hash columns blanked',
    act: (k, runs) => k('run_clusters').where({ run_id: runs[2], cluster: 'west' }).update({ results_hash: null, chain_hash: null, prev_chain_hash: null }),
    expect: (p, runs) => expect(p.map((x) => [x.kind, x.cluster, x.runId])).toEqual([['unchained', 'west', runs[2]], ['broken-link', 'west', runs[3]]]),
  },
  {
    what: 'a fingerprint',
    act: (k) => k('finding_episodes').where({ cluster: 'east', name: 'a' }).update({ name: 'other' }),
    expect: (p) => expect(p.map((x) => x.kind)).toEqual(['episode']),
  },
];

describeEachDatabase('hash chain and retention', (db) => {
  let knex: Knex;
  let store: RunStore;

  beforeEach(async () => {
    knex = await openDatabase(await db.fresh());
    store = knexRunStore(knex);
  });
  afterEach(async () => {
    await store.close();
  });

  it('verifies an untouched history and names each cluster head', async () => {
    const runs = await history(store);
    const report = await store.integrity.verifyChain();
    expect(report).toMatchObject({ ok: true, clusters: 2, rows: 10, legacyRows: 0, problems: [] });
    expect(report.heads.map((h) => [h.cluster, h.runId])).toEqual([
      ['east', runs[4]],
      ['west', runs[4]],
    ]);
    const rows = await knex('run_clusters').select('cluster', 'prev_chain_hash', 'chain_hash').orderBy('seq');
    // Each cluster's rows link up; the first links to zeros.
    for (const cluster of ['east', 'west']) {
      const chain = rows.filter((r: { cluster: string }) => r.cluster === cluster) as Array<{ prev_chain_hash: string; chain_hash: string }>;
      expect(chain[0]?.prev_chain_hash).toBe('0'.repeat(64));
      for (let i = 1; i < chain.length; i++) expect(chain[i]?.prev_chain_hash).toBe(chain[i - 1]?.chain_hash);
    }
  });

  it.each(TAMPERS)('detects a change to $what', async ({ act, expect: check }) => {
    const runs = await history(store);
    expect((await store.integrity.verifyChain()).problems).toEqual([]);
    await act(knex, runs);
    const report = await store.integrity.verifyChain();
    expect(report.ok).toBe(false);
    check(report.problems, runs);
  });

  it('prunes the evidence of findings resolved (or superseded) before a date, and nothing else', async () => {
    const runs = await history(store);
    // East: 'b' resolved on day 4; 'a' changed evidence on day 4 (its day 1-3 state is a revision); the unknown resolved on day 4.
    const result = await store.integrity.pruneEvidence(dayAt(4, 5));
    expect(result).toEqual({ episodes: 3, revisions: 1, networkBlobs: 0 }); // b, the unknown, west's w (fixed day 3); a's old state
    const [aDay1] = await store.history.findings(runs[0]!, { cluster: 'east', controlId: 'C-1' });
    expect(aDay1).toMatchObject({
      evidencePruned: true,
      evidence: { path: 'spec.template.spec.containers[app].securityContext.privileged', observed: '', expected: '' },
    });
    const [aDay5] = await store.history.findings(runs[4]!, { cluster: 'east', controlId: 'C-1' });
    expect(aDay5?.evidence?.observed).toBe('1');
    expect(aDay5?.evidencePruned).toBeUndefined();
    expect((await store.history.findings(runs[2]!, { cluster: 'east', controlId: 'C-3' }))[0]?.message).toBeUndefined();
    // Counts stay, and the chain still verifies: it covers the evidence hash, not the text.
    expect((await store.history.controlResults(runs[0]!)).length).toBe(4);
    expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, problems: [] });
    expect(await store.integrity.pruneEvidence(dayAt(4, 5))).toEqual({ episodes: 0, revisions: 0, networkBlobs: 0 });
  });
});
