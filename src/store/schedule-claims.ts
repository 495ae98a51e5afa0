import type { Knex } from 'knex';
import { isoTimestamp } from './run-rows.js';
import { attempt } from './store-error.js';

/** Schedule slots taken by daemons, so that daemons sharing one database run each slot once. */
export interface ScheduleClaims {
  /**
   * Take a scheduled job's slot for `owner` unless another owner took it first. Returns who
   * owns the slot; claims older than `keepMs` (default 35 days) are dropped on the way.
   */
  claimSlot(job: string, slot: Date, owner: string, now: Date, keepMs?: number): Promise<{ claimed: boolean; owner: string }>;
}

const SCHEDULE_CLAIMS = 'schedule_claims';

export class KnexScheduleClaims implements ScheduleClaims {
  constructor(private readonly db: Knex) {}

  async claimSlot(job: string, slot: Date, owner: string, now: Date, keepMs = 35 * 86_400_000): Promise<{ claimed: boolean; owner: string }> {
    const key = { job, slot: isoTimestamp(new Date(Math.floor(slot.getTime() / 1000) * 1000), 'slot') };
    return attempt(`cannot claim slot ${key.slot} of ${job}`, async () => {
      await this.db(SCHEDULE_CLAIMS)
        .where({ job })
        .andWhere('claimed_at', '<', isoTimestamp(new Date(now.getTime() - keepMs), 'now - keepMs'))
        .delete();
      // The primary key (job, slot) lets exactly one insert through; the others read its owner.
      await this.db(SCHEDULE_CLAIMS)
        .insert({ ...key, owner, claimed_at: isoTimestamp(now, 'now') })
        .onConflict(['job', 'slot'])
        .ignore();
      const row = (await this.db(SCHEDULE_CLAIMS).select('owner').where(key).first()) as { owner: string } | undefined;
      const holder = row?.owner ?? owner;
      return { claimed: holder === owner, owner: holder };
    });
  }
}
