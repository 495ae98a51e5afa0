/**
 * The report's connectivity, from the store: each cluster's analysis at the run, what changed
 * since the period's start, and the new exposure listed in the period section of the JSON
 * (valid against the strict schema), the Markdown and the PDF (read back).
 */
import { CONTROLS } from '../../src/controls/index.js';
import { buildRunReport } from '../../src/report/model.js';
import { renderJson } from '../../src/report/json-report.js';
import { renderMarkdown } from '../../src/report/markdown-report.js';
import { renderPdf } from '../../src/report/pdf-report.js';
import { reportSchema } from '../../src/report/report-schema.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import type { NetworkAnalysis } from '../../src/core/network.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { clusterScan, dayAt, runOn } from '../store/history-fixtures.js';
import { readPdf, squash } from './pdf-text.js';

const CLOSED: NetworkAnalysis = {
  connections: [{ src: 'shop/web[Deployment]', dst: 'shop/api[Deployment]', conn: 'TCP 8080' }],
  exposure: { egress: [], ingress: [], unprotected: [], services: [] },
  workloads: 3,
  policies: 2,
  classes: 3,
  problems: [],
};
const OPENED: NetworkAnalysis = {
  ...CLOSED,
  connections: [...CLOSED.connections, { src: 'shop/web[Deployment]', dst: 'shop/db[StatefulSet]', conn: 'TCP 5432' }],
  exposure: { ...CLOSED.exposure!, ingress: [{ workload: 'shop/db[StatefulSet]', peer: 'entire-cluster', conn: 'TCP 5432' }] },
};

describeEachDatabase('report network', (db) => {
  it('fills each cluster\'s connectivity and lists the exposure opened in the period', async () => {
    const store = knexRunStore(await openDatabase(await db.fresh()));
    try {
      await runOn(store, 0, [clusterScan('east', 0, [], { network: CLOSED }), clusterScan('west', 0, [], { network: CLOSED })]);
      await runOn(store, 2, [clusterScan('east', 2, [], { network: OPENED }), clusterScan('west', 2, [], { network: CLOSED })]);
      const last = await runOn(store, 4, [clusterScan('east', 4, [], { network: OPENED }), clusterScan('west', 4, [], { networkNote: 'connectivity not analysed: evidence missing: networkpolicies' })]);

      const report = await buildRunReport({ store: store.history, runId: last, controls: CONTROLS, now: dayAt(5), complydVersion: 't', sinceMs: 10 * 86_400_000 });
      // west kept none at the run: it is not in the report's connectivity.
      expect(report.network).toEqual([{ cluster: 'east', analysis: OPENED, since: dayAt(0, 1).toISOString(), changes: { added: [OPENED.connections[1]], removed: [], changed: [] } }]);
      expect(report.period.network).toEqual([
        { cluster: 'east', since: dayAt(0, 1).toISOString(), added: 1, removed: 0, changed: 0, newExposure: [{ direction: 'ingress', workload: 'shop/db[StatefulSet]', peer: 'entire-cluster', conn: 'TCP 5432' }], newExposureCount: 1 },
      ]);
      expect(reportSchema.safeParse(JSON.parse(renderJson(report))).success).toBe(true);
      expect(renderMarkdown(report)).toContain('| east | shop/db\\[StatefulSet\\] | open to | entire-cluster | TCP 5432 |');
      const text = squash((await readPdf(await renderPdf(report))).pages.map((p) => p.text).join(' '));
      expect(text).toContain('Network exposure opened in the period');
      expect(text).toContain('east since 2025-01-01: 1 connection(s) added, 0 removed, 0 changed; 1 new exposure line(s).');
      expect(text).toMatch(/shop\/db\[StatefulSet\] open to entire-cluster TCP 5432/);

      // A period that starts after the change compares with the scan held at its start: nothing new.
      const short = await buildRunReport({ store: store.history, runId: last, controls: CONTROLS, now: dayAt(5), complydVersion: 't', sinceMs: 1.5 * 86_400_000 });
      expect(short.network?.[0]?.changes).toEqual({ added: [], removed: [], changed: [] });
      expect(short.period.network).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
