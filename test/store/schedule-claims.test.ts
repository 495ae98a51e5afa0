import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describeEachDatabase('schedule claims', (db) => {
  let knex: Knex;
  let store: RunStore;

  beforeEach(async () => {
    knex = await openDatabase(await db.fresh());
    store = knexRunStore(knex);
  });
  afterEach(async () => {
    await store.close();
  });

  it('gives each scheduled slot to the first daemon that claims it, and keeps claims 35 days', async () => {
    const slot = at(3600);
    // Two daemons racing for the same slot (the same second, whatever its milliseconds): one wins.
    const [a, b] = await Promise.all([
      store.claims.claimSlot('scan', slot, 'host-a:1:x', at(3600)),
      store.claims.claimSlot('scan', new Date(slot.getTime() + 250), 'host-b:2:y', at(3600)),
    ]);
    expect([a.claimed, b.claimed].sort()).toEqual([false, true]);
    expect(a.owner).toBe(b.owner);
    const winner = a.owner;
    // Asking again is idempotent; another job or the next slot is free.
    expect(await store.claims.claimSlot('scan', slot, winner, at(3601))).toEqual({ claimed: true, owner: winner });
    expect(await store.claims.claimSlot('report:audit', slot, 'host-b:2:y', at(3601))).toEqual({ claimed: true, owner: 'host-b:2:y' });
    expect(await store.claims.claimSlot('scan', at(7200), 'host-b:2:y', at(7200))).toEqual({ claimed: true, owner: 'host-b:2:y' });
    // Claims older than keepMs are dropped when the job next claims.
    await store.claims.claimSlot('scan', at(40 * 86_400), 'host-a:1:x', at(40 * 86_400));
    const left = (await knex('schedule_claims').where({ job: 'scan' }).orderBy('slot')) as Array<{ slot: string }>;
    expect(left.map((r) => r.slot)).toEqual([at(40 * 86_400).toISOString()]);
  });
});
