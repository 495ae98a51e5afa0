import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { loadManifests, type EmptyPath } from '../../collect/manifests.js';
import { analyzeSnapshot } from '../../evaluate/network/analyze.js';
import { formatNetwork, NETWORK_FORMATS, type NetworkFormat } from '../../evaluate/network/format.js';
import { AppError, UsageError } from '../../core/errors.js';
import { parseByteSize } from '../byte-size.js';
import { writeAll } from '../evaluate-output.js';
import { EXIT } from '../exit-codes.js';

function emptyMessage(e: EmptyPath): string {
  return e.skipped > 0 ? `no Kubernetes objects complyd reads found in ${e.path} (${e.skipped} skipped)` : `no Kubernetes objects found in ${e.path}`;
}

export function registerNetwork(program: Command): void {
  program
    .command('network')
    .description(COMMAND_SUMMARIES.network.summary)
    .argument('<paths...>', 'files or directories (*.yaml, *.yml, *.json, searched recursively, symbolic links followed)')
    .option('--exposure', 'also list what each workload is open to beyond the workloads of the input: the entire cluster, pods of namespaces or labels not in the input, external ranges, Services of type LoadBalancer/NodePort')
    .option('--focus-workload <name>', 'only connections with this workload at one end (name or namespace/name; ingress-controller for the ingress controller)')
    .option('-o, --output <format>', `${NETWORK_FORMATS.join(', ')}`, 'txt')
    .option('--out <path>', 'file to write; stdout when absent')
    .option('--max-file-size <size>', 'larger manifest files are not read, and reported (KiB, MiB, GiB)', '64MiB')
    .addHelpText(
      'after',
      `\nA line \`src => dst : conns\` is an allowed connection: a workload is namespace/name[Kind] (ReplicaSets and Jobs folded into their Deployment or CronJob), an address range outside the cluster is a-b[External] (pod IPs are not known offline: ipBlocks match only these ranges, never pods), the ingress controller is {ingress-controller}.\n`,
    )
    .action(async (paths: string[], opts: { exposure?: boolean; focusWorkload?: string; output: string; out?: string; maxFileSize: string }) => {
      if (!(NETWORK_FORMATS as readonly string[]).includes(opts.output)) throw new UsageError(`--output must be one of ${NETWORK_FORMATS.join(', ')}, not "${opts.output}"`);
      if (opts.focusWorkload !== undefined && opts.focusWorkload.trim() === '') throw new UsageError('--focus-workload needs a workload name');
      const maxFileBytes = parseByteSize('--max-file-size', opts.maxFileSize);
      const { snapshot, skipped, skippedPaths, unreadable, empty } = await loadManifests(paths, { maxFileBytes });
      const analysis = analyzeSnapshot(snapshot, { exposure: opts.exposure === true, ...(opts.focusWorkload ? { focusWorkload: opts.focusWorkload } : {}) });
      const text = formatNetwork(analysis, opts.output as NetworkFormat);
      if (opts.out) {
        try {
          await writeFile(opts.out, text);
        } catch (err) {
          throw new AppError('OUTPUT', `--out ${opts.out}: cannot write: ${(err as Error).message}`, { cause: err });
        }
      } else await writeAll(process.stdout, [text]);
      const notRead = unreadable.length + empty.length;
      if (notRead > 0) process.exitCode = EXIT.notAssessed;
      await writeAll(process.stderr, (function* () {
        for (const s of skipped) yield `skipped ${s.file} document ${s.doc} (${s.kind}): ${s.reason}\n`;
        for (const s of skippedPaths) yield `skipped ${s.path}: ${s.reason}\n`;
        for (const e of unreadable) yield `complyd: ${e.message}\n`;
        for (const e of empty) yield `complyd: ${emptyMessage(e)}\n`;
        for (const p of analysis.problems) yield `complyd: ${p}\n`;
        if (notRead > 0) yield `complyd: INCOMPLETE: ${notRead} input${notRead === 1 ? '' : 's'} not read or empty (see above)\n`;
      })());
    });
}
