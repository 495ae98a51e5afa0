import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { DEFAULT_STORE } from '../kubeconfig-fleet.js';
import { catalogOf, loadRunExceptions, openStore, runScan } from '../../main.js';
import { writeOutputReports } from '../output-reports.js';
import type { ClusterSummary, FleetScanResult } from '../../scan/scan-fleet.js';
import { seconds, table } from '../format.js';
import { UsageError } from '../../core/errors.js';

import { parseFramework } from './controls.js';
import { recordRunOnCrash } from '../crash.js';
import { EXIT } from '../exit-codes.js';
import { addGateOptions, finishGated, gateJson, judgeRequest, parseGateFlags, profileGates, requestedBaseline, runGateInput, type GateFlags } from '../gate-options.js';
import { progress, QUIET_HELP } from '../progress.js';
import { emit, OUT_HELP } from '../output-option.js';
import { resolveRun } from './report.js';
import { collectList, parseSeverities, selectControls } from '../selection.js';
import { scanSetup, type ScanSourceOptions } from '../scan-setup.js';
import { summaryForSeverities } from '../scan-severity.js';

interface ScanOptions extends ConfigOptions, GateFlags, ScanSourceOptions {
  quiet?: boolean;
  out?: string;
  cluster?: string[];
  control?: string[];
  skipControl?: string[];
  severity?: string[];
  framework?: string;
  output: 'text' | 'json';
  report: boolean;
  exceptions?: string[];
}

function gapSummary(c: ClusterSummary): string {
  if (c.error) return c.error;
  return c.gaps.map((g) => `${g.evidence}: ${g.reason}`).join('; ');
}

export function renderScanSummary(result: FleetScanResult): string {
  const rows = result.clusters.map((c) => {
    const objects = Object.values(c.objectCounts).reduce((a, b) => a + (b ?? 0), 0);
    const n = (s: string) => c.findingCounts[s] ?? 0;
    return [c.cluster, c.status, c.status === 'failed' ? '-' : objects, n('pass'), n('fail'), n('unknown'), n('manual'), n('not-applicable'), c.gaps.length, seconds(c.startedAt, c.finishedAt), gapSummary(c)];
  });
  return table(['CLUSTER', 'STATUS', 'OBJECTS', 'PASS', 'FAIL', 'UNKNOWN', 'MANUAL', 'N/A', 'GAPS', 'TIME', 'NOT ASSESSED'], rows);
}

