import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { loadManifests, type EmptyPath } from '../../collect/manifests.js';
import { analyzeNetwork, analyzeSnapshot } from '../../evaluate/network/analyze.js';
import { diffConnections, formatDiffText, type ConnectionDiff } from '../../evaluate/network/diff.js';
import { formatNetwork, NETWORK_FORMATS, type NetworkFormat } from '../../evaluate/network/format.js';
import { networkModel } from '../../evaluate/network/model.js';
import { suggestPolicies, type SuggestResult } from '../../evaluate/network/suggest.js';
import type { Snapshot } from '../../core/types.js';
import { AppError, UsageError } from '../../core/errors.js';
import { parseByteSize } from '../byte-size.js';
import { writeAll } from '../evaluate-output.js';
import { EXIT } from '../exit-codes.js';
import { storeForm, storedDiff, storedNetwork, withHistory, type StoreSource } from '../network-store.js';

const DIFF_FORMATS = ['txt', 'json', 'md'] as const;
const SUGGEST_FORMATS = ['yaml', 'json'] as const;
const MAX_FILE_SIZE_HELP = 'larger manifest files are not read, and reported (KiB, MiB, GiB)';

function emptyMessage(e: EmptyPath): string {
  return e.skipped > 0 ? `no Kubernetes objects complyd reads found in ${e.path} (${e.skipped} skipped)` : `no Kubernetes objects found in ${e.path}`;
}

type Loaded = Awaited<ReturnType<typeof loadManifests>>;

/** What was not read, on stderr; an input not read or empty makes the exit code 3 (not assessed). */
async function reportInputs(loaded: readonly Loaded[], problems: readonly string[]): Promise<void> {
  let notRead = 0;
  await writeAll(process.stderr, (function* () {
    for (const { skipped, skippedPaths, unreadable, empty } of loaded) {
      notRead += unreadable.length + empty.length;
      for (const s of skipped) yield `skipped ${s.file} document ${s.doc} (${s.kind}): ${s.reason}\n`;
      for (const s of skippedPaths) yield `skipped ${s.path}: ${s.reason}\n`;
      for (const e of unreadable) yield `complyd: ${e.message}\n`;
      for (const e of empty) yield `complyd: ${emptyMessage(e)}\n`;
    }
    for (const p of problems) yield `complyd: ${p}\n`;
    if (notRead > 0) yield `complyd: INCOMPLETE: ${notRead} input${notRead === 1 ? '' : 's'} not read or empty (see above)\n`;
  })());
  if (notRead > 0) process.exitCode = EXIT.notAssessed;
}

/** A capped analysis says so: its workload-to-workload lines are a part of them. */
const cappedNote = (a: { pairsCapped?: number }): string[] =>
  a.pairsCapped === undefined ? [] : [`only the first ${a.pairsCapped} workload-to-workload connections were computed; the rest were not (lines with external ranges and the ingress controller are whole)`];

async function writeText(text: string, out: string | undefined): Promise<void> {
  if (!out) return writeAll(process.stdout, [text]);
  try {
    await writeFile(out, text);
  } catch (err) {
    throw new AppError('OUTPUT', `--out ${out}: cannot write: ${(err as Error).message}`, { cause: err });
  }
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not "${value}"`);
  return value as T;
}

const withObjects = (s: Snapshot, extra: Snapshot['objects']): Snapshot => ({
  ...s,
  objects: { ...s.objects, networkpolicies: [...(s.objects.networkpolicies ?? []), ...(extra.networkpolicies ?? [])] },
});

const repeat = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
const CONFIG_HELP = 'configuration file whose store is read (with --cluster; default complyd.yaml)';
const STORE_HELP =
  '\nWith --cluster NAME instead of paths, the connectivity a scan stored for that cluster is read from the store of the configuration (-c FILE): its newest, or that of --run ID.';

function formatDiff(d: ConnectionDiff, format: (typeof DIFF_FORMATS)[number]): string {
  if (format === 'json') return `${JSON.stringify(d, null, 2)}\n`;
  if (format === 'txt') return formatDiffText(d);
  const row = (sign: string, src: string, dst: string, conn: string) => `| ${sign} | ${src} | ${dst} | ${conn} |`;
  return [
    '| change | source | destination | connections |',
    '|---|---|---|---|',
    ...d.added.map((c) => row('added', c.src, c.dst, c.conn)),
    ...d.removed.map((c) => row('removed', c.src, c.dst, c.conn)),
    ...d.changed.map((c) => row('changed', c.src, c.dst, `${c.before} → ${c.after}`)),
    '',
  ].join('\n');
}

function formatSuggestion(r: SuggestResult, format: (typeof SUGGEST_FORMATS)[number]): string {
  const policies = r.suggestions.flatMap((s) => s.policies);
  if (format === 'json') return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: policies.map((p) => p.manifest) }, null, 2)}\n`;
  return policies.map((p) => `# ${p.reason}\n${stringify(p.manifest)}`).join('---\n');
}

