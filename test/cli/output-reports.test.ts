import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { loadConfig } from '../../src/config/load.js';
import { openStore, runScan } from '../../src/main.js';
import { createLogger } from '../../src/cli/logger.js';
import { LEDGER, pruneOutputReports, writeOutputReports } from '../../src/cli/output-reports.js';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';

/** Files a user (or another tool) put in the output directory, which retention must never touch. */
const DECOYS: Record<string, string> = {
  'notes.txt': 'mine',
  // Named like a scan's report, but written by `complyd report --out`: not on the ledger.
  'complyd-report-deadbeef.json': '{"mine":true}',
  'complyd-report-deadbeef.json.sha256': 'x  complyd-report-deadbeef.json\n',
  // A format this configuration does not write.
  'complyd-report-0badc0de.md': '# mine',
  'complyd.sqlite': 'not really a database',
  'monthly/monthly-20260101T000000Z-01234567.pdf': '%PDF mine',
};

function plantDecoys(dir: string): void {
  mkdirSync(join(dir, 'monthly'), { recursive: true });
  for (const [name, text] of Object.entries(DECOYS)) writeFileSync(join(dir, name), text);
}

function expectDecoysIntact(dir: string): void {
  for (const [name, text] of Object.entries(DECOYS)) expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
}

const reportFiles = (dir: string, ending: string) => readdirSync(dir).filter((f) => f.endsWith(ending) && f.startsWith('complyd-report-') && !Object.hasOwn(DECOYS, f)).sort();

describe('reports written for output.formats are kept to output.keep', () => {
  let server: FakeApiServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-output-'));
    server = await startFakeApiServer({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [{ name: 'app', image: 'web:1', securityContext: { privileged: true } }] } },
      ],
      tokens: { tok: 'scanner' },
    });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok' }));
  });
  afterAll(async () => {
    stopAllCli();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(name: string, keep: number, extra = ''): string {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, `clusters:\n  - name: shop\n    kubeconfig: kubeconfig.yaml\nstorage:\n  sqlite: ${name}.sqlite\noutput:\n  dir: ${name}-out\n  formats: [json, csv]\n  keep: ${keep}\n${extra}`);
    return file;
  }

  it('after each scan, keeps the newest N of each format and deletes only files it wrote', async () => {
    const config = loadConfig(writeConfig('rounds', 2));
    plantDecoys(config.output.dir);
    const store = await openStore(config);
    const log = createLogger({ level: 'silent' });
    const runs: string[] = [];
    try {
      for (let round = 0; round < 4; round++) {
        const result = await runScan(config, store, log, { trigger: 'cli' });
        runs.push(result.runId);
        const done = await writeOutputReports(store.history, result.runId, config.output);
        expect(done.written.map((p) => basename(p))).toEqual([`complyd-report-${result.runId.slice(0, 8)}.json`, `complyd-report-${result.runId.slice(0, 8)}.csv`]);
        // From the third round on, the oldest run's two files go.
        const gone = round >= 2 ? runs[round - 2] : undefined;
        expect(done.deleted.map((p) => basename(p))).toEqual(gone ? [`complyd-report-${gone.slice(0, 8)}.csv`, `complyd-report-${gone.slice(0, 8)}.json`] : []);
      }
    } finally {
      await store.close();
    }
    const out = config.output.dir;
    const newest = runs.slice(-2).map((id) => `complyd-report-${id.slice(0, 8)}`);
    expect(reportFiles(out, '.json')).toEqual(newest.map((b) => `${b}.json`).sort());
    expect(reportFiles(out, '.csv')).toEqual(newest.map((b) => `${b}.csv`).sort());
    expect(reportFiles(out, '.sha256')).toEqual(newest.flatMap((b) => [`${b}.csv.sha256`, `${b}.json.sha256`]).sort());
    expect(readFileSync(join(out, LEDGER), 'utf8').split('\n').filter(Boolean)).toEqual(newest.flatMap((b) => [`${b}.json`, `${b}.csv`]));
    expectDecoysIntact(out);
  }, 60_000);

  it('deletes nothing a tampered ledger names outside its own report files', async () => {
    const out = join(dir, 'tampered');
    plantDecoys(out);
    writeFileSync(join(dir, 'outside.json'), 'mine');
    writeFileSync(join(out, LEDGER), [...Object.keys(DECOYS), '../outside.json', '/etc/hostname', 'complyd-report-deadbeef.json.sha256', ''].join('\n'));
    // deadbeef.json is a report name: the ledger says complyd wrote it, so it would be pruned
    // beyond keep; with keep 1 and one json on the ledger, it stays.
    expect(await pruneOutputReports(out, 1)).toEqual([]);
    expectDecoysIntact(out);
    expect(readFileSync(join(dir, 'outside.json'), 'utf8')).toBe('mine');
  });

  it('no ledger (reports written by an older complyd): nothing is deleted', async () => {
    const out = join(dir, 'old');
    plantDecoys(out);
    expect(await pruneOutputReports(out, 1)).toEqual([]);
    expectDecoysIntact(out);
  });

  it('complyd scan prunes to output.keep; --no-report writes and prunes nothing', async () => {
    const file = writeConfig('cli', 1);
    const out = join(dir, 'cli-out');
    plantDecoys(out);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await runCli(['scan', '-c', file, '-o', 'json']);
      expect(res.code).toBe(0);
      ids.push((JSON.parse(res.stdout) as { runId: string }).runId);
    }
    const last = `complyd-report-${(ids.at(-1) ?? '').slice(0, 8)}`;
    expect(reportFiles(out, '.json')).toEqual([`${last}.json`]);
    expect(reportFiles(out, '.csv')).toEqual([`${last}.csv`]);
    const skipped = await runCli(['scan', '-c', file, '--no-report']);
    expect(skipped.code).toBe(0);
    expect(reportFiles(out, '.json')).toEqual([`${last}.json`]);
    expectDecoysIntact(out);
  }, 60_000);

  it('the daemon prunes the reports of its scheduled scans', async () => {
    const file = writeConfig('daemon', 2, 'schedule:\n  scan: "* * * * * *"\n');
    const out = join(dir, 'daemon-out');
    plantDecoys(out);
    const child = startCli(['daemon', '-c', file, '--log-level', 'info', '--no-catch-up']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = Date.now() + 30_000;
    while ((stderr.match(/"msg":"reports written"/g) ?? []).length < 4) {
      if (Date.now() > until) throw new Error(`the daemon did not write reports four times\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const rounds = stderr.split('\n').filter((l) => l.includes('"msg":"reports written"')).map((l) => JSON.parse(l) as { reports: string[]; deleted: string[] });
    expect(rounds.length).toBeGreaterThanOrEqual(4);
    expect(rounds.flatMap((r) => r.deleted).length).toBeGreaterThanOrEqual(4);
    expect(reportFiles(out, '.json')).toHaveLength(2);
    expect(reportFiles(out, '.csv')).toHaveLength(2);
    const kept = rounds.slice(-2).flatMap((r) => r.reports.map((p) => basename(p)));
    for (const name of kept) expect(existsSync(join(out, name))).toBe(true);
    expectDecoysIntact(out);
  }, 60_000);
});
