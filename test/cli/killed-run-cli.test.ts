/**
 * A scan killed with SIGKILL mid-run: the next `history` (or scan) on this host sees that the
 * run's process is gone and shows the run as interrupted at once, not after the lease.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';

interface HistoryEntry {
  run: { id: string; status: string; finishedAt?: string; heartbeatAt: string };
}

describe('a killed scan', () => {
  let server: FakeApiServer;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-killed-'));
    // Every request hangs: the scan is surely in flight when it is killed.
    server = await startFakeApiServer({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], tokens: { tok: 'scanner' }, faults: { '*': { delayMs: 60_000 } } });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok' }));
    config = join(dir, 'complyd.yaml');
    writeFileSync(config, 'clusters:\n  - name: shop\n    kubeconfig: kubeconfig.yaml\nstorage:\n  sqlite: complyd.sqlite\noutput:\n  dir: out\n  formats: [json]\n');
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

  it('is shown as interrupted by the next history, and the next scan runs', async () => {
    const scan = startCli(['scan', '-c', config, '--log-level', 'info', '--no-report']);
    let stderr = '';
    scan.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = Date.now() + 20_000;
    while (!/"msg":"run started"/.test(stderr)) {
      if (Date.now() > until || scan.exitCode !== null) throw new Error(`the scan did not start\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const runId = (JSON.parse(stderr.split('\n').find((l) => l.includes('"msg":"run started"')) ?? '{}') as { runId: string }).runId;
    const exited = new Promise((r) => scan.once('exit', r));
    scan.kill('SIGKILL');
    await exited;

    // Right after: no lease has run out (it is 10 minutes), the pid is gone.
    const [killed] = await history();
    expect(killed?.run).toMatchObject({ id: runId, status: 'interrupted' });
    expect(killed?.run.finishedAt).toBe(killed?.run.heartbeatAt);
    const text = await runCli(['history', '-c', config]);
    expect(text.stdout).toMatch(new RegExp(`^${runId.slice(0, 8)} .* interrupted `, 'm'));

    server.clearFaults();
    const next = await runCli(['scan', '-c', config, '--no-report', '-o', 'json']);
    expect(next.code).toBe(0);
    const after = await history();
    expect(after.map((e) => e.run.status)).toEqual(['complete', 'interrupted']);
  }, 60_000);
});