export function registerNetwork(program: Command): void {
  const network = program
    .command('network')
    .description(COMMAND_SUMMARIES.network.summary)
    // `network diff -o json`: options after a subcommand are the subcommand's, not network's own -o
    // (the root program enables this too, or it would hand the -o up to network).
    .enablePositionalOptions()
    .argument('[paths...]', 'files or directories (*.yaml, *.yml, *.json, searched recursively, symbolic links followed)')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--cluster <name>', 'read this cluster\'s stored connectivity instead of manifests')
    .option('--run <id>', 'with --cluster: the run whose connectivity to read (id or prefix; default the newest holding one)', repeat)
    .option('--log-level <level>', 'log level on stderr (store form)')
    .option('--exposure', 'also list what each workload is open to beyond the workloads of the input: the entire cluster, pods of namespaces or labels not in the input, external ranges, Services of type LoadBalancer/NodePort')
    .option('--focus-workload <name>', 'only connections with this workload at one end (name or namespace/name; ingress-controller for the ingress controller)')
    .option('-o, --output <format>', `${NETWORK_FORMATS.join(', ')}`, 'txt')
    .option('--out <path>', 'file to write; stdout when absent')
    .option('--max-file-size <size>', MAX_FILE_SIZE_HELP, '64MiB')
    .addHelpText(
      'after',
      `\nA line \`src => dst : conns\` is an allowed connection: a workload is namespace/name[Kind] (ReplicaSets and Jobs folded into their Deployment or CronJob), an address range outside the cluster is a-b[External] (pod IPs are not known offline: ipBlocks match only these ranges, never pods), the ingress controller is {ingress-controller}.\n${STORE_HELP}\n\nSubcommands: \`network diff BEFORE AFTER\` or \`network diff --cluster NAME --since 30d\` (connections added, removed and changed), \`network suggest PATH...\` (NetworkPolicies for namespaces without any). A path named like a subcommand is written ./diff.\n`,
    )
    .action(async (paths: string[], opts: StoreSource & { exposure?: boolean; focusWorkload?: string; output: string; out?: string; maxFileSize: string }) => {
      const format = oneOf<NetworkFormat>('--output', opts.output, NETWORK_FORMATS);
      if (opts.focusWorkload !== undefined && opts.focusWorkload.trim() === '') throw new UsageError('--focus-workload needs a workload name');
      if (storeForm(paths, opts)) {
        const stored = await withHistory(opts, (history) => storedNetwork(history, opts));
        if (stored) await writeText(formatNetwork(stored, format), opts.out);
        return;
      }
      if (paths.length === 0) throw new UsageError('give manifest paths, or --cluster NAME to read the connectivity stored by scans (see --help)');
      const loaded = await loadManifests(paths, { maxFileBytes: parseByteSize('--max-file-size', opts.maxFileSize) });
      const analysis = analyzeSnapshot(loaded.snapshot, { exposure: opts.exposure === true, ...(opts.focusWorkload ? { focusWorkload: opts.focusWorkload } : {}) });
      await writeText(formatNetwork(analysis, format), opts.out);
      await reportInputs([loaded], [...analysis.problems, ...cappedNote(analysis)]);
    });

  network
    .command('diff')
    .description('connections added, removed and changed between two sets of manifests, or between stored scans of a cluster (`+`, `-`, `~` lines)')
    .argument('[before]', 'file or directory: the connectivity before')
    .argument('[after]', 'file or directory: the connectivity after')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--cluster <name>', 'compare stored scans of this cluster instead of manifests')
    .option('--since <when>', 'with --cluster: from the connectivity held at this time (a duration back from now, 30d, or a date; the oldest within it when none was held then)')
    .option('--run <id>', 'with --cluster: a run to compare (twice: from one to the other; once: from it to the newest, or with --since the end of the window)', repeat)
    .option('--log-level <level>', 'log level on stderr (store form)')
    .option('-o, --output <format>', DIFF_FORMATS.join(', '), 'txt')
    .option('--out <path>', 'file to write; stdout when absent')
    .option('--max-file-size <size>', MAX_FILE_SIZE_HELP, '64MiB')
    .action(async (before: string | undefined, after: string | undefined, opts: StoreSource & { since?: string; output: string; out?: string; maxFileSize: string }) => {
      const format = oneOf('--output', opts.output, DIFF_FORMATS);
      const paths = [before, after].filter((p): p is string => p !== undefined);
      if (storeForm(paths, opts)) {
        const d = await withHistory(opts, (history) => storedDiff(history, opts));
        if (d) await writeText(format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : formatDiff(d, format), opts.out);
        return;
      }
      if (opts.since !== undefined) throw new UsageError('--since compares stored scans: name the cluster with --cluster NAME');
      if (before === undefined || after === undefined) throw new UsageError('network diff: give BEFORE and AFTER paths, or --cluster NAME with --since or --run');
      const maxFileBytes = parseByteSize('--max-file-size', opts.maxFileSize);
      const [a, b] = [await loadManifests([before], { maxFileBytes }), await loadManifests([after], { maxFileBytes })];
      const [was, now] = [analyzeSnapshot(a.snapshot), analyzeSnapshot(b.snapshot)];
      await writeText(formatDiff(diffConnections(was.connections, now.connections), format), opts.out);
      await reportInputs([a, b], [...was.problems.map((p) => `${before}: ${p}`), ...now.problems.map((p) => `${after}: ${p}`)]);
    });

  network
    .command('suggest')
    .description('NetworkPolicies for namespaces without any: default deny, DNS, and the allows their Services, Ingresses and container ports imply; shows what they would cut')
    .argument('<paths...>', 'files or directories (*.yaml, *.yml, *.json)')
    .option('-n, --namespace <name>', 'only this namespace; repeat for several (default: every namespace of the input with workloads and no NetworkPolicy, system namespaces excepted)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('-o, --output <format>', SUGGEST_FORMATS.join(', '), 'yaml')
    .option('--out <path>', 'file to write the policies to; stdout when absent (the effect then goes to stderr)')
    .option('--max-file-size <size>', MAX_FILE_SIZE_HELP, '64MiB')
    .addHelpText('after', '\nThe suggestion is run back through the analysis: the connections it would cut (`-`), open (`+`) or narrow (`~`) are printed after the policies, to stderr when the policies go to stdout, so `complyd network suggest dir/ | kubectl apply -f -` applies only the policies.\n')
    .action(async (paths: string[], opts: { namespace?: string[]; output: string; out?: string; maxFileSize: string }) => {
      const format = oneOf('--output', opts.output, SUGGEST_FORMATS);
      const loaded = await loadManifests(paths, { maxFileBytes: parseByteSize('--max-file-size', opts.maxFileSize) });
      const model = networkModel(loaded.snapshot);
      const result = suggestPolicies(model, opts.namespace ?? []);
      const manifests = result.suggestions.flatMap((s) => s.policies.map((p) => p.manifest));
      const today = analyzeNetwork(model);
      const suggested = analyzeSnapshot(withObjects(loaded.snapshot, { networkpolicies: manifests }));
      if (manifests.length > 0) await writeText(formatSuggestion(result, format), opts.out);
      const effect = [
        ...result.skipped.map((s) => `not suggested: ${s}\n`),
        manifests.length === 0
          ? opts.namespace
            ? 'nothing suggested for the namespaces named\n'
            : 'no namespace to suggest policies for: every namespace with workloads has NetworkPolicies (or name one with -n)\n'
          : `effect on connectivity of ${manifests.length} policies for ${result.suggestions.map((s) => s.namespace).join(', ')}:\n${formatDiffText(diffConnections(today.connections, suggested.connections))}`,
      ];
      await writeAll(opts.out ? process.stdout : process.stderr, effect);
      await reportInputs([loaded], today.problems);
    });
}
