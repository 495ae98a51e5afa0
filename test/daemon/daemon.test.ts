/**
 * The Daemon object driven by a fake clock: scheduled slots, catch-up at start, report jobs,
 * two daemons sharing one store, and a stop whose scan outlives the grace period. Scans are the
 * real ones (runScan) against a fake HTTPS API server, on every test database.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { parseConfig, type Config } from '../../src/config/load.js';
import { openStore, runReportJob, runScan } from '../../src/main.js';
import type { RunStore } from '../../src/store/run-store.js';
import { Daemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/cli/logger.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { FakeClock } from '../helpers/fake-clock.js';

const HOUR = 3_600_000;
const START = new Date('2026-03-02T00:00:00.000Z');

describeEachDatabase('Daemon with a fake clock', (db) => {
  let server: FakeApiServer;
  let dir: string;
  let store: RunStore;
  let config: Config;
  const lines: Array<{ msg: string; job?: string; slot?: string }> = [];
  const log = createLogger({ level: 'silent' });
  // A logger whose lines the tests read: the same interface, recording what matters here.
  const recording = Object.assign(Object.create(log) as typeof log, {
    info: (obj: object | string, msg?: string) => void lines.push(typeof obj === 'string' ? { msg: obj } : { ...(obj as object), msg: msg ?? '' }),
    warn: (obj: object | string, msg?: string) => void lines.push(typeof obj === 'string' ? { msg: obj } : { ...(obj as object), msg: msg ?? '' }),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-daemon-'));
    server = await startFakeApiServer({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:1', securityContext: { privileged: true } }] } } } },
      ],
      tokens: { tok: 'scanner' },
    });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok', contextName: 'shop' }));
  });
  afterAll(() => server.close());

  beforeEach(async () => {
    lines.length = 0;
    const storage = await db.fresh();
    const storageYaml = storage.kind === 'sqlite' ? `sqlite: ${storage.path}` : `postgres: ${storage.url}`;
    config = parseConfig(
      `clusters:\n  - name: shop\n    kubeconfig: kubeconfig.yaml\n    context: shop\nschedule:\n  scan: "0 */6 * * *"\nstorage:\n  ${storageYaml}\noutput:\n  dir: out-${storage.kind}\n  formats: [json]\nreports:\n  - name: after-scan\n    formats: [md]\n    keep: 2\n  - name: daily\n    cron: "0 7 * * *"\n    formats: [csv]\n`,
      join(dir, 'complyd.yaml'),
    );
    store = await openStore(config, log);
  });
  afterEach(() => store.close());

  function daemon(clock: FakeClock, extra: Partial<DaemonOptions> = {}): Daemon {
    const jobs = new Map(config.reports.map((j) => [j.name, j]));
    return new Daemon({
      schedule: config.schedule,
      reportJobs: config.reports,
      store,
      log: recording,
      owner: `test-${Math.random().toString(16).slice(2, 8)}`,
      catchUp: false,
      clock,
      triggers: clock.triggers,
      scan: ({ signal, onStart }) => runScan(config, store, log, { trigger: 'schedule', signal, onStart, now: clock.now }),
      writeOutputReports: async () => undefined,
      writeReportJob: async (name) => Boolean(await runReportJob(store.history, jobs.get(name) ?? (undefined as never))),
      ...extra,
    });
  }

  it('scans each slot of a simulated day once, and writes the report jobs after scans and on their own cron', async () => {
    const clock = new FakeClock(START);
    const d = daemon(clock);
    await d.start();
    for (let i = 0; i < 4; i++) {
      clock.advance(6 * HOUR);
      await d.idle();
    }
    await d.stop(1000);
    const runs = (await store.history.listRuns(100)).reverse();
    // Slots 06:00, 12:00, 18:00 and 00:00 of the next day, each recorded at its slot's time.
    expect(runs.map((r) => [r.trigger, r.status, r.startedAt.slice(0, 16)])).toEqual([
      ['schedule', 'complete', '2026-03-02T06:00'],
      ['schedule', 'complete', '2026-03-02T12:00'],
      ['schedule', 'complete', '2026-03-02T18:00'],
      ['schedule', 'complete', '2026-03-03T00:00'],
    ]);
    // after-scan: after every scan, keeping 2; daily: at 07:00 only.
    expect(readdirSync(join(dir, `out-${db.kind}`, 'after-scan')).filter((f) => f.endsWith('.md'))).toHaveLength(2);
    expect(readdirSync(join(dir, `out-${db.kind}`, 'daily')).filter((f) => f.endsWith('.csv'))).toHaveLength(1);
    expect(d.status()).toEqual(expect.objectContaining({ running: false, lastScan: expect.objectContaining({ status: 'complete' }) }));
  }, 60_000);

  it('catches up a slot missed while no daemon ran, at start, and only then', async () => {
    const clock = new FakeClock(START);
    const first = daemon(clock);
    await first.start();
    clock.advance(6 * HOUR);
    await first.idle();
    await first.stop(1000);
    // Down for 13 hours: the 12:00 and 18:00 slots pass; at start one scan for the latest (18:00).
    clock.advance(13 * HOUR);
    const second = daemon(clock, { catchUp: true });
    await second.start();
    await second.idle();
    const runs = (await store.history.listRuns(100)).reverse();
    expect(runs.map((r) => r.startedAt.slice(0, 16))).toEqual(['2026-03-02T06:00', '2026-03-02T19:00']);
    expect(lines.some((l) => l.msg === 'catching up a missed scan')).toBe(true);
    // A third start with nothing missed does not scan.
    await second.stop(1000);
    const third = daemon(clock, { catchUp: true });
    await third.start();
    await third.idle();
    await third.stop(1000);
    expect(await store.history.listRuns(100)).toHaveLength(2);
  }, 60_000);

  it('runs each slot once when two daemons share the store', async () => {
    const clock = new FakeClock(START);
    const a = daemon(clock);
    const b = daemon(clock);
    await a.start();
    await b.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(6 * HOUR);
      await Promise.all([a.idle(), b.idle()]);
    }
    await Promise.all([a.stop(1000), b.stop(1000)]);
    const runs = await store.history.listRuns(100);
    expect(runs).toHaveLength(3);
    expect(new Set(runs.map((r) => r.startedAt)).size).toBe(3);
    expect(lines.filter((l) => l.msg === 'slot taken by another daemon; skipped here' && l.job === 'scan')).toHaveLength(3);
  }, 60_000);

  it('records the scan in flight as interrupted when it outlives the grace period', async () => {
    const clock = new FakeClock(START);
    let release: () => void = () => undefined;
    const d = daemon(clock, {
      // A scan that ignores the stop signal: begun in the store, then stuck.
      scan: async ({ onStart }) => {
        const runId = await store.runs.beginRun({ trigger: 'schedule', catalogVersion: 't', complydVersion: 't', clusterCount: 1, now: clock.now(), owner: 'test:1' });
        await onStart(runId);
        await new Promise<void>((r) => (release = r));
        return { runId, status: 'complete' };
      },
    });
    await d.start();
    clock.advance(6 * HOUR);
    while (!d.currentRun()) await new Promise((r) => setTimeout(r, 5));
    const { finished } = await d.stop(50);
    expect(finished).toBe(false);
    expect((await store.history.listRuns(1))[0]?.status).toBe('interrupted');
    release();
  }, 30_000);
});
