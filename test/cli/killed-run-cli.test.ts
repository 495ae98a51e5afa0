/**
 * A scan or daemon killed with SIGKILL mid-run: the next `history` or scan on this host sees
 * that the run's process is gone and closes the run as interrupted at once, not after the
 * 10-minute lease; the next daemon takes a killed daemon's slot over once its lease lapses.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';

interface HistoryEntry {
  run: { id: string; status: string; finishedAt?: string; heartbeatAt: string };
}

/** Every request hangs: a scan is surely in flight when it is killed. */
const HANG = { delayMs: 60_000 };

describe('a killed scan', () => {
  let server: FakeApiServer;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-killed-'));
    server = await startFakeApiServer({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], tokens: { tok: 'scanner' }, faults: { '*': HANG } });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok' }));
    config = join(dir, 'complyd.yaml');
    writeFileSync(config, 'clusters:\n  - name: shop\n    kubeconfig: kubeconfig.yaml\nstorage:\n  sqlite: complyd.sqlite\noutput:\n  dir: out\n  formats: [json]\nschedule:\n  scan: "*/2 * * * * *"\n  lease: 1s\n  leaseRenew: 250ms\n');
  });
  afterAll(async () => {
    stopAllCli();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function history(): Promise<HistoryEntry[]> {
    const r = await runCli(['history', '-c', config, '-o', 'json']);
    if (r.code !== 0) throw new Error(`history exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as HistoryEntry[];
  }

  /** Start `complyd ARGS` and wait for its first JSON log line with this message; returns the process and its log lines so far. */
  async function startUntil(args: string[], msg: string | string[]): Promise<{ child: ChildProcess; lines: Array<Record<string, unknown>> }> {
    const wanted = Array.isArray(msg) ? msg : [msg];
    const child = startCli([...args, '-c', config, '--log-level', 'info']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = Date.now() + 20_000;
    for (;;) {
      // Whole lines only: the last one may still be arriving.
      const lines = stderr.slice(0, stderr.lastIndexOf('\n') + 1).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      if (lines.some((l) => wanted.includes(String(l['msg'])))) return { child, lines };
      if (Date.now() > until || child.exitCode !== null) throw new Error(`complyd ${args.join(' ')}: no "${wanted.join('" or "')}"\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Start, and kill once a run is being written: one it began, or (a daemon) one it took over from a daemon that crashed in an earlier test. */
  async function killMidRun(args: string[]): Promise<string> {
    const { child, lines } = await startUntil(args, ['run started', 'run taken over']);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    return String(lines.find((l) => l['msg'] === 'run started' || l['msg'] === 'run taken over')?.['runId']);
  }

  it('is shown as interrupted by the next history, and the next scan runs', async () => {
    const runId = await killMidRun(['scan', '--no-report']);

    // Right after: no lease has run out (it is 10 minutes), the pid is gone.
    const [killed] = await history();
    expect(killed?.run).toMatchObject({ id: runId, status: 'interrupted' });
    expect(killed?.run.finishedAt).toBe(killed?.run.heartbeatAt);
    const text = await runCli(['history', '-c', config]);
    expect(text.stdout).toMatch(new RegExp(`^${runId.slice(0, 8)} .* interrupted `, 'm'));

    server.setFault('*', undefined);
    const next = await runCli(['scan', '-c', config, '--no-report', '-o', 'json']);
    expect(next.code).toBe(0);
    const after = await history();
    expect(after.map((e) => e.run.status)).toEqual(['complete', 'interrupted']);
    server.setFault('*', HANG);
  }, 60_000);

  it.each([['scan', '--no-report'], ['daemon', '--no-catch-up']])('%s that crashes records its run as interrupted before it exits', async (...args) => {
    const before = new Set((await history()).map((e) => e.run.id));
    const preload = join(process.cwd(), 'test', 'fixtures', 'crash-on-request.mjs');
    const r = await runCli([...args, '-c', config], { env: { NODE_OPTIONS: `--import ${pathToFileURL(preload).href}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('planted crash in a network callback');
    // Read the store directly: no later command had to close the run.
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') }));
    try {
      const runs = (await store.history.listRuns(100)).filter((run) => !before.has(run.id));
      expect(runs.map((run) => run.status)).toEqual(['interrupted']);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('of a daemon is taken over by the next daemon once its slot lease lapses, and closed when that one stops', async () => {
    const runId = await killMidRun(['daemon', '--no-catch-up']);
    // Its pid is gone: shown interrupted at once.
    expect((await history()).find((e) => e.run.id === runId)?.run.status).toBe('interrupted');
    // The lease (1 s here) has lapsed by the time the next daemon is up: it reopens the run and
    // finishes it, as a replica would (ADR 0023).
    const { child, lines } = await startUntil(['daemon', '--no-catch-up', '--grace', '1s'], 'run taken over');
    expect(lines.find((l) => l['msg'] === 'slot taken over from a daemon whose lease lapsed')?.['runId']).toBe(runId);
    expect(lines.find((l) => l['msg'] === 'run taken over')?.['runId']).toBe(runId);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Every request hangs: the run outlives the grace period and is recorded as interrupted.
    const killed = (await history()).find((e) => e.run.id === runId);
    expect(killed?.run.status).toBe('interrupted');
  }, 60_000);

  it('of a daemon whose log reader goes away is recorded as interrupted before it exits 141', async () => {
    const { child, lines } = await startUntil(['daemon', '--no-catch-up'], 'run started');
    const runId = String(lines.find((l) => l['msg'] === 'run started')?.['runId']);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // The scan hangs; the scheduler's next "slot skipped" line meets the closed pipe.
    child.stderr?.destroy();
    expect(await exited).toBe(141);
    // Read the store directly: no later command had to close the run.
    const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') }));
    try {
      expect((await store.history.getRun(runId))?.status).toBe('interrupted');
    } finally {
      await store.close();
    }
  }, 60_000);
});
