/**
 * Crash trials: `complyd scan` and `complyd daemon` (the compiled CLI, against the demo fleet's
 * fake API servers) are killed with SIGKILL after a random delay, then the store is checked as
 * the next user would find it:
 *
 * - the store opens;
 * - `complyd verify` exits 0 (the hash chain holds);
 * - `complyd history` shows no run `running` (its owner is dead, so its run is interrupted at
 *   once), and the killed run, if it had not finished, as `interrupted`;
 * - no run is shown finished with clusters missing: every run not interrupted has all its
 *   clusters recorded, and its status is the one its clusters give;
 * - the next `complyd scan` succeeds and records every cluster.
 *
 * The delays come from a seeded generator (the seed is printed), so a failing sequence can be
 * replayed; a quarter count from the process's start, the rest from its first log line (on a
 * busy machine start-up alone takes seconds). Where in its work each process was killed is
 * read from its log and counted.
 *
 *   npm run bench:crash -- --trials 100 --engine sqlite|postgres [--seed N] [--max-delay 4000] [--clusters N]
 *
 * PostgreSQL: a throwaway database is created through --pg (default: COMPLYD_TEST_PG or
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards. Run from the package
 * root after `npm run build` (the npm script builds).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { demoFixturesDir, startDemoFleet, type DemoFleet } from '../src/demo/fleet.js';
import { openDatabase, type StorageConfig } from '../src/store/db.js';
import { knexRunStore } from '../src/store/run-store.js';
import type { Run } from '../src/store/run-types.js';

export type Engine = 'sqlite' | 'postgres';
export type TrialCommand = 'scan' | 'daemon';

export interface CrashTrialOptions {
  trials: number;
  engine: Engine;
  seed: number;
  /** Kill delays are drawn from 0..maxDelayMs (the daemon's from 0..maxDelayMs + its 2 s period), counted from the anchor (a quarter of trials from the start, the rest from the first log line). */
  maxDelayMs: number;
  /** Scan only the first N clusters of the demo fleet (the CI version keeps trials short). @default all */
  clusters?: number;
  /** Admin URL of a PostgreSQL server where the user may create databases. */
  pgAdminUrl?: string;
  /** The compiled CLI. */
  bin?: string;
  /** One line per trial. */
  onTrial?: (t: TrialResult) => void;
}

/** Where the process was when it was killed, as its log told (lines still in the pipe may lag). */
export type Phase = 'starting' | 'collecting' | 'recording' | 'after-run' | 'exited-before-kill';
export const PHASES: readonly Phase[] = ['starting', 'collecting', 'recording', 'after-run', 'exited-before-kill'];

export interface TrialFailure {
  check: string;
  detail: string;
}

export interface TrialResult {
  index: number;
  command: TrialCommand;
  anchor: Anchor;
  delayMs: number;
  phase: Phase;
  /** The run the killed process had begun last, if its log showed it. */
  killedRun?: string;
  failures: TrialFailure[];
  ms: number;
}

export interface CampaignResult {
  engine: Engine;
  seed: number;
  trials: TrialResult[];
  /** Runs in the store at the end, by status. */
  runs: Record<string, number>;
  ms: number;
}

/** mulberry32: small, seeded, good enough to spread delays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: readonly string[], timeoutMs = 120_000): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`complyd ${args.join(' ')}: no exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface LogLine {
  msg?: string;
  runId?: string;
}

function logLines(stderr: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut by the kill
    }
  }
  return out;
}

/** The phase of the last run the log shows begun, and that run's id. */
function phaseOf(lines: readonly LogLine[], exitedFirst: boolean): { phase: Phase; runId?: string } {
  let start = -1;
  lines.forEach((l, i) => {
    if (l.msg === 'run started') start = i;
  });
  const runId = start >= 0 ? lines[start]?.runId : undefined;
  const after = lines.slice(start + 1);
  const withRun = runId ? { runId } : {};
  if (exitedFirst) return { phase: 'exited-before-kill', ...withRun };
  if (start < 0) return { phase: 'starting' };
  if (after.some((l) => l.msg === 'run finished')) return { phase: 'after-run', ...withRun };
  return { phase: after.some((l) => l.msg === 'cluster recorded') ? 'recording' : 'collecting', ...withRun };
}

