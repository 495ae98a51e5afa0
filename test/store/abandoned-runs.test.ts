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

  it('treats a slot lease that lapsed as its holder gone, and a live one as alive whatever the heartbeat', async () => {
    const slot = at(0);
    // A daemon elsewhere (its pid cannot be checked from here), its run tied to its slot lease.
    const run = await begin('other-host:7@0123456789abcdef');
    await store.claims.acquireLease('scan', slot, 'daemon-a', at(0), 30_000);
    await store.claims.attachRun('scan', slot, 'daemon-a', run);
    // Renewed: alive, even with a heartbeat older than the 10-minute rule.
    await store.claims.renewLease('scan', slot, 'daemon-a', at(650), 30_000);
    expect(await store.runs.markAbandonedRuns(at(660), LEASE_MS)).toEqual([]);
    // Lapsed at 680 s: interrupted at once, without the 10-minute wait.
    expect(await store.runs.markAbandonedRuns(at(681), LEASE_MS)).toEqual([run]);
    expect(await status(run)).toBe('interrupted');
  });

  it('lets a taker adopt a run, running or interrupted: its owner and heartbeat change, the clusters it recorded are named', async () => {
    const run = await begin('daemon-a:1@0123456789abcdef');
    const adopted = await store.runs.adoptRun(run, 'daemon-b:2@0123456789abcdef', at(40));
    expect(adopted).toEqual({ adopted: true, recorded: [] });
    expect(await store.history.getRun(run)).toMatchObject({ status: 'running', owner: 'daemon-b:2@0123456789abcdef', heartbeatAt: at(40).toISOString() });
    // Only its new owner may finish it now.
    await expect(store.runs.finishRun(run, 'complete', at(41), 'daemon-a:1@0123456789abcdef')).rejects.toThrow(/taken over by daemon-b/);
    // Interrupted because its holder was found gone: a taker reopens it.
    await store.runs.finishRun(run, 'interrupted', at(42), 'daemon-b:2@0123456789abcdef');
    expect(await store.runs.adoptRun(run, 'daemon-c:3@0123456789abcdef', at(43))).toEqual({ adopted: true, recorded: [] });
    expect(await store.history.getRun(run)).toMatchObject({ status: 'running', owner: 'daemon-c:3@0123456789abcdef' });
    expect((await store.history.getRun(run))?.finishedAt).toBeUndefined();
    // A run that ended otherwise stays as it ended.
    await store.runs.finishRun(run, 'complete', at(44), 'daemon-c:3@0123456789abcdef');
    expect(await store.runs.adoptRun(run, 'daemon-d:4@0123456789abcdef', at(45))).toEqual({ adopted: false, status: 'complete' });
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
