import { once } from 'node:events';
import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { buildReport, loadRunExceptions, openStore, reportContent, REPORT_FORMATS, type ReportFormat } from '../../main.js';
import { writeReportFile } from '../../report/report-files.js';
import { DURATION_RANGES, durationOption } from '../../config/duration.js';
import { UsageError } from '../../core/errors.js';
import type { HistoryReader } from '../../store/run-store.js';
import { parseFramework } from './controls.js';
import { findProfile, profileSummary } from '../../config/profiles.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(COMMAND_SUMMARIES.report.summary)
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('--run <id>', 'run id (or a unique prefix of one)', 'latest')
    .option('--format <format>', `report format: ${REPORT_FORMATS.join(', ')}`, 'json')
    .option('--cluster <name...>', 'only these clusters')
    .option('--profile <name>', 'only the clusters of one profile of the configuration, named on the report with its frameworks')
    .option('-f, --framework <name>', 'only the controls of one framework (cis-1.12, pss-baseline, pss-restricted, nsa)')
    .option('--since <duration>', 'the period the report looks back over, ending at the run (trends, changes, time to remediate)', '30d')
    .option('--out <path>', 'file to write (with its SHA-256 in PATH.sha256); stdout when absent (not for pdf)')
    .action(async (opts: ConfigOptions & { run: string; format: string; cluster?: string[]; profile?: string; framework?: string; since: string; out?: string }) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, not "${opts.format}"`);
      if (opts.format === 'pdf' && !opts.out) throw new UsageError('--out is required for --format pdf');
      const framework = parseFramework(opts.framework);
      const sinceMs = durationOption('--since', opts.since, DURATION_RANGES.since);
      const { config, log } = setup(opts);
      const profile = opts.profile !== undefined ? findProfile(config.profiles, opts.profile, config.file) : undefined;
      const outside = profile ? (opts.cluster ?? []).filter((c) => !profile.clusters.includes(c)) : [];
      if (profile && outside.length > 0) throw new UsageError(`--cluster ${outside.join(', ')}: not in profile "${profile.name}" (its clusters: ${profile.clusters.join(', ')})`);
      const clusters = opts.cluster ?? profile?.clusters;
      const store = await openStore(config, log);
      try {
        const runId = await resolveRun(store.history, opts.run);
        // The register shows the exceptions as the configured files declare them now.
        const { exceptions } = loadRunExceptions(config, log);
        const report = await buildReport(store.history, runId, {
          sinceMs,
          exceptions,
          ...(clusters ? { clusters } : {}),
          ...(framework ? { framework } : {}),
          ...(profile ? { profile: profileSummary(profile) } : {}),
        });
        // Piece by piece where the format allows: a large run's JSON exceeds V8's longest string.
        const data = await reportContent(report, opts.format as ReportFormat);
        if (opts.out) {
          await writeReportFile(opts.out, data);
          process.stderr.write(`wrote ${opts.out} and ${opts.out}.sha256 (run ${runId})\n`);
        } else await writeToStdout(data);
      } finally {
        await store.close();
      }
    });
}

export async function resolveRun(store: HistoryReader, wanted: string): Promise<string> {
  if (wanted === 'latest') {
    const run = await store.latestRun();
    if (!run) throw new UsageError('no finished run in the store yet: run `complyd scan` first');
    return run.id;
  }
  const exact = await store.getRun(wanted);
  if (exact) return exact.id;
  const matches = (await store.listRuns(10_000)).filter((r) => r.id.startsWith(wanted));
  if (matches.length === 1 && matches[0]) return matches[0].id;
  throw new UsageError(matches.length === 0 ? `--run: no run "${wanted}" in the store` : `--run: "${wanted}" matches ${matches.length} runs; give more characters`);
}

/** Write text or pieces to stdout, waiting for the pipe to drain instead of buffering it all. */
async function writeToStdout(data: Buffer | Iterable<string>): Promise<void> {
  const pieces = Buffer.isBuffer(data) ? [data] : data;
  let batch = '';
  const flush = async (chunk: string | Buffer) => {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  };
  for (const piece of pieces) {
    if (typeof piece !== 'string') {
      await flush(piece);
      continue;
    }
    batch += piece;
    if (batch.length >= 1 << 16) {
      await flush(batch);
      batch = '';
    }
  }
  if (batch) await flush(batch);
}
