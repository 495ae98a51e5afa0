/**
 * A clock that moves only when told, and the slot triggers it fires: tests drive a Daemon's
 * schedule, catch-up and report jobs through simulated hours in milliseconds.
 */
import { slotMatcher, type Trigger, type TriggerFactory } from '../../src/schedule/scheduler.js';

interface Registered {
  matches: (at: Date) => boolean;
  fire: (slot: Date) => void;
  stopped: boolean;
  seconds: boolean;
}

export class FakeClock {
  private t: number;
  private readonly registered: Registered[] = [];

  constructor(start: Date) {
    this.t = start.getTime();
  }

  now = (): Date => new Date(this.t);

  readonly triggers: TriggerFactory = (job, fire): Trigger => {
    const r: Registered = { matches: slotMatcher(job.cron, job.timezone), fire, stopped: false, seconds: job.cron.trim().split(/\s+/).length === 6 };
    this.registered.push(r);
    return {
      next: () => null,
      stop: async () => {
        r.stopped = true;
      },
    };
  };

  /** Move to `to`, firing each slot passed on the way (by the second or the minute), in order. */
  advanceTo(to: Date): void {
    const step = this.registered.some((r) => r.seconds) ? 1000 : 60_000;
    let at = Math.floor(this.t / step) * step + step;
    for (; at <= to.getTime(); at += step) {
      this.t = at;
      for (const r of this.registered) if (!r.stopped && r.matches(new Date(at))) r.fire(new Date(at));
    }
    this.t = to.getTime();
  }

  advance(ms: number): void {
    this.advanceTo(new Date(this.t + ms));
  }
}
