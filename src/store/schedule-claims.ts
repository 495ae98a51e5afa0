import type { Knex } from 'knex';
import { isoTimestamp } from './run-rows.js';
import { attempt } from './store-error.js';

/** Who holds a slot after an attempt to lease it, and what a taker inherits. */
export interface LeaseOutcome {
  acquired: boolean;
  /** The holder now (this owner when acquired). */
  owner: string;
  /** Set when the slot was taken over from a holder whose lease lapsed: who it was, and the run it began, if any. */
  takeover?: { from: string; runId?: string };
}

/** A slot whose holder stopped renewing its lease before releasing it. */
export interface LapsedLease {
  slot: Date;
  owner: string;
  runId?: string;
}

/**
 * Schedule slots leased by daemons, so that daemons sharing one database run each slot once
 * and a slot whose daemon died is taken over by another (ADR 0023).
 */
export interface ScheduleClaims {
  /**
   * Lease a scheduled job's slot for `owner` until `now + leaseMs`: the first to ask gets it; a
   * later asker gets it only if the holder's lease has lapsed (not renewed, not released), and
   * then inherits the holder's run. Leases older than `keepMs` (default 35 days) are dropped
   * on the way.
   */
  acquireLease(job: string, slot: Date, owner: string, now: Date, leaseMs: number, keepMs?: number): Promise<LeaseOutcome>;
  /** Extends the lease to `now + leaseMs`; false when `owner` no longer holds it (taken over, released). */
  renewLease(job: string, slot: Date, owner: string, now: Date, leaseMs: number): Promise<boolean>;
  /** Ties the run the holder began to its slot, for a taker to finish. */
  attachRun(job: string, slot: Date, owner: string, runId: string): Promise<void>;
  /** The holder is done with the slot (its run finished, or it gave up): nobody will take it over. */
  releaseLease(job: string, slot: Date, owner: string, now: Date): Promise<void>;
  /** Slots of a job whose lease lapsed unreleased (after `since`, when given), most recent first, at most `limit`. */
  lapsedLeases(job: string, now: Date, limit: number, since?: Date): Promise<LapsedLease[]>;
}

const SCHEDULE_CLAIMS = 'schedule_claims';

interface ClaimRow {
  owner: string;
  expires_at: string | null;
  run_id: string | null;
  released_at: string | null;
}

/** Slots are kept to the second: daemons fire the same slot at slightly different milliseconds. */
const slotKey = (job: string, slot: Date) => ({ job, slot: isoTimestamp(new Date(Math.floor(slot.getTime() / 1000) * 1000), 'slot') });

export class KnexScheduleClaims implements ScheduleClaims {
  constructor(private readonly db: Knex) {}

  async acquireLease(job: string, slot: Date, owner: string, now: Date, leaseMs: number, keepMs = 35 * 86_400_000): Promise<LeaseOutcome> {
    const key = slotKey(job, slot);
    const at = isoTimestamp(now, 'now');
    const expires = isoTimestamp(new Date(now.getTime() + leaseMs), 'now + leaseMs');
    return attempt(`cannot lease slot ${key.slot} of ${job}`, async () => {
      await this.db(SCHEDULE_CLAIMS)
        .where({ job })
        .andWhere('claimed_at', '<', isoTimestamp(new Date(now.getTime() - keepMs), 'now - keepMs'))
        .delete();
      // The primary key (job, slot) lets exactly one insert through; the others read its holder.
      await this.db(SCHEDULE_CLAIMS)
        .insert({ ...key, owner, claimed_at: at, expires_at: expires, lease_ms: leaseMs, takeovers: 0 })
        .onConflict(['job', 'slot'])
        .ignore();
      const row = (await this.db(SCHEDULE_CLAIMS).select('owner', 'expires_at', 'run_id', 'released_at').where(key).first()) as ClaimRow | undefined;
      if (!row) return { acquired: false, owner: '' };
      if (row.owner === owner && row.released_at === null) return { acquired: true, owner };
      const lapsed = row.released_at === null && row.expires_at !== null && row.expires_at < at;
      if (!lapsed) return { acquired: false, owner: row.owner };
      // Compare and set on the holder and its expiry: of several takers, one gets the slot, and
      // a holder that renewed meanwhile keeps it.
      const taken = await this.db(SCHEDULE_CLAIMS)
        .where({ ...key, owner: row.owner, expires_at: row.expires_at })
        .whereNull('released_at')
        .update({ owner, expires_at: expires, lease_ms: leaseMs, takeovers: this.db.raw('takeovers + 1') });
      if (taken !== 1) {
        const now2 = (await this.db(SCHEDULE_CLAIMS).select('owner').where(key).first()) as { owner: string } | undefined;
        return { acquired: false, owner: now2?.owner ?? row.owner };
      }
      return { acquired: true, owner, takeover: { from: row.owner, ...(row.run_id !== null ? { runId: row.run_id } : {}) } };
    });
  }

  async renewLease(job: string, slot: Date, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const key = slotKey(job, slot);
    const updated = await attempt(`cannot renew the lease of slot ${key.slot} of ${job}`, () =>
      this.db(SCHEDULE_CLAIMS)
        .where({ ...key, owner })
        .whereNull('released_at')
        .update({ expires_at: isoTimestamp(new Date(now.getTime() + leaseMs), 'now + leaseMs'), lease_ms: leaseMs }),
    );
    return updated === 1;
  }

  async attachRun(job: string, slot: Date, owner: string, runId: string): Promise<void> {
    const key = slotKey(job, slot);
    await attempt(`cannot tie run ${runId} to slot ${key.slot} of ${job}`, () => this.db(SCHEDULE_CLAIMS).where({ ...key, owner }).update({ run_id: runId }));
  }

  async releaseLease(job: string, slot: Date, owner: string, now: Date): Promise<void> {
    const key = slotKey(job, slot);
    const at = isoTimestamp(now, 'now');
    await attempt(`cannot release slot ${key.slot} of ${job}`, () =>
      this.db(SCHEDULE_CLAIMS).where({ ...key, owner }).whereNull('released_at').update({ released_at: at, expires_at: at }),
    );
  }

  async lapsedLeases(job: string, now: Date, limit: number, since?: Date): Promise<LapsedLease[]> {
    const rows = (await attempt(`cannot read lapsed leases of ${job}`, () =>
      this.db(SCHEDULE_CLAIMS)
        .select('slot', 'owner', 'run_id')
        .where({ job })
        .whereNull('released_at')
        .andWhere('expires_at', '<', isoTimestamp(now, 'now'))
        .andWhere('expires_at', '>=', isoTimestamp(since ?? new Date(0), 'since'))
        .orderBy('slot', 'desc')
        .limit(limit),
    )) as Array<{ slot: string; owner: string; run_id: string | null }>;
    return rows.map((r) => ({ slot: new Date(r.slot), owner: r.owner, ...(r.run_id !== null ? { runId: r.run_id } : {}) }));
  }
}
