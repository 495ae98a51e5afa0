import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { controlsFor } from '../../controls/index.js';
import { evaluate } from '../../evaluate/evaluate.js';
import { countStatuses } from '../../core/status.js';
import { loadManifests, type EmptyPath } from '../../collect/manifests.js';
import type { Finding, Status } from '../../core/types.js';
import { STATUSES } from '../../core/types.js';
import { UsageError } from '../../core/errors.js';
import { parseByteSize } from '../byte-size.js';
import { jsonDocument, textTable, writeAll } from '../evaluate-output.js';
import { parseFramework } from './controls.js';
import { EXIT } from '../exit-codes.js';
import { addGateOptions, finishGated, gateJson, judgeRequest, parseGateFlags, requestedBaseline, type GateFlags } from '../gate-options.js';
import { scoreOfFindings } from '../../score/gates.js';
import { fingerprint } from '../../core/fingerprint.js';
import { progress, QUIET_HELP } from '../progress.js';
import { destination } from '../output-option.js';

interface EvaluateOptions extends GateFlags {
  framework?: string;
  output: string;
  status: string;
  maxFileSize: string;
  namespace: string;
  out?: string;
  quiet?: boolean;
}

/** The findings as the gates read them, one at a time: a large input has millions. */
function* withFingerprints(findings: readonly Finding[]): Generator<Finding & { fingerprint: string }> {
  for (const f of findings) yield { ...f, fingerprint: fingerprint(f) };
}

function emptyMessage(e: EmptyPath): string {
  return e.skipped > 0
    ? `no Kubernetes objects complyd judges found in ${e.path} (${e.skipped} skipped)`
    : `no Kubernetes objects found in ${e.path}`;
}

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description(COMMAND_SUMMARIES.evaluate.summary)
    .argument('<paths...>', 'files or directories (*.yaml, *.yml, *.json, searched recursively, symbolic links followed)')
    .option('-f, --framework <name>', 'only controls of one framework')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--status <list>', 'statuses to print, comma-separated', 'fail,unknown,error')
    .option('-n, --namespace <name>', 'namespace of objects that name none, as kubectl apply -n', 'default')
    .option('--max-file-size <size>', 'larger manifest files are not read, and reported (KiB, MiB, GiB)', '64MiB')
    .option('--out <path>', 'write the findings to this file instead of stdout')
    .option('-q, --quiet', QUIET_HELP);
  addGateOptions(cmd, 'with --fail-on-new: a JSON file written by `evaluate -o json`; only failures whose fingerprint it lacks count');
  cmd
    .addHelpText(
      'after',
      `
Some input not read or empty makes the exit status ${EXIT.notAssessed} (the rest is still judged); a failed gate makes it
${EXIT.gateFailed}, and the reason is the last line on stderr. The gates count every failing finding, whatever --status shows.`,
    )
    .action(async (paths: string[], opts: EvaluateOptions) => {
      const gates = parseGateFlags(opts);
      const say = progress({ quiet: opts.quiet ?? false });
      const statuses = opts.status.split(',').map((s) => s.trim()) as Status[];
      const bad = statuses.filter((s) => !STATUSES.includes(s));
      if (bad.length > 0) throw new UsageError(`--status: unknown status ${bad.join(', ')} (use ${STATUSES.join(', ')})`);
      if (opts.output !== 'text' && opts.output !== 'json') throw new UsageError(`--output must be text or json, not "${opts.output}"`);
      const maxFileBytes = parseByteSize('--max-file-size', opts.maxFileSize);
      const controls = controlsFor(parseFramework(opts.framework));

      const baseline = await requestedBaseline(gates);
      const { snapshot, skipped, skippedPaths, unreadable, empty } = await loadManifests(paths, { maxFileBytes, namespace: opts.namespace });
      // Without a single object there is nothing to judge: no verdict at all, rather than the
      // passes an empty input would earn (a clean result from input that was not read).
      const objectsRead = Object.values(snapshot.objects).reduce((n, list) => n + (list?.length ?? 0), 0);
      const findings = objectsRead > 0 ? evaluate(snapshot, controls, new Date()) : [];
      const shown = findings.filter((f) => statuses.includes(f.status));
      const counts = countStatuses(findings);
      const notRead = unreadable.length + empty.length;
      const gate = judgeRequest(gates, { findings: withFingerprints(findings), score: scoreOfFindings(findings) }, baseline);
      const notReadPaths = [...unreadable.map((e) => e.file), ...empty.map((e) => e.path)];
      const out = destination(opts.out);

      if (opts.output === 'json') {
        await writeAll(
          out.stream,
          jsonDocument(shown, {
            counts,
            skipped,
            skippedPaths,
            unreadable: unreadable.map((e) => ({ file: e.file, ...(e.doc === undefined ? {} : { document: e.doc }), ...(e.line === undefined ? {} : { line: e.line }), message: e.message })),
            empty: empty.map((e) => ({ ...e, message: emptyMessage(e) })),
            ...(gate && { gate: gateJson(gate, baseline?.source) }),
          }),
        );
        await out.close();
        process.exitCode = finishGated(gate, { notAssessed: notReadPaths, text: false });
        return;
      }
      if (shown.length > 0) await writeAll(out.stream, [...textTable(shown), '\n']);
      const quiet = opts.quiet === true;
      await writeAll(process.stderr, (function* () {
        // Notes on what was not judged: left out with --quiet.
        if (!quiet) for (const s of skipped) yield `skipped ${s.file} document ${s.doc} (${s.kind}): ${s.reason}\n`;
        if (!quiet) for (const s of skippedPaths) yield `skipped ${s.path}: ${s.reason}\n`;
        for (const e of unreadable) yield `complyd: ${e.message}\n`;
        for (const e of empty) yield `complyd: ${emptyMessage(e)}\n`;
      })());
      const summary =
        objectsRead === 0 ? 'nothing judged: no Kubernetes object was read' : Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'no findings';
      const incomplete = notRead > 0 ? `; INCOMPLETE: ${notRead} input${notRead === 1 ? '' : 's'} not read or empty (see above)` : '';
      await writeAll(out.stream, [`${summary}${incomplete}\n`]);
      await out.close();
      if (opts.out) say.note(`wrote ${opts.out}`);
      // Last, so a CI log ends with why the step failed.
      process.exitCode = finishGated(gate, { notAssessed: notReadPaths, text: true });
    });
}
