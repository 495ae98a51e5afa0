import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { startCli, stopAllCli } from '../helpers/cli.js';

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
        let finished = 0;
        if (!existsSync(sqlite)) continue;
        try {
          const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: sqlite }));
          try {
            finished = (await store.history.listRuns(10)).filter((r) => r.trigger === 'schedule' && r.status !== 'running').length;
          } finally {
            await store.close();
          }
        } catch {
          // The daemon has not created its store yet.
        }
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
