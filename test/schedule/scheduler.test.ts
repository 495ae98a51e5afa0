import { createLogger } from '../../src/cli/logger.js';
import { Scheduler, previousSlot, type ScheduledJob } from '../../src/schedule/scheduler.js';

function job(name: string): { job: ScheduledJob; finish: () => void; started: () => boolean; runs: () => number } {
  let release: () => void = () => undefined;
  let runs = 0;
  let running = false;
  return {
    job: {
      name,
      cron: '0 0 1 1 *',
      timezone: 'UTC',
      run: () =>
        new Promise<void>((resolve) => {
          runs += 1;
          running = true;
          release = () => {
            running = false;
            resolve();
          };
        }),
    },
    finish: () => release(),
    started: () => running,
    runs: () => runs,
  };
}

describe('Scheduler', () => {
  const log = createLogger({ level: 'silent' });

  it('never runs a job twice at once, and idle() waits for the run in flight', async () => {
    const s = new Scheduler(log);
    const scan = job('scan');
    const first = s.runNow(scan.job);
    const second = s.runNow(scan.job); // skipped: still running
    await second;
    expect(scan.runs()).toBe(1);
    let idle = false;
    const waiting = s.idle('scan').then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toBe(false);
    scan.finish();
    await first;
    await waiting;
    expect(idle).toBe(true);
    await s.idle('scan'); // not running: at once
    await s.stop(1000);
  });

  it('finds the last cron slot before now', () => {
    expect(previousSlot('0 6 * * 1', 'UTC', new Date('2026-11-22T12:00:00Z'))?.toISOString()).toBe('2026-11-16T06:00:00.000Z');
  });
});
