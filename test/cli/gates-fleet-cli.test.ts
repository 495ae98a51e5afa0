import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { demoFixturesDir, startDemoFleet, type DemoFleet } from '../../src/demo/fleet.js';
import { BIN, runCli, stopAllCli } from '../helpers/cli.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

interface GateJson {
  passed: boolean;
  reasons: Array<{ gate: string; count?: number; score?: number | null; threshold?: number; message: string; findings?: Array<{ cluster: string; controlId: string; resource: { name: string } }> }>;
  baseline?: string;
}

const privileged = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'debug:1', securityContext: { privileged: true } }] } } },
});

/** Gates on `scan` and `report` against the demo's simulated fleet (one cluster unreachable on purpose). */
describe('gates on the demo fleet (compiled binary)', () => {
  let dir: string;
  let fleet: DemoFleet;
  let config: string;
  let firstRun: string;
  let reportFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-gates-fleet-'));
    fleet = await startDemoFleet({ fixturesDir: demoFixturesDir(), workDir: dir });
    config = join(dir, 'complyd.yaml');
    writeFileSync(
      config,
      stringify({
        clusters: fleet.clusters.map((c) => ({ name: c.name, kubeconfig: c.kubeconfigPath, ...(c.context ? { context: c.context } : {}), labels: c.labels })),
        storage: { sqlite: join(dir, 'complyd.sqlite') },
        output: { dir: join(dir, 'out'), formats: [] },
        collect: { concurrency: 4, requestTimeout: '5s', clusterTimeout: '30s' },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    stopAllCli();
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scan --fail-on critical: exit 5 over the unreachable cluster\'s 3, the reason last, the missing cluster named', async () => {
    const res = await runCli(['scan', '-c', config, '--fail-on', 'critical'], { timeoutMs: 120_000 });
    const unassessed = /^(\S+)\s+failed\s/m.exec(res.stdout)?.[1];
    expect(unassessed).toBeDefined();
    expect(res.code).toBe(EXIT.gateFailed);
    expect(res.stderr).toContain(`complyd: gate judged without ${unassessed} (not read)`);
    expect(lastLine(res.stderr)).toMatch(/^complyd: gate failed: \d+ open failing findings? at or above critical$/);
    firstRun = /^run ([0-9a-f-]{36}): /m.exec(res.stdout)?.[1] ?? '';
    expect(firstRun).not.toBe('');
  }, 150_000);

  it('scan --fail-on-new --baseline latest: passes when nothing changed (exit 3 for the cluster missing), fails on a new privileged Deployment', async () => {
    const same = await runCli(['scan', '-c', config, '-o', 'json', '--fail-on-new', '--baseline', 'latest'], { timeoutMs: 120_000 });
    const unchanged = JSON.parse(same.stdout) as { runId: string; gate: GateJson };
    expect(unchanged.gate).toMatchObject({ passed: true, reasons: [], baseline: `run ${firstRun}` });
    expect(same.code).toBe(EXIT.notAssessed);

    const [name, server] = [...fleet.servers.entries()][0] ?? [];
    if (!name || !server) throw new Error('the demo fleet has no running cluster');
    server.replaceObjects([...(fleet.fixtures.get(name) ?? []), privileged('gate-debugger')]);
    const worse = await runCli(['scan', '-c', config, '-o', 'json', '--fail-on-new', '--baseline', firstRun.slice(0, 8)], { timeoutMs: 120_000 });
    expect(worse.code).toBe(EXIT.gateFailed);
    const gate = (JSON.parse(worse.stdout) as { gate: GateJson }).gate;
    expect(gate.passed).toBe(false);
    expect(gate.reasons[0]?.gate).toBe('fail-on-new');
    const named = gate.reasons[0]?.findings ?? [];
    expect(named.length).toBeGreaterThan(0);
    // Only the new Deployment, and the namespace it is the first workload of (a namespace-level check now applies), are new.
    expect(named.filter((f) => f.cluster !== name || (f.resource.name !== 'gate-debugger' && f.resource.name !== 'default'))).toEqual([]);
    expect(gate.reasons[0]?.findings?.map((f) => f.controlId)).toContain('PSS-privileged');
  }, 300_000);

  it('report --fail-below-score judges the run\'s score with exceptions; -o json carries the verdict', async () => {
    reportFile = join(dir, 'report.json');
    const written = await runCli(['report', '-c', config, '--run', firstRun, '-o', 'json', '--out', reportFile, '--fail-below-score', '100']);
    expect(written.code).toBe(EXIT.gateFailed);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { fleet: { scoreWithExceptions: number }; gate: GateJson };
    const score = report.fleet.scoreWithExceptions;
    expect(report.gate.reasons).toEqual([expect.objectContaining({ gate: 'fail-below-score', score, threshold: 100 })]);
    expect(lastLine(written.stderr)).toMatch(/^complyd: gate failed: compliance score [\d.]+ is below 100$/);

    const pass = await runCli(['report', '-c', config, '--run', firstRun, '-o', 'csv', '--fail-below-score', String(Math.floor(score))]);
    expect(pass.code).toBe(EXIT.ok);
    expect(pass.stdout).toMatch(/^cluster,control_id,/);
    expect(lastLine(pass.stderr)).toBe('gate passed');
    const fail = await runCli(['report', '-c', config, '--run', firstRun, '-o', 'csv', '--fail-below-score', String(Math.floor(score) + 1)]);
    expect(fail.code).toBe(EXIT.gateFailed);
  }, 120_000);

  it('report --fail-on-new with a JSON report as baseline names what the later run added', async () => {
    const res = await runCli(['report', '-c', config, '-o', 'md', '--fail-on-new', '--baseline', reportFile]);
    expect(res.code).toBe(EXIT.gateFailed);
    expect(res.stdout).toMatch(/^# /m);
    expect(res.stderr).toMatch(/not in the baseline:\n(?: {2}\S+ \(\w+\) \S+\/Deployment\/default\/gate-debugger\[app\]\n)+/);
    expect(lastLine(res.stderr)).toMatch(/^complyd: gate failed: \d+ open failing findings? not in the baseline$/);
    // An evaluate document is refused: its fingerprints name no cluster of the store.
    const manifests = join(dir, 'manifests.json');
    writeFileSync(manifests, JSON.stringify({ findings: [{ status: 'fail', fingerprint: 'f'.repeat(32) }] }));
    const wrongKind = await runCli(['report', '-c', config, '--fail-on-new', '--baseline', manifests]);
    expect(wrongKind.code).toBe(EXIT.usage);
    expect(wrongKind.stderr).toContain(`--baseline ${manifests}: an \`evaluate -o json\` document; scan and report compare with a run or a \`report -o json\` file`);
    // The same run as its own baseline: nothing is new.
    const self = await runCli(['report', '-c', config, '--run', firstRun, '-o', 'json', '--fail-on-new', '--baseline', reportFile]);
    expect(self.code).toBe(EXIT.ok);
    expect((JSON.parse(self.stdout) as { gate: GateJson }).gate.passed).toBe(true);
  }, 120_000);

  it('--format still works for a release, with a deprecation warning; -o and --format that disagree are a usage error; --out takes the output', async () => {
    const old = await runCli(['report', '-c', config, '--format', 'json']);
    expect(old.code).toBe(EXIT.ok);
    expect(old.stderr).toContain('complyd: --format is deprecated and will be removed in a later release; use -o/--output json');
    expect((JSON.parse(old.stdout) as { schema: string }).schema).toBe('complyd.report/v1');
    const controls = await runCli(['controls', '--format', 'csv']);
    expect(controls.stderr).toContain('--format is deprecated');
    expect(controls.stdout).toMatch(/^id,title,/);
    const both = await runCli(['report', '-c', config, '-o', 'csv', '--format', 'json']);
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toContain('-o/--output csv and --format json disagree');
    expect((await runCli(['controls', '-o', 'md'])).stderr).toBe('');
    // --out is where the output goes, for the history commands too.
    const trendFile = join(dir, 'trend.json');
    const trend = await runCli(['trend', '-c', config, '-o', 'json', '--out', trendFile]);
    expect(trend.code).toBe(EXIT.ok);
    expect(trend.stdout).toBe('');
    expect((JSON.parse(readFileSync(trendFile, 'utf8')) as { score: unknown[] }).score.length).toBeGreaterThan(0);
  }, 120_000);

  it('progress lines: on a terminal, not with --quiet, never into a pipe', async () => {
    const reachable = [...fleet.servers.keys()][0] ?? '?';
    const piped = await runCli(['scan', '-c', config, '--cluster', reachable], { timeoutMs: 120_000 });
    expect(piped.code).toBe(EXIT.ok);
    expect(piped.stderr).not.toMatch(/scanning 1 cluster|\[1\/1\]/);
    // `script` gives the command a pseudo-terminal (util-linux); without it this part cannot run.
    if (spawnSync('script', ['--version']).status !== 0) return;
    // Asynchronous: the fake API servers answer from this process, which must not block.
    const onTty = (extra: string[]) =>
      new Promise<string>((resolve, reject) => {
        const command = [process.execPath, BIN, 'scan', '-c', config, '--cluster', reachable, ...extra].map((a) => `'${a}'`).join(' ');
        const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('close', (status) => (status === 0 ? resolve(out.replace(/\r/g, '')) : reject(new Error(`script exited ${status}:\n${out}`))));
      });
    const tty = await onTty([]);
    expect(tty).toMatch(/^scanning 1 cluster \(up to 4 at a time\)$/m);
    expect(tty).toMatch(/^ {2}\[1\/1\] \S+: (complete|partial) in [\d.]+s$/m);
    const quiet = await onTty(['--quiet']);
    expect(quiet).toMatch(/^run [0-9a-f-]{36}: /m);
    expect(quiet).not.toMatch(/scanning 1 cluster|\[1\/1\]/);
  }, 300_000);
});
