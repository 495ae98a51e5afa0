/**
 * Issue 12, item 2, at a size CI affords: a cluster of bare Pods without owners (each failing
 * a few controls) scanned through scanFleet, recorded, and reported in every format, on each
 * engine. The code paths are those of the 200,000-pod benchmark (benchmarks/scale-bench.ts):
 * SQLite's statement queue (with an acquire timeout far below one read), the heartbeat during
 * the write, and the text formats written piece by piece (several write batches each).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ownerlessPodsSnapshot } from '../../benchmarks/ownerless-pods.js';
import { CATALOG_VERSION, CONTROLS } from '../../src/controls/index.js';
import { silentLogger } from '../../src/core/log.js';
import { REPORT_FORMATS, writeReports } from '../../src/main.js';
import { scanFleet } from '../../src/scan/scan-fleet.js';
import { openDatabase } from '../../src/store/db.js';
import { processOwner } from '../../src/store/run-owner.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { parseCsv } from '../report/csv-parse.js';
import { describeEachDatabase } from '../helpers/databases.js';

const PODS = 1000;

describeEachDatabase('a cluster of ownerless pods, recorded and reported in every format', (dbs) => {
  let store: RunStore;
  let dir: string;
  beforeEach(async () => {
    const cfg = await dbs.fresh();
    store = knexRunStore(await openDatabase(cfg, undefined, cfg.kind === 'sqlite' ? { acquireTimeoutMs: 250 } : {}));
    dir = await mkdtemp(join(tmpdir(), 'complyd-scale-'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records the run whole and writes every format, each adding up to the same findings', async () => {
    const snapshot = ownerlessPodsSnapshot({ cluster: 'huge', pods: PODS });
    const target = { name: 'huge', kubeconfig: '/dev/null', labels: { env: 'ci' }, configPath: 'clusters[0]' };
    const result = await scanFleet(
      [target],
      { store: store.runs, controls: CONTROLS, collect: () => Promise.resolve(snapshot), now: () => new Date(), log: silentLogger(), catalogVersion: CATALOG_VERSION, complydVersion: 'test', owner: processOwner() },
      { trigger: 'test', concurrency: 1, heartbeatMs: 10 },
    );
    // The generated cluster's gaps (a kubelet that hides its configuration) make it partial.
    expect(result.status).toBe(snapshot.gaps.length > 0 ? 'partial' : 'complete');
    const counts = result.clusters[0]?.findingCounts ?? {};
    const nonPass = Object.entries(counts).reduce((n, [status, c]) => (status === 'pass' ? n : n + c), 0);
    // Each pod fails a few controls, each its own finding.
    expect(counts['fail']).toBeGreaterThan(PODS * 3);

    const written = await writeReports(store.history, result.runId, dir, REPORT_FORMATS);
    expect(written.map((p) => basename(p).replace(/^complyd-report-[0-9a-f]{8}/, ''))).toEqual(['.json', '.pdf', '.csv', '.sarif', '.junit.xml', '.md', '.policyreport.yaml']);
    for (const path of written) {
      const bytes = await readFile(path);
      expect(await readFile(`${path}.sha256`, 'utf8')).toBe(`${createHash('sha256').update(bytes).digest('hex')}  ${basename(path)}\n`);
    }
    const text = (ending: string) => readFile(written.find((p) => p.endsWith(ending)) ?? '', 'utf8');

    const json = JSON.parse(await text('.json')) as { run: { status: string }; clusters: Array<{ failingControls: unknown[] }>; controls: Array<{ findings: unknown[] }> };
    expect(json.run.status).toBe(result.status);
    expect(json.controls.reduce((n, c) => n + c.findings.length, 0)).toBe(nonPass);
    expect(parseCsv(await text('.csv')).length - 1).toBe(nonPass);
    const sarif = JSON.parse(await text('.sarif')) as { runs: Array<{ results: Array<{ kind?: string }> }> };
    expect(sarif.runs.flatMap((r) => r.results).length).toBeGreaterThanOrEqual(counts['fail'] ?? 0);
    const junit = await text('.junit.xml');
    // One test case per control and cluster: a failure per control with failing resources.
    expect(junit).toMatch(new RegExp(`<testsuites[^>]* failures="${json.clusters[0]?.failingControls.length}"`));
    expect(await text('.md')).toContain('huge');
    // PolicyReports list the non-pass results, one document per namespace (and cluster scope).
    expect((await text('.policyreport.yaml')).match(/^kind: (Cluster)?PolicyReport$/gm)?.length).toBeGreaterThan(0);
    const pdf = await readFile(written.find((p) => p.endsWith('.pdf')) ?? '');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF\s*$/);
  }, 60_000);
});
