/**
 * The crash-trial campaign, small: `scan` and `daemon` (the compiled CLI, against the demo
 * fleet) killed with SIGKILL at seeded random points, each followed by every check of
 * benchmarks/crash-trial.ts. The full campaign (100 trials per engine) is `npm run bench:crash`;
 * its figures are in benchmarks/RESULTS.md. PostgreSQL runs when COMPLYD_TEST_PG is set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRuns, runCrashTrials, summarize, type Engine, type TrialFailure } from '../../benchmarks/crash-trial.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { postgresTestUrl } from '../helpers/databases.js';

const ENGINES: Engine[] = postgresTestUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
const TRIALS = 3;

describe('crash trials', () => {
  it('finds a run shown finished with a cluster missing, and one left running', async () => {
    // The checks themselves can fail: a store with both defects planted.
    const dir = await mkdtemp(join(tmpdir(), 'complyd-crash-check-'));
    const storage = { kind: 'sqlite' as const, path: join(dir, 'complyd.sqlite') };
    const store = knexRunStore(await openDatabase(storage));
    try {
      const begin = () => store.runs.beginRun({ trigger: 'test', catalogVersion: 't', complydVersion: 't', clusterCount: 2, now: new Date(), owner: 'test:1' });
      const halfRecorded = await begin();
      const at = new Date().toISOString();
      await store.runs.recordCluster(halfRecorded, { cluster: 'a', labels: {}, status: 'complete', startedAt: at, finishedAt: at, objectCounts: {}, gaps: [], findings: [] });
      await store.runs.finishRun(halfRecorded, 'complete', new Date());
      const stillRunning = await begin();
      const failures: TrialFailure[] = [];
      await checkRuns(storage, new Set(), failures);
      expect(failures).toEqual([
        { check: 'no run left running', detail: `run ${stillRunning} is running after its owner was killed` },
        { check: 'no run finished with clusters missing', detail: `run ${halfRecorded} is complete with 1 of 2 clusters` },
      ]);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(ENGINES)(
    'leave a sound store on %s: verify passes, no run half-recorded, the killed run interrupted, the next scan succeeds',
    async (engine) => {
      const result = await runCrashTrials({
        engine,
        trials: TRIALS,
        seed: engine === 'sqlite' ? 12 : 13,
        maxDelayMs: 2500,
        clusters: 2,
        ...(engine === 'postgres' ? { pgAdminUrl: postgresTestUrl() } : {}),
      });
      expect(result.trials).toHaveLength(TRIALS);
      expect(result.trials.flatMap((t) => t.failures)).toEqual([]);
      // Every trial's next scan recorded a finished run.
      expect((result.runs['complete'] ?? 0) + (result.runs['partial'] ?? 0)).toBeGreaterThanOrEqual(TRIALS);
      expect(summarize(result)).toContain('no failures');
    },
    240_000,
  );
});
