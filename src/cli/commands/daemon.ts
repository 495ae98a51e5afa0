import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { randomUUID } from 'node:crypto';
import { catalogOf, interruptAbandonedRuns, loadRunExceptions, openStore, runReportJob, runScan, type AlertRunResult } from '../../main.js';
import { ALERT_KINDS } from '../../alerts/events.js';
import { writeOutputReports } from '../output-reports.js';
import { processOwner } from '../../store/run-writer.js';
import { DURATION_RANGES, durationOption } from '../../config/duration.js';
import { errorMessage, UsageError } from '../../core/errors.js';
import { recordRunOnCrash } from '../crash.js';
import { Daemon } from '../../daemon/daemon.js';
import { Metrics, type RunningServer } from '../../server/server.js';
import { listenAddress, startHttp } from '../http-server.js';
import { beforeBrokenPipeExit } from '../broken-pipe.js';

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description(COMMAND_SUMMARIES.daemon.summary)
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('--grace <duration>', 'on shutdown, how long the scan in flight may take to finish before it is recorded as interrupted', '60s')
    .option('--no-catch-up', 'do not scan at start-up when a scheduled slot was missed while the daemon was down')
    .option('--listen <addr>', 'HTTP server address: host:port, [ipv6]:port, :port or off (default: server.listen of the configuration, 127.0.0.1:9464)')
    .option('--log-level <level>', 'log level (default: log.level from the configuration)')
    .option('-q, --quiet', 'log warnings and errors only (no line per scan, report or start-up step), unless --log-level says otherwise')
    .action(async (opts: ConfigOptions & { grace: string; catchUp: boolean; quiet?: boolean; listen?: string }) => {
      const graceMs = durationOption('--grace', opts.grace, DURATION_RANGES.grace);
      const { config, log } = setup(opts, undefined);
      const address = listenAddress(opts.listen, config.server.listen);
      // The daemon's progress is its info log lines: --quiet keeps the warnings and errors.
      if (!opts.logLevel) log.level = opts.quiet ? 'warn' : config.log.level;
      const store = await openStore(config, log);
      // A predecessor killed mid-scan (a restart after a crash) is closed before anything is scheduled.
      await interruptAbandonedRuns(store.runs, log);
      const metrics = new Metrics(store.history, undefined, { deadLetters: store.deadLetters, alertKinds: ALERT_KINDS });
      const onAlerts = (r: AlertRunResult) => {
        for (const w of r.webhooks) metrics.observeAlertDelivery(w.kinds, w.outcome.ok);
      };
      const exceptions = () => loadRunExceptions(config, log).exceptions;
      const jobs = new Map(config.reports.map((j) => [j.name, j]));
      const daemon = new Daemon({
        schedule: config.schedule,
        reportJobs: config.reports,
        retentionMs: config.retention.evidence,
        store,
        log,
        // Daemons sharing one database (replicas on PostgreSQL) run each slot once: whoever leases it first.
        owner: `${processOwner()}:${randomUUID().slice(0, 8)}`,
        catchUp: opts.catchUp,
        // Exceptions are read at every round, so the daemon applies the files as they are in git today.
        lease: { durationMs: config.schedule.lease, renewMs: config.schedule.leaseRenew },
        scan: ({ signal, onStart, adopt }) => runScan(config, store, log, { trigger: 'schedule', exceptions: exceptions(), signal, onStart, onAlerts, ...(adopt !== undefined ? { adopt } : {}) }),
        writeOutputReports: async (runId) => {
          const { written, deleted } = await writeOutputReports(store.history, runId, config.output, { scope: { exceptions: exceptions(), controls: catalogOf(config) } });
          log.info({ runId, reports: written, deleted }, 'reports written');
        },
        writeReportJob: async (name) => {
          const job = jobs.get(name);
          const done = job && (await runReportJob(store.history, job, exceptions(), catalogOf(config)));
          if (done) log.info({ job: name, runId: done.runId, written: done.written, deleted: done.deleted }, 'report job written');
          return Boolean(done);
        },
        onScan: (outcome, ms) =>
          void store.history
            .clusterResults(outcome.runId)
            .then((clusters) => metrics.observeScan(outcome.status, ms, clusters))
            .catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'scan metrics not read')),
      });
      recordRunOnCrash(store.runs, log, () => daemon.currentRun());
      // Its log reader gone (`complyd daemon 2>&1 | head`), the daemon exits 141; the scan in flight is recorded first.
      beforeBrokenPipeExit(async () => {
        const current = daemon.currentRun();
        if (current) await store.runs.finishRun(current, 'interrupted', new Date());
      });

      let http: RunningServer | undefined;
      const startedAt = new Date();
      if (address) {
        // Scanning does not depend on the server: an address taken is logged and the daemon scans on.
        http = await startHttp({
          history: store.history,
          log,
          address,
          server: config.server,
          exceptions,
          metrics,
          scheduler: { running: () => daemon.status().running, startedAt, schedule: config.schedule, readySlots: config.server.readySlots },
        }).catch(async (err: unknown) => {
          if (err instanceof UsageError) {
            await store.close();
            throw err;
          }
          log.error({ err: errorMessage(err), address: `${address.host}:${address.port}` }, 'HTTP server not started; the daemon scans without it');
          return undefined;
        });
      }

      const shutdown = async (sig: string) => {
        log.info({ signal: sig, graceMs }, 'shutting down');
        await daemon.stop(graceMs);
        await http?.close();
        await store.close();
        log.info('stopped');
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      process.once('SIGINT', () => void shutdown('SIGINT'));
      await daemon.start();
      log.info({ clusters: config.clusters.length, http: http?.url ?? null }, 'daemon running');
    });
}
