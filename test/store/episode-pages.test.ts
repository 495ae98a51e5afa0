import type { Finding } from '../../src/core/types.js';
import { OpenAtRun } from '../../src/report/open-at-run.js';
import { openDatabase } from '../../src/store/db.js';
import { dialectOf } from '../../src/store/dialect.js';
import { episodePagesAtRun } from '../../src/store/history-reads.js';
import { knexRunStore } from '../../src/store/run-store.js';
import type { FindingEpisode } from '../../src/store/run-types.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { clusterScan, f, privileged, runOn, workload } from './history-fixtures.js';

/** Two clusters, three controls, failures that come and go, an unknown, a message; `day` shifts them. */
function findings(cluster: string, day: number): Finding[] {
  const out: Finding[] = [];
  for (let w = 0; w < 40; w++) {
    if ((w + day) % 3 !== 0) out.push(f(cluster, 'C-b', 'fail', workload(`app-${w}`), privileged(`${w % 4 === 0}`)));
    if (w % 5 === day % 5) out.push(f(cluster, 'C-a', 'unknown', workload(`app-${w}`, 'ops'), { message: `no evidence for ${w % 2}` }, 'low'));
    if (w < 7) out.push(f(cluster, 'C-c', w === day ? 'pass' : 'fail', workload(`app-${w}`, 'shop', 'side'), privileged('true'), 'critical'));
  }
  return out;
}

/** What the report reads of an episode (the columns keep nothing else). */
const kept = ({ lastSeen: _l, discriminator: _d, evidencePruned: _p, ...rest }: FindingEpisode) => rest;

describeEachDatabase('episodes open at a run, a page at a time', (db) => {
  it('are the episodes openEpisodes({ runId }) gives, whatever the page size; in columns they read back the same and in the same order', async () => {
    const knex = await openDatabase(await db.fresh());
    const store = knexRunStore(knex);
    try {
      const runs: string[] = [];
      for (let day = 0; day < 3; day++) runs.push(await runOn(store, day, [clusterScan('west', day, findings('west', day)), clusterScan('east', day, findings('east', day))]));
      for (const runId of [runs[1] as string, runs[2] as string]) {
        const whole = await store.history.openEpisodes({ runId });
        expect(whole.length).toBeGreaterThan(60);
        for (const pageSize of [7, 1000]) {
          const paged: FindingEpisode[] = [];
          for await (const page of episodePagesAtRun(knex, dialectOf(knex), runId, { includeUnseen: true }, pageSize)) {
            expect(page.length).toBeLessThanOrEqual(pageSize);
            paged.push(...page);
          }
          const key = (e: FindingEpisode) => `${e.fingerprint}#${e.episode}`;
          expect(new Map(paged.map((e) => [key(e), e]))).toEqual(new Map(whole.map((e) => [key(e), e])));
        }
        const open = new OpenAtRun();
        for await (const page of store.history.openEpisodePages(runId)) for (const e of page) open.add(e);
        open.seal();
        expect([...open.episodes()]).toEqual(whole.map(kept));
        expect(open.controls().sort()).toEqual(['C-a', 'C-b', 'C-c']);
      }
    } finally {
      await knex.destroy();
    }
  });
});
