/** Commands that read the stored history: history, trend, mttr, diff, risk, verify, prune. */
import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { interruptAbandonedRuns, openStore } from '../../main.js';
import type { Logger } from '../../core/log.js';
import type { RunStore } from '../../store/run-store.js';
import type { Config } from '../../config/load.js';
import { remediation, runHistory, trend, type Scope } from '../../history/history.js';
import { findProfile, profileSummary } from '../../config/profiles.js';
import { UsageError } from '../../core/errors.js';
import { DURATION_RANGES, durationOption } from '../../config/duration.js';
import { parseFramework } from './controls.js';
import { resolveRun } from './report.js';
import { parseOutput, parseWindow } from '../window.js';
import { renderDiff, renderHistory, renderRemediation, renderRisk, renderTrend, renderVerify, riskTotals } from '../render-history.js';

import { EXIT } from '../exit-codes.js';
import { emit, OUT_HELP } from '../output-option.js';

interface ReadOptions extends ConfigOptions {
  output: string;
  out?: string;
}

interface ScopedOptions extends ReadOptions {
  since: string;
  until?: string;
  cluster?: string;
  framework?: string;
  profile?: string;
}

/** Open the configured store, run `fn`, print its text or JSON, close the store. */
async function withStore<T>(opts: ReadOptions, fn: (store: RunStore, log: Logger, config: Config) => Promise<T>, text: (value: T, config: Config) => string): Promise<T> {
  const output = parseOutput(opts.output);
  const { config, log } = setup(opts);
  const store = await openStore(config, log);
  try {
    const value = await fn(store, log, config);
    await emit(opts.out, output === 'json' ? `${JSON.stringify(value, null, 2)}\n` : `${text(value, config)}\n`);
    return value;
  } finally {
    await store.close();
  }
}

function common(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'configuration file (its storage is read)', DEFAULT_CONFIG)
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--out <path>', OUT_HELP)
    .option('--log-level <level>', 'log level on stderr');
}

function scoped(cmd: Command, since: string): Command {
  return common(cmd)
    .option('--since <when>', 'start of the window: a duration back from --until (90d, 12h) or a date (2026-01-31)', since)
    .option('--until <date>', 'end of the window (default: now)')
    .option('--cluster <name>', 'only this cluster')
    .option('-f, --framework <name>', 'only the controls of one framework (cis-1.12, pss-baseline, pss-restricted, nsa)')
    .option('--profile <name>', "only the clusters of one profile of the configuration (the output names the profile and each cluster's frameworks)");
}

/** The command line's scope; `--profile` is the group's clusters as the configuration selects them now. */
const scopeOf = (opts: ScopedOptions, config: Config): Scope => {
  const framework = parseFramework(opts.framework);
  const profile = opts.profile !== undefined ? findProfile(config.profiles, opts.profile, config.file) : undefined;
  if (profile && opts.cluster && !profile.clusters.includes(opts.cluster)) throw new UsageError(`--cluster ${opts.cluster} is not in profile "${profile.name}" (its clusters: ${profile.clusters.join(', ')})`);
  return {
    ...(opts.cluster ? { cluster: opts.cluster } : {}),
    ...(framework ? { framework } : {}),
    ...(profile ? { clusters: profile.clusters, profile: profileSummary(profile) } : {}),
  };
};

/** The clusters a trend's "not assessed" line may name: the profile's, or every configured one. */
const configuredIn = (opts: ScopedOptions, config: Config): string[] =>
  opts.profile !== undefined ? [...findProfile(config.profiles, opts.profile, config.file).clusters] : config.clusters.map((c) => c.name);

export function registerHistory(program: Command): void {
  common(program.command('history').description(COMMAND_SUMMARIES.history.summary))
    .option('-n, --limit <n>', 'how many runs', '20')
    .option('-f, --framework <name>', 'score only the controls of one framework')
    .action(async (opts: ReadOptions & { limit: string; framework?: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, not "${opts.limit}"`);
      const framework = parseFramework(opts.framework);
      await withStore(
        opts,
        async (store, log) => {
          // A run whose process was killed is shown as interrupted, not as still running.
          await interruptAbandonedRuns(store.runs, log);
          return runHistory(store.history, limit, framework ? { framework } : {});
        },
        renderHistory,
      );
    });

  scoped(program.command('trend').description(COMMAND_SUMMARIES.trend.summary), '90d').action(async (opts: ScopedOptions) => {
    const window = parseWindow(opts.since, opts.until);
    await withStore(opts, (store, _log, config) => trend(store.history, window, scopeOf(opts, config)), (t, config) => renderTrend(t, configuredIn(opts, config)));
  });

  scoped(
    program.command('mttr').description(COMMAND_SUMMARIES.mttr.summary),
    '180d',
  ).action(async (opts: ScopedOptions) => {
    const window = parseWindow(opts.since, opts.until);
    await withStore(opts, (store, _log, config) => remediation(store.history, window, scopeOf(opts, config)), (r) => renderRemediation(r));
  });

  common(program.command('diff').description(COMMAND_SUMMARIES.diff.summary))
    .argument('<runA>', 'the earlier run')
    .argument('[runB]', 'the later run', 'latest')
    .action(async (runA: string, runB: string, opts: ReadOptions) => {
      await withStore(
        opts,
        async ({ history }) => history.diff(await resolveRun(history, runA), await resolveRun(history, runB)),
        (d) => renderDiff(d),
      );
    });

  common(program.command('risk').description(COMMAND_SUMMARIES.risk.summary))
    .option('--run <id>', 'run id (or a unique prefix)', 'latest')
    .option('--cluster <name>', 'only this cluster')
    .option('-n, --limit <n>', 'how many workloads to list', '20')
    .action(async (opts: ReadOptions & { run: string; cluster?: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, not "${opts.limit}"`);
      await withStore(
        opts,
        async ({ history }) => {
          const runId = await resolveRun(history, opts.run);
          const workloads = await history.workloadRisks(runId, opts.cluster);
          return { runId, ...riskTotals(workloads), workloads: workloads.slice(0, limit), more: Math.max(0, workloads.length - limit) };
        },
        renderRisk,
      );
    });

  common(program.command('verify').description(COMMAND_SUMMARIES.verify.summary))
    .action(async (opts: ReadOptions) => {
      const report = await withStore(opts, (store) => store.integrity.verifyChain(), renderVerify);
      if (!report.ok) process.exitCode = EXIT.chainBroken;
    });

  common(program.command('prune').description(COMMAND_SUMMARIES.prune.summary))
    .option('--older-than <duration>', 'retention age (default: retention.evidence from the configuration)')
    .action(async (opts: ReadOptions & { olderThan?: string }) => {
      const { config } = setup(opts);
      const age = opts.olderThan !== undefined ? durationOption('--older-than', opts.olderThan, DURATION_RANGES.retention) : config.retention.evidence;
      if (age === undefined) throw new UsageError(`no retention.evidence in ${config.file} and no --older-than: nothing to prune`);
      const before = new Date(Date.now() - age);
      await withStore(
        opts,
        async (store) => ({ olderThan: before.toISOString(), ...(await store.integrity.pruneEvidence(before)) }),
        (r) => `evidence resolved before ${r.olderThan} pruned: ${r.episodes} finding episodes, ${r.revisions} earlier states, ${r.networkBlobs} connectivity snapshots`,
      );
    });
}
