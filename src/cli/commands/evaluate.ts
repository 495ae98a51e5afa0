import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { controlsFor } from '../../controls/index.js';
import { evaluate } from '../../evaluate/evaluate.js';
import { countStatuses } from '../../core/status.js';
import { loadManifests, type EmptyPath } from '../../collect/manifests.js';
import type { Status } from '../../core/types.js';
import { STATUSES } from '../../core/types.js';
import { UsageError } from '../../core/errors.js';
import { parseByteSize } from '../byte-size.js';
import { jsonDocument, textTable, writeAll } from '../evaluate-output.js';
import { parseFramework } from './controls.js';

/** Exit status when some input could not be read or held no Kubernetes object: the findings are not the whole picture. */
export const EXIT_INPUT_NOT_READ = 3;

function emptyMessage(e: EmptyPath): string {
  return e.skipped > 0
    ? `no Kubernetes objects complyd judges found in ${e.path} (${e.skipped} skipped)`
    : `no Kubernetes objects found in ${e.path}`;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(COMMAND_SUMMARIES.evaluate.summary)
    .argument('<paths...>', 'files or directories (*.yaml, *.yml, *.json, searched recursively, symbolic links followed)')
    .option('-f, --framework <name>', 'only controls of one framework')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--status <list>', 'statuses to print, comma-separated', 'fail,unknown,error')
    .option('-n, --namespace <name>', 'namespace of objects that name none, as kubectl apply -n', 'default')
    .option('--max-file-size <size>', 'larger manifest files are not read, and reported (KiB, MiB, GiB)', '64MiB')
    .addHelpText('after', `\nExit status: 0 when every input was read, ${EXIT_INPUT_NOT_READ} when some input could not be read or held no Kubernetes object (the rest is still judged), 2 for a usage error, 1 otherwise.`)
    .action(async (paths: string[], opts: { framework?: string; output: string; status: string; maxFileSize: string; namespace: string }) => {
      const statuses = opts.status.split(',').map((s) => s.trim()) as Status[];
      const bad = statuses.filter((s) => !STATUSES.includes(s));
      if (bad.length > 0) throw new UsageError(`--status: unknown status ${bad.join(', ')} (use ${STATUSES.join(', ')})`);
      if (opts.output !== 'text' && opts.output !== 'json') throw new UsageError(`--output must be text or json, not "${opts.output}"`);
      const maxFileBytes = parseByteSize('--max-file-size', opts.maxFileSize);
      const controls = controlsFor(parseFramework(opts.framework));

      const { snapshot, skipped, skippedPaths, unreadable, empty } = await loadManifests(paths, { maxFileBytes, namespace: opts.namespace });
      // Without a single object there is nothing to judge: no verdict at all, rather than the
      // passes an empty input would earn (a clean result from input that was not read).
      const objectsRead = Object.values(snapshot.objects).reduce((n, list) => n + (list?.length ?? 0), 0);
      const findings = objectsRead > 0 ? evaluate(snapshot, controls, new Date()) : [];
      const shown = findings.filter((f) => statuses.includes(f.status));
      const counts = countStatuses(findings);
      const notRead = unreadable.length + empty.length;
      if (notRead > 0) process.exitCode = EXIT_INPUT_NOT_READ;

      if (opts.output === 'json') {
        await writeAll(
          process.stdout,
          jsonDocument(shown, {
            counts,
            skipped,
            skippedPaths,
            unreadable: unreadable.map((e) => ({ file: e.file, ...(e.doc === undefined ? {} : { document: e.doc }), ...(e.line === undefined ? {} : { line: e.line }), message: e.message })),
            empty: empty.map((e) => ({ ...e, message: emptyMessage(e) })),
          }),
        );
        return;
      }
      if (shown.length > 0) await writeAll(process.stdout, [...textTable(shown), '\n']);
      await writeAll(process.stderr, (function* () {
        for (const s of skipped) yield `skipped ${s.file} document ${s.doc} (${s.kind}): ${s.reason}\n`;
        for (const s of skippedPaths) yield `skipped ${s.path}: ${s.reason}\n`;
        for (const e of unreadable) yield `complyd: ${e.message}\n`;
        for (const e of empty) yield `complyd: ${emptyMessage(e)}\n`;
      })());
      const summary =
        objectsRead === 0 ? 'nothing judged: no Kubernetes object was read' : Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'no findings';
      const incomplete = notRead > 0 ? `; INCOMPLETE: ${notRead} input${notRead === 1 ? '' : 's'} not read or empty (see above)` : '';
      process.stdout.write(`${summary}${incomplete}\n`);
    });
}