export function registerScan(program: Command): void {
  const cmd = program
    .command('scan')
    .description(COMMAND_SUMMARIES.scan.summary)
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('--cluster <name...>', 'scan only these clusters (repeatable)')
    .option('-f, --framework <name>', 'evaluate only the controls of one framework (cis-1.12, pss-baseline, pss-restricted, nsa)')
    .option('-o, --output <format>', 'summary format: text or json', 'text')
    .option('--no-report', 'do not write the report files configured under output.formats (nor prune them to output.keep)')
    .option('--exceptions <file...>', 'exceptions file or directory, beside those of exceptions.paths (repeatable)')
    .option('--kubeconfig [file]', 'scan without a configuration file: the clusters of this kubeconfig (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'with --kubeconfig: scan this context as a cluster named after it (repeatable, or comma-separated; default: the current context)', collectList)
    .option('--store <path>', `with --kubeconfig: SQLite file or postgres:// URL of the store (default: ${DEFAULT_STORE})`)
    .option('--include-namespaces <list>', 'keep only the findings in these namespaces: names or * globs (repeatable, or comma-separated); cluster-scoped findings are always kept', collectList)
    .option('--exclude-namespaces <list>', 'drop the findings in these namespaces: names or * globs (repeatable, or comma-separated)', collectList)
    .option('--control <ids>', 'run only these controls: ids or patterns such as CIS-5.2.* (repeatable, or comma-separated)', collectList)
    .option('--skip-control <ids>', 'do not run these controls: ids or patterns (repeatable, or comma-separated)', collectList)
    .option('--severity <list>', 'severities the summary counts (critical,high,medium,low,info); the run records every severity', collectList)
    .option('--log-level <level>', 'log level on stderr (info, debug, ...)')
    .option('--out <path>', OUT_HELP)
    .option('-q, --quiet', QUIET_HELP);
  addGateOptions(cmd, 'with --fail-on-new: a run id (or unique prefix) of the store, `latest` for the run before this one, or a JSON report file');
  cmd
    .addHelpText(
      'after',
      `
Without -c, ./${DEFAULT_CONFIG} is read; --kubeconfig or --context scans a kubeconfig's contexts
instead, storing runs in ${DEFAULT_STORE} (or --store) and writing a JSON report to ./complyd-out.

A cluster that could not be assessed at all makes the exit status ${EXIT.notAssessed}; a failed gate makes it ${EXIT.gateFailed}
(judged on the clusters assessed), and the reason is the last line on stderr. Without a gate flag,
each cluster is held alone to its profile's gates (profiles[].gates); any gate flag replaces them
for every cluster.`,
    )
    .action(async (opts: ScanOptions, command: Command) => {
      if (opts.output !== 'text' && opts.output !== 'json') throw new UsageError(`--output must be text or json, not "${opts.output}"`);
      const say = progress({ quiet: opts.quiet ?? false });
      const framework = parseFramework(opts.framework);
      const selection = { only: opts.control, skip: opts.skipControl };
      const severities = parseSeverities(opts.severity);
      const { config, log, trigger } = scanSetup(opts, command.getOptionValueSource('config') !== 'default', selection);
      // The configuration's custom controls (controls.dirs) join the catalog.
      const catalog = catalogOf(config);
      const controls = selectControls(framework ? catalog.filter((c) => c.frameworks.includes(framework)) : catalog, selection, catalog);
      const unknownNames = (opts.cluster ?? []).filter((n) => !config.clusters.some((c) => c.name === n));
      if (unknownNames.length > 0) {
        throw new UsageError(`--cluster: not in ${config.file}: ${unknownNames.join(', ')} (known: ${config.clusters.map((c) => c.name).join(', ')})`);
      }
      const gates = parseGateFlags(opts, profileGates(config.profiles, opts.cluster ?? config.clusters.map((c) => c.name)));
      const exceptions = loadRunExceptions(config, log, opts.exceptions ?? []);
      for (const bad of exceptions.invalid) process.stderr.write(`complyd: ${bad.file}: exceptions file refused, its exceptions not applied:\n  ${bad.issues.join('\n  ')}\n`);
      const store = await openStore(config, log);
      let current: string | undefined;
      const uninstall = recordRunOnCrash(store.runs, log, () => current);
      try {
        // Read before the scan: `latest` is then the run before this one, and a bad baseline costs no scan.
        const baseline = await requestedBaseline(gates, { history: store.history, resolve: (w) => resolveRun(store.history, w) });
        const total = opts.cluster?.length ?? config.clusters.length;
        let done = 0;
        say.step(`scanning ${total} cluster${total === 1 ? '' : 's'} (up to ${config.collect.concurrency} at a time)`);
        let result = await runScan(config, store, log, {
          trigger,
          exceptions: exceptions.exceptions,
          onStart: (id) => (current = id),
          ...(opts.cluster ? { clusters: opts.cluster } : {}),
          ...(framework || controls !== catalog ? { controls } : {}),
          onCluster: (c) => {
            done++;
            say.step(`  [${done}/${total}] ${c.cluster}: ${c.status} in ${seconds(c.startedAt, c.finishedAt)}`);
          },
        });
        current = undefined;
        if (severities) result = summaryForSeverities(result, await store.history.controlResults(result.runId), severities);
        const reports = opts.report ? (await writeOutputReports(store.history, result.runId, config.output, { scope: { exceptions: exceptions.exceptions, controls: catalog } })).written : [];
        const gate = gates && judgeRequest(gates, await runGateInput(store.history, result.runId), baseline);
        await emit(
          opts.out,
          opts.output === 'json'
            ? `${JSON.stringify({ ...result, ...(severities ? { severities: [...severities] } : {}), reports, ...(gate && { gate: gateJson(gate, baseline?.source) }) }, null, 2)}\n`
            : `${renderScanSummary(result)}\n\nrun ${result.runId}: ${result.status}\n${reports.map((r) => `report: ${r}\n`).join('')}`,
        );
        const notAssessed = result.clusters.filter((c) => c.status === 'failed').map((c) => c.cluster);
        process.exitCode = finishGated(gate, { notAssessed, text: opts.output === 'text' });
      } finally {
        uninstall();
        await store.close();
      }
    });
}
