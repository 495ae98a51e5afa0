import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { randomUUID } from 'node:crypto';
import { interruptAbandonedRuns, loadRunExceptions, openStore, runReportJob, runScan, type ReportJob } from '../../main.js';
import { writeOutputReports } from '../output-reports.js';
import { processOwner } from '../../store/run-writer.js';
import { Scheduler, previousSlot, type ScheduledJob } from '../../schedule/scheduler.js';
import { DURATION_RANGES, durationOption } from '../../config/duration.js';
import { errorMessage } from '../../core/errors.js';
import { recordRunOnCrash } from '../crash.js';
import { beforeBrokenPipeExit } from '../broken-pipe.js';

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description(COMMAND_SUMMARIES.daemon.summary)
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('--grace <duration>', 'on shutdown, how long the scan in flight may take to finish before it is recorded as interrupted', '60s')
    .option('--no-catch-up', 'do not scan at start-up when a scheduled slot was missed while the daemon was down')
    .option('--log-level <level>', 'log level (default: log.level from the configuration)')
    .option('-q, --quiet', 'log warnings and errors only (no line per scan, report or start-up step), unless --log-level says otherwise')
    .action(async (opts: ConfigOptions & { grace: string; catchUp: boolean; quiet?: boolean }) => {
      const graceMs = durationOption('--grace', opts.grace, DURATION_RANGES.grace);
      const { config, log } = setup(opts, undefined);
      // The daemon's progress is its info log lines: --quiet keeps the warnings and errors.
      if (!opts.logLevel) log.level = opts.quiet ? 'warn' : config.log.level;
      const store = await openStore(config, log);
      // A predecessor killed mid-scan (a restart after a crash) is closed before anything is scheduled.
      await interruptAbandonedRuns(store.runs, log);
      const scheduler = new Scheduler(log);
      // Daemons sharing one database (replicas on PostgreSQL) run each slot once: whoever
      // claims it first. This daemon's name in the claims:
      const owner = `${processOwner()}:${randomUUID().slice(0, 8)}`;
      const claim = async (job: string, slot: Date): Promise<boolean> => {
        const c = await store.claims.claimSlot(job, slot, owner, new Date());
        if (!c.claimed) log.info({ job, slot: slot.toISOString(), owner: c.owner }, 'slot taken by another daemon; skipped here');
        return c.claimed;
      };
      let current: string | undefined;
      recordRunOnCrash(store.runs, log, () => current);
      // Its log reader gone (`complyd daemon 2>&1 | head`), the daemon exits 141; the scan in flight is recorded first.
      beforeBrokenPipeExit(async () => {
        if (current) await store.runs.finishRun(current, 'interrupted', new Date());
      });
      const writeJob = async (job: ReportJob) => {
        const done = await runReportJob(store.history, job, loadRunExceptions(config, log).exceptions);
        if (done) log.info({ job: job.name, runId: done.runId, written: done.written, deleted: done.deleted }, 'report job written');
        else log.warn({ job: job.name }, 'report job skipped: no finished run in the store yet');
      };

      const scan: ScheduledJob = {
        name: 'scan',
        cron: config.schedule.scan,
        timezone: config.schedule.timezone,
        run: async (signal, slot) => {
          if (!(await claim('scan', slot))) return;
          // Read at every round, so the daemon applies the files as they are in git today.
          const { exceptions } = loadRunExceptions(config, log);
          // A round that throws is logged by the scheduler and the next slot runs as usual;
          // its run is closed by scanFleet, so it must not stay `current` for a later crash.
          const result = await runScan(config, store.runs, log, {
            trigger: 'schedule',
            exceptions,
            signal,
            onStart: (id) => {
              current = id;
            },
          }).finally(() => {
            current = undefined;
          });
          if (result.status !== 'interrupted' && result.status !== 'failed') {
            const { written, deleted } = await writeOutputReports(store.history, result.runId, config.output, { scope: { exceptions } });
            log.info({ runId: result.runId, reports: written, deleted }, 'reports written');
          }
          // Jobs without a cron of their own run after every scheduled scan.
          for (const job of config.reports.filter((j) => j.cron === undefined)) {
            if (result.status === 'failed' || result.status === 'interrupted' || signal.aborted) break;
            await writeJob(job).catch((err: unknown) => log.error({ job: job.name, err: errorMessage(err) }, 'report job failed'));
          }
          if (config.retention.evidence !== undefined) {
            const pruned = await store.integrity.pruneEvidence(new Date(Date.now() - config.retention.evidence));
            log.info({ ...pruned }, 'evidence past retention.evidence pruned');
          }
        },
      };
      scheduler.add(scan);
      for (const job of config.reports) {
        if (job.cron === undefined) continue;
        scheduler.add({
          name: `report:${job.name}`,
          cron: job.cron,
          timezone: config.schedule.timezone,
          // Never in the middle of a scan: the job reports the run that scan finishes.
          run: async (_signal, slot) => {
            await scheduler.idle('scan');
            if (await claim(`report:${job.name}`, slot)) await writeJob(job);
          },
        });
      }

      const shutdown = async (sig: string) => {
        log.info({ signal: sig, graceMs }, 'shutting down');
        const finished = await scheduler.stop(graceMs);
        if (!finished && current) {
          await store.runs.finishRun(current, 'interrupted', new Date()).catch((err: unknown) => log.error({ err: errorMessage(err) }, 'could not mark run interrupted'));
          log.warn({ runId: current }, 'scan did not finish within the grace period; recorded as interrupted');
        }
        await store.close();
        log.info('stopped');
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      process.once('SIGINT', () => void shutdown('SIGINT'));

      if (opts.catchUp) {
        const last = (await store.history.listRuns(1))[0];
        const slot = previousSlot(config.schedule.scan, config.schedule.timezone, new Date());
        if (slot && (!last || Date.parse(last.startedAt) < slot.getTime())) {
          log.info({ missedSlot: slot.toISOString(), lastRun: last?.startedAt ?? null }, 'catching up a missed scan');
          void scheduler.runNow(scan, slot);
        }
      }
      log.info({ clusters: config.clusters.length, owner, next: scheduler.nextRuns() }, 'daemon started');
    });
}
