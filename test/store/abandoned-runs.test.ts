/** Runs left `running` by a process that is gone: closed at once on this host, after the lease elsewhere. */
import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type BeginRunInput, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { killAndReap, ownerWithPid, startIdleChild } from '../helpers/processes.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE_MS = 600_000;

describeEachDatabase('abandoned runs', (db) => {
  let knex: Knex;
  let store: RunStore;
  const begin = (owner: string) => store.runs.beginRun({ trigger: 'cli', catalogVersion: 'cat-1', complydVersion: '0.1.0', clusterCount: 1, now: T0, owner } satisfies BeginRunInput);
  const status = async (id: string) => (await store.history.getRun(id))?.status;

  beforeEach(async () => {
    knex = await openDatabase(await db.fresh());
    store = knexRunStore(knex);
  });
  afterEach(() => store.close());

  it('marks a run interrupted as soon as its owner on this host is a dead pid; other hosts keep the lease', async () => {
    const child = startIdleChild();
    const pid = child.pid ?? 0;
    let killed = '';
    try {
      killed = await begin(ownerWithPid(pid));
      await store.runs.heartbeat(killed, at(5));
      // Alive: well inside the lease, nothing to do.
      expect(await store.runs.markAbandonedRuns(at(10), LEASE_MS)).toEqual([]);
    } finally {
      await killAndReap(child);
    }
    // The same dead pid, but where this process cannot check it: another PID space, or none recorded.
    const elsewhere = await begin(`other-host:${pid}@0123456789abcdef`);
    const unplaced = await begin(`host-a:${pid}`);
    const live = await begin(ownerWithPid(process.pid));

    // Dead now: closed at once, ending at its last heartbeat; the others wait for their lease.
    expect(await store.runs.markAbandonedRuns(at(11), LEASE_MS)).toEqual([killed]);
    expect(await store.history.getRun(killed)).toMatchObject({ status: 'interrupted', finishedAt: at(5).toISOString() });
    for (const id of [elsewhere, unplaced, live]) expect(await status(id)).toBe('running');
    expect(await store.runs.heartbeat(killed, at(12))).toBe(false);

    // This process keeps beating; the two it cannot check lapse 10 minutes after theirs.
    expect(await store.runs.heartbeat(live, at(599))).toBe(true);
    expect(await store.runs.markAbandonedRuns(at(599), LEASE_MS)).toEqual([]);
    expect(await store.runs.markAbandonedRuns(at(601), LEASE_MS)).toEqual([elsewhere, unplaced].sort());
    expect(await status(live)).toBe('running');
  });

  it('leaves a run that finished meanwhile as it ended', async () => {
    const child = startIdleChild();
    const run = await begin(ownerWithPid(child.pid ?? 0));
    await store.runs.finishRun(run, 'complete', at(3));
    await killAndReap(child);
    expect(await store.runs.markAbandonedRuns(at(4), LEASE_MS)).toEqual([]);
    expect(await store.history.getRun(run)).toMatchObject({ status: 'complete', finishedAt: at(3).toISOString() });
  });

  it('writes nothing while no run is abandoned, so history never waits behind a scan writing', async () => {
    const child = startIdleChild();
    try {
      await begin(ownerWithPid(child.pid ?? 0));
      const statements: string[] = [];
      knex.on('query', (q: { sql: string }) => statements.push(q.sql));
      expect(await store.runs.markAbandonedRuns(at(10), LEASE_MS)).toEqual([]);
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.filter((sql) => !/^select /i.test(sql))).toEqual([]);
    } finally {
      await killAndReap(child);
    }
  });
});
