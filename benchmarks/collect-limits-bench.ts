/**
 * What the collector's bounds cost and hold: one cluster collected with the default limits
 * (collect.maxResponseSize 256 MiB, collect.maxPages, pages of 500) against the fake API server
 * in another process, healthy and then with a hostile list. Prints the time, the gaps and the
 * collector process's peak RSS (sampled every 10 ms).
 *
 *   npm run -s build && node dist/benchmarks/collect-limits-bench.js [OBJECTS]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectCluster } from '../src/collect/collector.js';
import { silentLogger } from '../src/core/log.js';
import type { Fault } from '../src/demo/fake-apiserver.js';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 2 ** 20;

interface Scenario {
  name: string;
  faults: Record<string, Fault>;
}

async function run(objects: number, s: Scenario): Promise<void> {
  const child = fork(join(here, 'limits-server.js'), [String(objects), JSON.stringify(s.faults)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ kubeconfig: string; objects: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { kubeconfig: string; objects: number }));
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'complyd-limits-')), 'kubeconfig');
  writeFileSync(kubeconfig, ready.kubeconfig);
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const t0 = performance.now();
  let outcome: string;
  try {
    const snap = await collectCluster(
      { name: 'bench', kubeconfig, labels: {}, configPath: 'clusters[0]' },
      { pageSize: 500, requestTimeoutMs: 120_000, clusterTimeoutMs: 1_800_000, now: () => new Date(), log: silentLogger() },
    );
    const read = Object.values(snap.objects).reduce((n, l) => n + (l?.length ?? 0), 0);
    outcome = `${read} objects read; gaps: ${snap.gaps.map((g) => `${g.evidence} ${g.reason}: ${g.message}`).join(' | ') || 'none'}`;
  } catch (err) {
    outcome = `failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  child.disconnect();
  process.stdout.write(`| ${s.name} | ${ready.objects} | ${(ms / 1000).toFixed(1)} s | ${Math.round(before / MiB)} MiB | ${Math.round(peak / MiB)} MiB | ${outcome} |\n`);
}

async function main(): Promise<void> {
  const objects = Number(process.argv[2] ?? 10_000);
  const only = process.argv[3];
  const scenarios: Scenario[] = [
    { name: 'healthy', faults: {} },
    { name: 'pods answer 1 GiB', faults: { pods: { oversizeBytes: 1024 * MiB } } },
    { name: 'pods never end (endless continue)', faults: { pods: { endlessContinue: true } } },
  ];
  process.stdout.write('| scenario | objects served | collect | RSS before | peak RSS | outcome |\n|---|---:|---:|---:|---:|---|\n');
  for (const s of scenarios) if (!only || s.name.startsWith(only)) await run(objects, s);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