/**
 * Where a kill delay is counted from: the process's start, or its first log line (on a busy
 * machine start-up alone takes seconds, and delays from the start would mostly kill it there).
 */
export type Anchor = 'spawn' | 'first-log';

/** Start `complyd ARGS`, SIGKILL it delayMs after the anchor (unless it ended first); its log and whether it ended first. */
function killAfter(bin: string, args: readonly string[], anchor: Anchor, delayMs: number): Promise<{ stderr: string; exitedFirst: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer ??= setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, delayMs);
    };
    if (anchor === 'spawn') arm();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('{"')) arm();
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stderr, exitedFirst: !killed });
    });
  });
}

/** What a run's recorded clusters say its status must be (as scanFleet decides it). */
function statusFromClusters(statuses: readonly string[]): string {
  if (statuses.length > 0 && statuses.every((s) => s === 'failed')) return 'failed';
  return statuses.every((s) => s === 'complete') ? 'complete' : 'partial';
}

/** Every run not interrupted has all its clusters, and the status they give. Runs found sound once are final and not read again. */
export async function checkRuns(storage: StorageConfig, settled: Set<string>, failures: TrialFailure[]): Promise<void> {
  let store;
  try {
    store = knexRunStore(await openDatabase(storage));
  } catch (err) {
    failures.push({ check: 'store opens', detail: err instanceof Error ? err.message : String(err) });
    return;
  }
  try {
    const runs: Run[] = await store.history.listRuns(1_000_000);
    for (const r of runs) {
      if (settled.has(r.id)) continue;
      if (r.status === 'running') {
        failures.push({ check: 'no run left running', detail: `run ${r.id} is running after its owner was killed` });
        continue;
      }
      if (r.status === 'interrupted') {
        settled.add(r.id);
        continue;
      }
      const clusters = await store.history.clusterResults(r.id);
      if (clusters.length !== r.clusterCount) {
        failures.push({ check: 'no run finished with clusters missing', detail: `run ${r.id} is ${r.status} with ${clusters.length} of ${r.clusterCount} clusters` });
      } else if (statusFromClusters(clusters.map((c) => c.status)) !== r.status) {
        failures.push({ check: 'run status matches its clusters', detail: `run ${r.id} is ${r.status}; its clusters: ${clusters.map((c) => c.status).join(', ')}` });
      } else settled.add(r.id);
    }
  } finally {
    await store.close();
  }
}

async function statusCounts(storage: StorageConfig): Promise<Record<string, number>> {
  const store = knexRunStore(await openDatabase(storage));
  try {
    const counts: Record<string, number> = {};
    for (const r of await store.history.listRuns(1_000_000)) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  } finally {
    await store.close();
  }
}

