import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE = 30_000;

describeEachDatabase('schedule leases', (db) => {
  let knex: Knex;
  let store: RunStore;

  beforeEach(async () => {
    knex = await openDatabase(await db.fresh());
    store = knexRunStore(knex);
  });
  afterEach(async () => {
    await store.close();
  });

  it('gives each scheduled slot to the first daemon that leases it, and keeps leases 35 days', async () => {
    const slot = at(3600);
    // Two daemons racing for the same slot (the same second, whatever its milliseconds): one wins.
    const [a, b] = await Promise.all([
      store.claims.acquireLease('scan', slot, 'host-a:1:x', at(3600), LEASE),
      store.claims.acquireLease('scan', new Date(slot.getTime() + 250), 'host-b:2:y', at(3600), LEASE),
    ]);
    expect([a.acquired, b.acquired].sort()).toEqual([false, true]);
    expect(a.owner).toBe(b.owner);
    const winner = a.owner;
    // Asking again is idempotent; another job or the next slot is free.
    expect(await store.claims.acquireLease('scan', slot, winner, at(3601), LEASE)).toEqual({ acquired: true, owner: winner });
    expect(await store.claims.acquireLease('report:audit', slot, 'host-b:2:y', at(3601), LEASE)).toEqual({ acquired: true, owner: 'host-b:2:y' });
    expect(await store.claims.acquireLease('scan', at(7200), 'host-b:2:y', at(7200), LEASE)).toEqual({ acquired: true, owner: 'host-b:2:y' });
    // Leases older than keepMs are dropped when the job next leases.
    await store.claims.acquireLease('scan', at(40 * 86_400), 'host-a:1:x', at(40 * 86_400), LEASE);
    const left = (await knex('schedule_claims').where({ job: 'scan' }).orderBy('slot')) as Array<{ slot: string }>;
    expect(left.map((r) => r.slot)).toEqual([at(40 * 86_400).toISOString()]);
  });

  it('hands a slot whose lease lapsed to one taker, with the run its holder began', async () => {
    const slot = at(0);
    expect((await store.claims.acquireLease('scan', slot, 'a', at(0), LEASE)).acquired).toBe(true);
    await store.claims.attachRun('scan', slot, 'a', 'run-1');
    // Renewed, the lease holds past its first expiry.
    expect(await store.claims.renewLease('scan', slot, 'a', at(20), LEASE)).toBe(true);
    expect(await store.claims.acquireLease('scan', slot, 'b', at(40), LEASE)).toEqual({ acquired: false, owner: 'a' });
    expect(await store.claims.lapsedLeases('scan', at(40), 5)).toEqual([]);
    // Not renewed any more (its daemon died): lapsed at 50 s; of two takers one gets it.
    expect(await store.claims.lapsedLeases('scan', at(51), 5)).toEqual([{ slot, owner: 'a', runId: 'run-1' }]);
    // Not when it lapsed before `since`: too long ago to take over.
    expect(await store.claims.lapsedLeases('scan', at(51), 5, at(50.5))).toEqual([]);
    const [b, c] = await Promise.all([store.claims.acquireLease('scan', slot, 'b', at(51), LEASE), store.claims.acquireLease('scan', slot, 'c', at(51), LEASE)]);
    const taker = b.acquired ? b : c;
    expect([b.acquired, c.acquired].sort()).toEqual([false, true]);
    expect(taker.takeover).toEqual({ from: 'a', runId: 'run-1' });
    // The old holder cannot renew; the taker can, and once it releases nobody takes the slot over.
    expect(await store.claims.renewLease('scan', slot, 'a', at(52), LEASE)).toBe(false);
    expect(await store.claims.renewLease('scan', slot, taker.owner, at(52), LEASE)).toBe(true);
    await store.claims.releaseLease('scan', slot, taker.owner, at(60));
    expect(await store.claims.lapsedLeases('scan', at(600), 5)).toEqual([]);
    expect((await store.claims.acquireLease('scan', slot, 'd', at(600), LEASE)).acquired).toBe(false);
    const row = (await knex('schedule_claims').where({ job: 'scan' }).first()) as { takeovers: number };
    expect(Number(row.takeovers)).toBe(1);
  });
});
