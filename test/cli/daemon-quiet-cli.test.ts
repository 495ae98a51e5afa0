import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import sqlite3 from 'sqlite3';
import { startCli, stopAllCli } from '../helpers/cli.js';

/** Scheduled runs the daemon has finished in its SQLite store; 0 while the file or its tables are not there yet. */
function finishedScheduledRuns(file: string): Promise<number> {
  if (!existsSync(file)) return Promise.resolve(0);
  return new Promise((resolve) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (openErr) => {
      if (openErr) return resolve(0);
      db.get("SELECT count(*) AS n FROM runs WHERE \"trigger\" = 'schedule' AND status <> 'running'", (err: Error | null, row?: { n: number }) => {
        db.close(() => resolve(err || !row ? 0 : row.n));
      });
    });
  });
}

/** `daemon --quiet`: its progress is its info log, which --quiet leaves out (warnings and errors stay). */
describe('complyd daemon --quiet (compiled binary)', () => {
  let server: FakeApiServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-daemon-quiet-'));
    server = await startFakeApiServer({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], tokens: { tok: 'scanner' } });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok' }));
  });
  afterAll(async () => {
    stopAllCli();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Run a daemon until its store holds a scheduled run, stop it with SIGTERM; its stderr and exit code. */
  async function runDaemon(name: string, extra: string[]): Promise<{ code: number | null; stderr: string }> {
    const config = join(dir, `${name}.yaml`);
    const sqlite = join(dir, `${name}.sqlite`);
    writeFileSync(config, `clusters:\n  - name: shop\n    kubeconfig: kubeconfig.yaml\nschedule:\n  scan: "*/2 * * * * *"\nstorage:\n  sqlite: ${JSON.stringify(sqlite)}\noutput:\n  dir: out-${name}\n  formats: []\n`);
    const child = startCli(['daemon', '-c', config, '--no-catch-up', ...extra]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      // Nothing on stderr to wait for with --quiet: the store says when a scheduled scan was recorded.
      const until = Date.now() + 60_000;
      for (;;) {
        if (Date.now() > until) throw new Error(`no scheduled run recorded\n${stderr}`);
        await new Promise((r) => setTimeout(r, 500));
        // Read-only and without migrations: opening the store the usual way would race the
        // daemon's own migration of the file it is creating.
        const finished = await finishedScheduledRuns(sqlite);
        if (finished > 0) break;
      }
      child.kill('SIGTERM');
      return { code: await exited, stderr };
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  it('logs its start, each scan and its stop without --quiet; nothing below a warning with it', async () => {
    const loud = await runDaemon('loud', []);
    expect(loud.code).toBe(0);
    expect(loud.stderr).toMatch(/"msg":"daemon started"/);
    expect(loud.stderr).toMatch(/"msg":"stopped"/);
    const quiet = await runDaemon('quiet', ['--quiet']);
    expect(quiet.code).toBe(0);
    const levels = quiet.stderr
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { level: number }).level);
    expect(levels.filter((l) => l < 40)).toEqual([]);
    // --log-level says otherwise: it wins over --quiet.
    const asked = await runDaemon('asked', ['--quiet', '--log-level', 'info']);
    expect(asked.stderr).toMatch(/"msg":"daemon started"/);
  }, 240_000);
});