async function withThrowawayDatabase<T>(engine: Engine, dir: string, adminUrl: string, fn: (storage: StorageConfig, configValue: Record<string, string>) => Promise<T>): Promise<T> {
  if (engine === 'sqlite') {
    const path = join(dir, 'complyd.sqlite');
    return fn({ kind: 'sqlite', path }, { sqlite: path });
  }
  const name = `complyd_crash_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return await fn({ kind: 'postgres', url: url.toString() }, { postgres: url.toString() });
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function writeConfig(dir: string, clusters: DemoFleet['clusters'], storage: Record<string, string>): Promise<string> {
  const file = join(dir, 'complyd.yaml');
  const config = {
    clusters: clusters.map((c) => ({ name: c.name, kubeconfig: c.kubeconfigPath, ...(c.context ? { context: c.context } : {}), labels: c.labels })),
    storage,
    output: { dir: join(dir, 'out'), formats: ['json'] },
    // Every 2 s: a daemon killed at a random point is as often between rounds as in one.
    schedule: { scan: '*/2 * * * * *' },
    collect: { concurrency: 4, requestTimeout: '5s', clusterTimeout: '20s', pageSize: 50 },
  };
  await writeFile(file, stringify(config));
  return file;
}

/** One trial: start, kill, then every check. */
async function trial(bin: string, config: string, storage: StorageConfig, settled: Set<string>, index: number, command: TrialCommand, anchor: Anchor, delayMs: number, clusterCount: number): Promise<TrialResult> {
  const t0 = performance.now();
  const args = command === 'scan' ? ['scan', '-c', config, '--log-level', 'info'] : ['daemon', '-c', config, '--log-level', 'info', '--grace', '1s'];
  const killed = await killAfter(bin, args, anchor, delayMs);
  const { phase, runId } = phaseOf(logLines(killed.stderr), killed.exitedFirst);
  const failures: TrialFailure[] = [];
  if (killed.exitedFirst && command === 'daemon') failures.push({ check: 'daemon keeps running', detail: `exited on its own:\n${killed.stderr.slice(-2000)}` });

  const verify = await run(bin, ['verify', '-c', config]);
  if (verify.code !== 0) failures.push({ check: 'verify exits 0', detail: `exit ${verify.code}: ${(verify.stdout + verify.stderr).slice(-1000)}` });

  const history = await run(bin, ['history', '-c', config, '-o', 'json']);
  if (history.code !== 0) failures.push({ check: 'history exits 0', detail: `exit ${history.code}: ${history.stderr.slice(-1000)}` });
  else {
    const shown = (JSON.parse(history.stdout) as Array<{ run: { id: string; status: string } }>).map((e) => e.run);
    const running = shown.filter((r) => r.status === 'running');
    if (running.length > 0) failures.push({ check: 'history shows no run running', detail: running.map((r) => r.id).join(', ') });
    const killedRun = runId ? shown.find((r) => r.id === runId) : undefined;
    if (runId && phase !== 'after-run' && phase !== 'exited-before-kill' && killedRun?.status !== 'interrupted') {
      failures.push({ check: 'killed run shown interrupted', detail: `run ${runId} killed while ${phase} is ${killedRun?.status ?? 'not shown'}` });
    }
  }

  await checkRuns(storage, settled, failures);

  const next = await run(bin, ['scan', '-c', config, '--no-report', '-o', 'json']);
  if (next.code !== 0 && next.code !== 3) failures.push({ check: 'next scan succeeds', detail: `exit ${next.code}: ${next.stderr.slice(-1000)}` });
  else {
    const result = JSON.parse(next.stdout) as { status: string; clusters: unknown[] };
    if (!['complete', 'partial'].includes(result.status) || result.clusters.length !== clusterCount) {
      failures.push({ check: 'next scan succeeds', detail: `run ${result.status} with ${result.clusters.length} of ${clusterCount} clusters` });
    }
  }
  return { index, command, anchor, delayMs, phase, ...(runId ? { killedRun: runId } : {}), failures, ms: Math.round(performance.now() - t0) };
}

export async function runCrashTrials(opts: CrashTrialOptions): Promise<CampaignResult> {
  const bin = opts.bin ?? join(process.cwd(), 'dist', 'src', 'cli', 'bin.js');
  const next = random(opts.seed);
  const dir = await mkdtemp(join(tmpdir(), 'complyd-crash-'));
  const fleet = await startDemoFleet({ fixturesDir: demoFixturesDir(), workDir: dir });
  const t0 = performance.now();
  try {
    return await withThrowawayDatabase(opts.engine, dir, opts.pgAdminUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres', async (storage, configValue) => {
      const clusters = fleet.clusters.slice(0, opts.clusters ?? fleet.clusters.length);
      const config = await writeConfig(dir, clusters, configValue);
      const settled = new Set<string>();
      const trials: TrialResult[] = [];
      for (let i = 1; i <= opts.trials; i++) {
        const command: TrialCommand = next() < 0.5 ? 'scan' : 'daemon';
        // A quarter from the start (start-up: migrations, closing abandoned runs), the rest from the first log line.
        const anchor: Anchor = next() < 0.25 ? 'spawn' : 'first-log';
        const delayMs = Math.floor(next() * (opts.maxDelayMs + (command === 'daemon' ? 2000 : 0)));
        const t = await trial(bin, config, storage, settled, i, command, anchor, delayMs, clusters.length);
        trials.push(t);
        opts.onTrial?.(t);
      }
      return { engine: opts.engine, seed: opts.seed, trials, runs: await statusCounts(storage), ms: Math.round(performance.now() - t0) };
    });
  } finally {
    await fleet.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Kills per command and phase, failures, time: the figures for RESULTS.md. */
export function summarize(r: CampaignResult): string {
  const rows = (['scan', 'daemon'] as const).map((cmd) => {
    const mine = r.trials.filter((t) => t.command === cmd);
    return `| ${r.engine} | ${cmd} | ${mine.length} | ${PHASES.map((p) => mine.filter((t) => t.phase === p).length).join(' | ')} | ${mine.filter((t) => t.failures.length > 0).length} |`;
  });
  const failures = r.trials.flatMap((t) => t.failures.map((f) => `trial ${t.index} (${t.command}, ${t.delayMs} ms after ${t.anchor}, ${t.phase}): ${f.check}: ${f.detail}`));
  const perTrial = r.trials.map((t) => t.ms).sort((a, b) => a - b);
  return [
    `seed ${r.seed}, ${r.trials.length} trials on ${r.engine} in ${(r.ms / 1000).toFixed(0)} s (median trial ${perTrial[Math.floor(perTrial.length / 2)] ?? 0} ms); runs at the end: ${JSON.stringify(r.runs)}`,
    `| engine | command | kills | ${PHASES.join(' | ')} | trials with failures |`,
    `|---|---|---:|${PHASES.map(() => '---:').join('|')}|---:|`,
    ...rows,
    ...(failures.length > 0 ? ['', 'failures:', ...failures] : ['', 'no failures']),
  ].join('\n');
}

function parseArgs(argv: readonly string[]): CrashTrialOptions {
  const o: CrashTrialOptions = { trials: 10, engine: 'sqlite', seed: Math.floor(Math.random() * 2 ** 31), maxDelayMs: 4000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i] ?? '';
    if (flag === '--trials') o.trials = Number(value);
    else if (flag === '--engine' && (value === 'sqlite' || value === 'postgres')) o.engine = value;
    else if (flag === '--seed') o.seed = Number(value);
    else if (flag === '--max-delay') o.maxDelayMs = Number(value);
    else if (flag === '--pg') o.pgAdminUrl = value;
    else if (flag === '--clusters') o.clusters = Number(value);
    else throw new Error(`unknown option ${flag} ${value} (options: --trials N, --engine sqlite|postgres, --seed N, --max-delay MS, --clusters N, --pg URL)`);
  }
  if (!Number.isInteger(o.trials) || o.trials < 1) throw new Error('--trials must be a positive integer');
  if (!Number.isInteger(o.seed)) throw new Error('--seed must be an integer');
  o.pgAdminUrl ??= process.env['COMPLYD_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  process.stderr.write(`crash trials: ${o.trials} on ${o.engine}, seed ${o.seed} (replay with --seed ${o.seed})\n`);
  const result = await runCrashTrials({
    ...o,
    onTrial: (t) =>
      process.stderr.write(`  ${String(t.index).padStart(3)} ${t.command.padEnd(6)} kill ${String(t.delayMs).padStart(5)} ms after ${t.anchor.padEnd(9)}  ${t.phase.padEnd(18)} ${t.failures.length === 0 ? 'ok' : `FAILED: ${t.failures.map((f) => f.check).join('; ')}`}  (${t.ms} ms)\n`),
  });
  process.stdout.write(`${summarize(result)}\n`);
  if (result.trials.some((t) => t.failures.length > 0)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`crash-trial: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
