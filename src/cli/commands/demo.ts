import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../logger.js';
import { UsageError } from '../../core/errors.js';
import { catalogOf, loadRunExceptions, openStore, runReportJob, runScan, writeReports } from '../../main.js';
import { DEMO_HARDENING, DEMO_PROFILES } from '../../demo/profiles.js';
import { demoExceptionsYaml } from '../../demo/exceptions.js';
import { demoFixturesDir, startDemoFleet, type DemoFleet } from '../../demo/fleet.js';
import { simulateHistory, type SimulatedDay } from '../../demo/simulate.js';
import { readTimeline } from '../../demo/timeline.js';
import { remediation, trend } from '../../history/history.js';
import type { HistoryReader } from '../../store/run-store.js';
import { renderScanSummary } from './scan.js';
import { DEFAULT_LISTEN, type ListenAddress } from '../../config/listen.js';
import { listenAddress, startHttp } from '../http-server.js';

/** How to run complyd again the way this demo was started: from a fresh clone that is `npm run`, not a `complyd` on the PATH. */
function invokedAs(): string {
  return process.env['npm_lifecycle_event'] ? 'npm run -s complyd --' : 'complyd';
}
import { sparkline } from '../render-history.js';
import { progress } from '../progress.js';

/** Where a relative path is shown from: the directory the user ran the command in. */
const shown = (p: string) => relative(process.cwd(), p) || '.';

interface DemoOptions {
  out: string;
  days?: string;
  keepRunning?: boolean;
  serve?: boolean;
  listen: string;
  logLevel: string;
}

async function writeDemoConfig(fleet: DemoFleet, out: string, workDir: string): Promise<string> {
  const configFile = join(workDir, 'complyd.yaml');
  const exceptionsFile = join(workDir, 'exceptions.yaml');
  await writeFile(exceptionsFile, demoExceptionsYaml(new Date()));
  await writeFile(
    configFile,
    `# Written by \`complyd demo\`: the simulated fleet's clusters. Valid only while the demo servers run.\n${stringify({
      clusters: fleet.clusters.map((c) => ({ name: c.name, kubeconfig: c.kubeconfigPath, ...(c.context ? { context: c.context } : {}), labels: c.labels })),
      storage: { sqlite: join(out, 'complyd.sqlite') },
      output: { dir: out, formats: ['pdf', 'json', 'csv', 'sarif', 'junit', 'md', 'policyreport'] },
      collect: { concurrency: 4, requestTimeout: '10s', clusterTimeout: '60s', pageSize: 50 },
      exceptions: { paths: [exceptionsFile] },
      // The shipped custom controls in CEL (config/controls.d): they fail some demo workloads.
      controls: { dirs: [join(dirname(demoFixturesDir()), 'controls.d')] },
      // A site's image policy (README: Hardening), so the two controls that follow it judge:
      // every image by digest, and only from the registries the fleet is meant to pull from.
      hardening: { requireDigest: DEMO_HARDENING.requireDigest, allowedRegistries: [...DEMO_HARDENING.allowedRegistries], noInternetEgress: { namespaces: [...DEMO_HARDENING.noInternetEgress.namespaces] } },
      // Production and development held to different frameworks (README: Profiles).
      profiles: DEMO_PROFILES,
    })}`,
  );
  return configFile;
}

function dayLine(d: SimulatedDay): string {
  const date = d.at.toISOString().slice(0, 10);
  const assessed = d.result.clusters.filter((c) => c.status !== 'failed');
  const fails = assessed.reduce((n, c) => n + (c.findingCounts['fail'] ?? 0), 0);
  const change = d.diff
    ? d.diff.clusters.reduce((acc, c) => ({ n: acc.n + c.new.length, r: acc.r + c.reopened.length, x: acc.x + c.resolved.length }), { n: 0, r: 0, x: 0 })
    : undefined;
  const delta = change ? `  +${change.n} new, +${change.r} reopened, -${change.x} resolved` : '  (first scan)';
  const lines = [`  day ${String(d.index).padStart(2)}/${d.of}  ${date}  ${assessed.length}/${d.result.clusters.length} clusters assessed, ${fails} failing${delta}`];
  for (const e of d.events) lines.push(`                      ${e.cluster}: ${e.why}`);
  return lines.join('\n');
}

