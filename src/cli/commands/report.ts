import { once } from 'node:events';
import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { buildReport, catalogOf, loadRunExceptions, openStore, reportContent, REPORT_FORMATS, type ReportFormat } from '../../main.js';
import { writeReportFile } from '../../report/report-files.js';
import { DURATION_RANGES, durationOption } from '../../config/duration.js';
import { UsageError } from '../../core/errors.js';
import type { HistoryReader } from '../../store/run-store.js';
import { parseFramework } from './controls.js';
import { EXIT } from '../exit-codes.js';
import { addGateOptions, finishGated, gateJson, judgeRequest, parseGateFlags, profileGates, reportGateInput, requestedBaseline, type GateFlags } from '../gate-options.js';
import { addOutputOption, outputFormat } from '../output-option.js';
import { progress, QUIET_HELP } from '../progress.js';
import { collectList, parseSeverities, reportSelection } from '../selection.js';

interface ReportOptions extends ConfigOptions, GateFlags {
  run: string;
  cluster?: string[];
  profile?: string;
  framework?: string;
  since: string;
  out?: string;
  quiet?: boolean;
  control?: string[];
  skipControl?: string[];
  severity?: string[];
}
import { findProfile, profileSummary } from '../../config/profiles.js';

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description(COMMAND_SUMMARIES.report.summary)
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('--run <id>', 'run id (or a unique prefix of one)', 'latest');
  addOutputOption(cmd, REPORT_FORMATS, 'json', 'report format')
    .option('--cluster <name...>', 'only these clusters')
    .option('--profile <name>', 'only the clusters of one profile of the configuration, named on the report with its frameworks')
    .option('-f, --framework <name>', 'only the controls of one framework (cis-1.12, pss-baseline, pss-restricted, nsa)')
    .option('--control <ids>', 'only these controls: ids or patterns such as CIS-5.2.* (repeatable, or comma-separated); counts and scores are then of them, and the report says so', collectList)
    .option('--skip-control <ids>', 'leave out these controls: ids or patterns (repeatable, or comma-separated)', collectList)
    .option('--severity <list>', 'only controls of these severities (critical,high,medium,low,info)', collectList)
    .option('--since <duration>', 'the period the report looks back over, ending at the run (trends, changes, time to remediate)', '30d')
    .option('--out <path>', 'file to write (with its SHA-256 in PATH.sha256); stdout when absent (not for pdf)')
    .option('-q, --quiet', QUIET_HELP);
  addGateOptions(cmd, 'with --fail-on-new: a run id (or unique prefix) of the store, or a JSON report file; only failures whose fingerprint it lacks count');
  cmd
    .addHelpText('after', `\nThe gates judge what the report covers (--cluster, --framework, --control, --skip-control, --severity); a failed gate makes the exit status ${EXIT.gateFailed}\nafter the report is written, and the reason is the last line on stderr (and \`gate\` in -o json). Without a\ngate flag, each cluster is held alone to its profile's gates (profiles[].gates); any gate flag replaces them for every cluster.`)
    .action(async (opts: ReportOptions) => {
      const format = outputFormat(cmd, REPORT_FORMATS);
      if (format === 'pdf' && !opts.out) throw new UsageError('--out is required for -o pdf');
      const say = progress({ quiet: opts.quiet ?? false });
      const framework = parseFramework(opts.framework);
      const sinceMs = durationOption('--since', opts.since, DURATION_RANGES.since);
      const { config, log } = setup(opts);
      // Patterns match the catalog the configuration makes: built-in controls and its custom ones.
      const catalog = catalogOf(config);
      const selection = reportSelection(framework ? catalog.filter((c) => c.frameworks.includes(framework)) : catalog, catalog, { only: opts.control, skip: opts.skipControl }, parseSeverities(opts.severity));
      const profile = opts.profile !== undefined ? findProfile(config.profiles, opts.profile, config.file) : undefined;
      const outside = profile ? (opts.cluster ?? []).filter((c) => !profile.clusters.includes(c)) : [];
      if (profile && outside.length > 0) throw new UsageError(`--cluster ${outside.join(', ')}: not in profile "${profile.name}" (its clusters: ${profile.clusters.join(', ')})`);
      const clusters = opts.cluster ?? profile?.clusters;
      const gates = parseGateFlags(opts, profileGates(config.profiles, clusters ?? config.clusters.map((c) => c.name)));
      const store = await openStore(config, log);
      try {
        const runId = await resolveRun(store.history, opts.run);
        // The register shows the exceptions as the configured files declare them now.
        const { exceptions } = loadRunExceptions(config, log);
        const baseline = await requestedBaseline(gates, { history: store.history, resolve: (w) => resolveRun(store.history, w) });
        const report = await buildReport(store.history, runId, { sinceMs, exceptions, controls: catalogOf(config), ...(clusters ? { clusters } : {}), ...(framework ? { framework } : {}), ...(profile ? { profile: profileSummary(profile) } : {}), ...(selection ? { selection } : {}) });
        const gate = judgeRequest(gates, reportGateInput(report), baseline);
        // The JSON report carries the verdict; the other formats are left as they are.
        const content = gate && format === 'json' ? { ...report, gate: gateJson(gate, baseline?.source) } : report;
        // Piece by piece where the format allows: a large run's JSON exceeds V8's longest string.
        const data = await reportContent(content, format as ReportFormat);
        if (opts.out) {
          await writeReportFile(opts.out, data);
          say.note(`wrote ${opts.out} and ${opts.out}.sha256 (run ${runId})`);
        } else await writeToStdout(data);
        process.exitCode = finishGated(gate, { notAssessed: [], text: true });
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
