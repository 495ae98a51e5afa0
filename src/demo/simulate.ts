/**
 * Replays the demo timeline: one fleet scan per simulated day, each at that day's time, with
 * the fleet changed by the day's events first. The store then holds a history with real
 * trends and times to remediate, as if complyd had been running for weeks.
 */
import type { FleetScanResult } from '../scan/scan-fleet.js';
import type { HistoryReader, RunDiff } from '../store/run-store.js';
import { applyTimelineDay, type DemoFleet } from './fleet.js';
import { eventsOn, type Timeline, type TimelineEvent } from './timeline.js';

const DAY_MS = 86_400_000;

export interface SimulatedDay {
  /** 1-based position among the days simulated, and how many there are. */
  index: number;
  of: number;
  at: Date;
  events: TimelineEvent[];
  result: FleetScanResult;
  /** Against the previous day's run (absent on the first day). */
  diff?: RunDiff;
}

export interface SimulateOptions {
  fleet: DemoFleet;
  timeline: Timeline;
  store: HistoryReader;
  /** How many days to simulate: the last `days` of the timeline, ending today. */
  days: number;
  /** Scans the fleet once with the given clock. */
  scan: (now: () => Date) => Promise<FleetScanResult>;
  onDay?: (day: SimulatedDay) => void;
  today?: Date;
}

export async function simulateHistory(opts: SimulateOptions): Promise<FleetScanResult[]> {
  const today = opts.today ?? new Date();
  const first = opts.timeline.days - opts.days;
  const results: FleetScanResult[] = [];
  for (let i = 0; i < opts.days; i++) {
    const day = Math.max(0, first + i);
    applyTimelineDay(opts.fleet, opts.timeline, day);
    const at = new Date(today.getTime() - (opts.days - 1 - i) * DAY_MS);
    const started = Date.now();
    // The simulated clock runs at real speed from the day's start, so durations stay true.
    const result = await opts.scan(() => new Date(at.getTime() + (Date.now() - started)));
    const previous = results[results.length - 1];
    const diff = previous ? await opts.store.diff(previous.runId, result.runId) : undefined;
    results.push(result);
    opts.onDay?.({ index: i + 1, of: opts.days, at, events: first + i >= 0 ? eventsOn(opts.timeline, day) : [], result, ...(diff ? { diff } : {}) });
  }
  return results;
}