async function printHistorySummary(store: HistoryReader, days: number, configFile: string): Promise<void> {
  const window = { from: new Date(Date.now() - (days + 1) * 86_400_000), to: new Date() };
  const t = await trend(store, window);
  const r = await remediation(store, window);
  const first = t.score[0]?.score;
  const last = t.score[t.score.length - 1]?.score;
  const lines = ['', `History of ${t.score.length} simulated days:`];
  if (first != null && last != null) lines.push(`  fleet compliance score ${first.toFixed(1)} -> ${last.toFixed(1)}   ${sparkline(t.score.map((p) => p.score))}`);
  const r0 = t.risk[0];
  const r1 = t.risk[t.risk.length - 1];
  if (r0 && r1) lines.push(`  fleet risk ${r0.risk.toFixed(1)} -> ${r1.risk.toFixed(1)}`);
  if (r.all.resolved > 0) {
    lines.push(`  ${r.all.resolved} failing findings resolved (${r.all.fixed} fixed, ${r.all.resourceGone} with their resource deleted): median time to remediate ${r.all.medianDays.toFixed(1)} days`);
  }
  const open = Object.values(r.open.total).reduce((a, b) => a + b, 0);
  lines.push(`  ${open} failing findings open, ${r.open.total['>90'] + r.open.total['31-90']} of them older than 30 days`);
  const c = invokedAs();
  lines.push('', `Try: ${c} trend -c ${shown(configFile)} --since 30d`, `     ${c} trend -c ${shown(configFile)} --since 30d --profile prod`, `     ${c} mttr -c ${shown(configFile)} --since 30d`);
  lines.push(`     ${c} history -c ${shown(configFile)}`, `     ${c} verify -c ${shown(configFile)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The demo store served over HTTP, and the curl lines to try. */
async function serveDemoStore(configFile: string, address: ListenAddress, logLevel: string): Promise<{ lines: string; close: () => Promise<void> }> {
  const config = loadConfig(configFile);
  const log = createLogger({ level: logLevel });
  const store = await openStore(config, log);
  const http = await startHttp({ history: store.history, log, address, server: config.server, exceptions: () => loadRunExceptions(config, log).exceptions }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const lines = [
    `The demo store is served at ${http.url}; try:`,
    `  curl ${http.url}/readyz`,
    `  curl ${http.url}/metrics`,
    `  curl ${http.url}/api/v1/clusters`,
    `  curl -o report.pdf ${http.url}/api/v1/runs/latest/reports/pdf`,
  ].join('\n');
  return {
    lines,
    close: async () => {
      await http.close();
      await store.close();
    },
  };
}

/** Where `--serve` listens; undefined without it. Checked before the fleet starts. */
function serveAddress(opts: DemoOptions): ListenAddress | undefined {
  if (!opts.serve) return undefined;
  if (!opts.keepRunning) throw new UsageError('--serve goes with --keep-running (the demo serves its store while its fleet keeps running)');
  return listenAddress(opts.listen, undefined);
}

/**
 * Refuses an address already taken (another demo, serve or daemon) before the fleet is scanned,
 * rather than minutes later when the store is to be served. Port 0 is always free.
 */
async function assertFree(address: ListenAddress): Promise<void> {
  if (address.port === 0) return;
  await new Promise<void>((done, fail) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      fail(new UsageError(`--listen ${address.host}:${address.port}: ${err.code === 'EADDRINUSE' ? 'the address is in use (another complyd serve, daemon or demo?); choose another port' : `cannot listen there: ${err.code ?? err.message}`}`)),
    );
    probe.listen(address.port, address.host, () => probe.close(() => done()));
  });
}

/** Until SIGINT or SIGTERM: the fleet stays up, and the store is served when an address is given. */
async function keepRunning(configFile: string, address: ListenAddress | undefined, logLevel: string): Promise<void> {
  const served = address ? await serveDemoStore(configFile, address, logLevel) : undefined;
  process.stdout.write(`\nThe simulated fleet keeps running; try: complyd scan -c ${shown(configFile)}  (Ctrl-C to stop)\n`);
  if (served) process.stdout.write(`${served.lines}\n`);
  await new Promise<void>((r) => {
    process.once('SIGINT', r);
    process.once('SIGTERM', r);
  });
  await served?.close();
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(COMMAND_SUMMARIES.demo.summary)
    .option('--out <dir>', 'output directory (reports, SQLite store, demo kubeconfigs); the demo store in it starts empty', './complyd-out')
    .option('--days <n>', 'simulated days of history, ending today (default: the whole timeline, 30 days)')
    .option('--keep-running', 'keep the simulated API servers up after the scans, so you can run complyd against them yourself')
    .option('--serve', 'with --keep-running: serve the demo store over HTTP as `complyd serve` does (health, metrics, API)')
    .option('--listen <addr>', 'with --serve: host:port to listen on', DEFAULT_LISTEN)
    .option('--log-level <level>', 'log level of the JSON log lines on stderr', 'error')
    .action(async (opts: DemoOptions) => {
      const address = serveAddress(opts);
      if (address) await assertFree(address);
      const out = resolve(opts.out);
      const workDir = join(out, 'demo');
      const timeline = readTimeline(join(demoFixturesDir(), 'timeline.yaml'));
      const days = opts.days === undefined ? timeline.days : Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError(`--days must be a whole number from 1 to 3650, not "${opts.days}"`);
      await mkdir(workDir, { recursive: true });
      // The demo's history is simulated in the past: an older demo store would interleave with it.
      for (const f of ['complyd.sqlite', 'complyd.sqlite-wal', 'complyd.sqlite-shm']) await rm(join(out, f), { force: true });
      progress().step('starting the simulated fleet...');
      const fleet = await startDemoFleet({ fixturesDir: demoFixturesDir(), workDir });
      try {
        const configFile = await writeDemoConfig(fleet, out, workDir);
        const config = loadConfig(configFile);
        const log = createLogger({ level: opts.logLevel });
        const store = await openStore(config, log);
        try {
          process.stdout.write(`Scanning ${config.clusters.length} clusters once per simulated day, ${days} day${days === 1 ? '' : 's'} ending today:\n`);
          const results = await simulateHistory({
            fleet,
            timeline,
            store: store.history,
            days,
            scan: (now) => runScan(config, store, log, { trigger: 'demo', now }),
            onDay: (d) => process.stdout.write(`${dayLine(d)}\n`),
          });
          const result = results[results.length - 1];
          if (!result) return;
          const { exceptions } = loadRunExceptions(config, log);
          const reports = await writeReports(store.history, result.runId, out, config.output.formats, { scope: { exceptions, controls: catalogOf(config) } });
          // The report jobs of the profiles: each group's own PDF.
          for (const job of config.reports.filter((j) => j.profile)) reports.push(...((await runReportJob(store.history, job, exceptions, catalogOf(config)))?.written ?? []));
          process.stdout.write(`\nToday's scan:\n${renderScanSummary(result)}\n\nrun ${result.runId}: ${result.status}\n`);
          const broken = result.clusters.filter((c) => c.status !== 'complete');
          if (broken.length > 0) {
            process.stdout.write('\nNot everything could be assessed (on purpose, in this demo):\n');
            for (const c of broken) {
              if (c.error) process.stdout.write(`  ${c.cluster}: not assessed: ${c.error}\n`);
              for (const g of c.gaps) process.stdout.write(`  ${c.cluster}: ${g.evidence}: ${g.reason}: ${g.message}\n`);
            }
            process.stdout.write('  Controls that need the missing evidence are reported as "unknown", never as passed.\n');
          }
          if (days > 1) await printHistorySummary(store.history, days, configFile);
          process.stdout.write('\nWritten:\n');
          for (const r of reports) process.stdout.write(`  ${shown(r)}\n`);
          process.stdout.write(`  ${shown(join(out, 'complyd.sqlite'))} (the store)\n`);
          process.stdout.write(
            `\nNext: ${invokedAs()} controls                   (the catalog)\n` +
              `      ${invokedAs()} exceptions -c ${shown(configFile)}   (accepted failures: active, expiring, expired, unused)\n` +
              `      ${invokedAs()} report -c ${shown(configFile)} -o pdf --out report.pdf\n` +
              `      ${invokedAs()} network diff -c ${shown(configFile)} --cluster prod-eu --since 30d   (connections opened and closed this month)\n`,
          );
        } finally {
          await store.close();
        }
        if (opts.keepRunning) await keepRunning(configFile, address, opts.logLevel);
      } finally {
        await fleet.stop();
      }
    });
}
