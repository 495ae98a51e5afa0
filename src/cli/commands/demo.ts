import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../core/log.js';
import { openStore, runScan, writeReports } from '../../main.js';
import { demoFixturesDir, startDemoFleet } from '../../demo/fleet.js';
import { renderScanSummary } from './scan.js';

/** Where a relative path is shown from: the directory the user ran the command in. */
const shown = (p: string) => relative(process.cwd(), p) || '.';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start a simulated fleet of local HTTPS Kubernetes API servers (one broken on purpose), scan it, store the run and write reports')
    .option('--out <dir>', 'output directory (reports, SQLite store, demo kubeconfigs)', './complyd-out')
    .option('--keep-running', 'keep the simulated API servers up after the scan, so you can run complyd against them yourself')
    .option('--log-level <level>', 'log level of the JSON log lines on stderr', 'error')
    .action(async (opts: { out: string; keepRunning?: boolean; logLevel: string }) => {
      const out = resolve(opts.out);
      const workDir = join(out, 'demo');
      await mkdir(workDir, { recursive: true });
      process.stderr.write('starting the simulated fleet...\n');
      const fleet = await startDemoFleet({ fixturesDir: demoFixturesDir(), workDir });
      try {
        const configFile = join(workDir, 'complyd.yaml');
        await writeFile(
          configFile,
          `# Written by \`complyd demo\`: the simulated fleet's clusters. Valid only while the demo servers run.\n${stringify({
            clusters: fleet.clusters.map((c) => ({ name: c.name, kubeconfig: c.kubeconfigPath, ...(c.context ? { context: c.context } : {}), labels: c.labels })),
            storage: { sqlite: join(out, 'complyd.sqlite') },
            output: { dir: out, formats: ['json', 'pdf'] },
            collect: { concurrency: 4, requestTimeout: '10s', clusterTimeout: '60s', pageSize: 50 },
          })}`,
        );
        const config = loadConfig(configFile);
        const log = createLogger({ level: opts.logLevel });
        const store = await openStore(config);
        try {
          let done = 0;
          process.stderr.write(`scanning ${config.clusters.length} clusters\n`);
          const result = await runScan(config, store, log, {
            trigger: 'demo',
            onCluster: (c) => process.stderr.write(`  [${++done}/${config.clusters.length}] ${c.cluster}: ${c.status}\n`),
          });
          const reports = await writeReports(store, result.runId, out, ['json', 'pdf']);
          process.stdout.write(`\n${renderScanSummary(result)}\n\nrun ${result.runId}: ${result.status}\n`);
          const broken = result.clusters.filter((c) => c.status !== 'complete');
          if (broken.length > 0) {
            process.stdout.write('\nNot everything could be assessed (on purpose, in this demo):\n');
            for (const c of broken) {
              if (c.error) process.stdout.write(`  ${c.cluster}: not assessed: ${c.error}\n`);
              for (const g of c.gaps) process.stdout.write(`  ${c.cluster}: ${g.evidence}: ${g.reason}: ${g.message}\n`);
            }
            process.stdout.write('  Controls that need the missing evidence are reported as "unknown", never as passed.\n');
          }
          process.stdout.write('\nWritten:\n');
          for (const r of reports) process.stdout.write(`  ${shown(r)}\n`);
          process.stdout.write(`  ${shown(join(out, 'complyd.sqlite'))} (the store)\n`);
          process.stdout.write(`\nNext: complyd controls | complyd report -c ${shown(configFile)} --format pdf --out report.pdf\n`);
        } finally {
          await store.close();
        }
        if (opts.keepRunning) {
          process.stdout.write(`\nThe simulated fleet keeps running; try: complyd scan -c ${shown(configFile)}  (Ctrl-C to stop)\n`);
          await new Promise<void>((r) => {
            process.once('SIGINT', r);
            process.once('SIGTERM', r);
          });
        }
      } finally {
        await fleet.stop();
      }
    });
}
