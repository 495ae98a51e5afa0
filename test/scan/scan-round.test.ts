/** A scheduled scan round that fails as a whole (the store refuses the run) is logged, and the next slot scans. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Logger } from '../../src/core/log.js';
import { runScan } from '../../src/main.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import type { RunWriter } from '../../src/store/run-writer.js';

/** A logger that keeps its error records. */
function recording(errors: Array<Record<string, unknown>>): Logger {
  const ignore = () => undefined;
  const log: Logger = {
    error: (fields: object | string, message?: string) => void errors.push(typeof fields === 'string' ? { msg: fields } : { ...fields, msg: message }),
    warn: ignore,
    info: ignore,
    debug: ignore,
    child: () => log,
  };
  return log;
}

let dir: string;
let store: RunStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'complyd-round-'));
  store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') }));
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

it('logs a round that throws and runs the next slot', async () => {
  const config = parseConfig('clusters:\n  - name: ghost\n    kubeconfig: missing.yaml\n', join(dir, 'complyd.yaml'));
  let refusals = 1;
  const writer: RunWriter = {
    beginRun: (input) => (refusals-- > 0 ? Promise.reject(new Error('cannot begin run: database is locked')) : store.runs.beginRun(input)),
    recordCluster: (...a) => store.runs.recordCluster(...a),
    finishRun: (...a) => store.runs.finishRun(...a),
    heartbeat: (...a) => store.runs.heartbeat(...a),
    markAbandonedRuns: (...a) => store.runs.markAbandonedRuns(...a),
    adoptRun: (...a) => store.runs.adoptRun(...a),
  };
  const errors: Array<Record<string, unknown>> = [];
  const log = recording(errors);
  const scheduler = new Scheduler(log);
  const rounds: string[] = [];
  const job = {
    name: 'scan',
    cron: '0 0 1 1 *',
    timezone: 'UTC',
    run: async (signal: AbortSignal) => {
      const result = await runScan(config, { ...store, runs: writer }, log, { trigger: 'schedule', signal });
      rounds.push(result.status);
    },
  };
  // Two slots, as the daemon's cron would fire them.
  await scheduler.runNow(job, new Date('2026-01-01T00:00:00Z'));
  await scheduler.runNow(job, new Date('2026-01-01T00:01:00Z'));
  await scheduler.stop(1000);

  expect(errors).toEqual([{ job: 'scan', err: 'cannot begin run: database is locked', msg: 'job failed' }]);
  expect(rounds).toEqual(['failed']);
  const runs = await store.history.listRuns(10);
  expect(runs.map((r) => r.status)).toEqual(['failed']);
  expect((await store.history.clusterResults(runs[0]?.id ?? ''))[0]?.error).toMatch(/^clusters\[0\]\.kubeconfig: file not found/);
});
