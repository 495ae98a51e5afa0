/**
 * An error thrown from a callback of one cluster's work (nothing can catch it; Node hands it to
 * the process) fails that cluster alone: `scan` records the others and exits 3, the daemon logs
 * it and its next round scans every cluster again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';

const OBJECTS: ApiObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }];
const PRELOAD = pathToFileURL(join(process.cwd(), 'test', 'fixtures', 'crash-in-cluster.mjs')).href;

describe('an uncaught error in one cluster', () => {
  let calm: FakeApiServer;
  let faulty: FakeApiServer;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-fault-'));
    calm = await startFakeApiServer({ objects: OBJECTS, tokens: { tok: 'scanner' } });
    faulty = await startFakeApiServer({ objects: OBJECTS, tokens: { tok: 'scanner' }, pki: calm.pki });
    writeFileSync(join(dir, 'calm.yaml'), calm.kubeconfig({ user: 'scanner', token: 'tok' }));
    writeFileSync(join(dir, 'faulty.yaml'), faulty.kubeconfig({ user: 'scanner', token: 'tok' }));
    config = join(dir, 'complyd.yaml');
    writeFileSync(
      config,
      'clusters:\n  - name: calm\n    kubeconfig: calm.yaml\n  - name: faulty\n    kubeconfig: faulty.yaml\nstorage:\n  sqlite: complyd.sqlite\n' +
        'output:\n  dir: out\n  formats: [json]\nschedule:\n  scan: "*/3 * * * * *"\n',
    );
  });
  afterAll(async () => {
    stopAllCli();
    await calm.close();
    await faulty.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ NODE_OPTIONS: `--import ${PRELOAD}`, COMPLYD_PLANT_PORT: String(faulty.port) });

  async function storedRuns() {
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') }));
    try {
      const runs = await store.history.listRuns(100);
      return await Promise.all(runs.map(async (run) => ({ run, clusters: await store.history.clusterResults(run.id) })));
    } finally {
      await store.close();
    }
  }

  it('fails that cluster in scan; the other is recorded and the run is finished', async () => {
    const r = await runCli(['scan', '-c', config, '--no-report', '-o', 'json'], { env: env() });
    expect(r.stderr).toContain('cluster failed on an uncaught error');
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { status: string; clusters: Array<{ cluster: string; status: string; error?: string }> };
    expect(out.status).toBe('partial');
    expect(out.clusters.map((c) => [c.cluster, c.status])).toEqual([
      ['calm', 'complete'],
      ['faulty', 'failed'],
    ]);
    expect(out.clusters[1]?.error).toBe('uncaught error during collection: planted crash in a network callback');
    const [latest] = await storedRuns();
    expect(latest?.run.status).toBe('partial');
    expect(latest?.clusters.map((c) => [c.cluster, c.status]).sort()).toEqual([
      ['calm', 'complete'],
      ['faulty', 'failed'],
    ]);
  }, 60_000);

  it('does not stop the daemon: the next round scans both clusters', async () => {
    const before = (await storedRuns()).length;
    const child = startCli(['daemon', '-c', config, '--no-catch-up', '--log-level', 'info'], { env: env() });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = Date.now() + 40_000;
    while ((stderr.match(/"msg":"run finished"/g) ?? []).length < 2) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`daemon: fewer than two rounds\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('cluster failed on an uncaught error');
    expect(stderr).not.toContain('"msg":"crashed"');

    const all = await storedRuns();
    const runs = all.slice(0, all.length - before).reverse();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    // The round that met the error, then one with both clusters assessed.
    expect(runs[0]?.clusters.find((c) => c.cluster === 'faulty')?.error).toBe('uncaught error during collection: planted crash in a network callback');
    expect(runs[1]?.run.status).toBe('complete');
    expect(runs[1]?.clusters.map((c) => c.status)).toEqual(['complete', 'complete']);
  }, 60_000);
});
