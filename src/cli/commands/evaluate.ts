import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { CONTROLS, controlsFor } from '../../controls/index.js';
import { evaluate } from '../../evaluate/evaluate.js';
import { countStatuses } from '../../core/status.js';
import { loadManifests, type EmptyPath } from '../../collect/manifests.js';
import type { Finding, ResourceRef, SourceLocation, Status } from '../../core/types.js';
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
import { complydVersion } from '../../config/version.js';
import { collectList, namespaceFlags, parseSeverities, selectControls } from '../selection.js';
import { fileFormatPieces, parseEvaluateFormat, withOutput } from '../evaluate-formats.js';
import { applyEvaluateExceptions, loadEvaluateExceptions } from '../evaluate-exceptions.js';
import type { EvaluateProblem } from '../../report/evaluate-model.js';
import { evaluatedFindings } from '../evaluate-findings.js';
import { resourceInScope } from '../../core/namespace-scope.js';

interface EvaluateOptions extends GateFlags {
  framework?: string;
  output: string;
  status: string;
  maxFileSize: string;
  namespace: string;
  out?: string;
  quiet?: boolean;
  control?: string[];
  skipControl?: string[];
  severity?: string[];
  exceptions?: string[];
  clusterName?: string;
  includeNamespaces?: string[];
  excludeNamespaces?: string[];
}

/** The findings as the gates read them, one at a time (a large input has millions), each with the place its object was read. */
function* withFingerprints(findings: readonly Finding[], locate: (ref: ResourceRef) => SourceLocation | undefined): Generator<Finding & { fingerprint: string; source?: SourceLocation }> {
  for (const f of findings) {
    // Only a failure can be named by a gate.
    const source = f.status !== 'fail' || f.resource.kind === 'Cluster' ? undefined : locate(f.resource);
    yield { ...f, fingerprint: fingerprint(f), ...(source && { source }) };
  }
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
    .option('-o, --output <format>', 'text, json, sarif, junit or md', 'text')
    .option('--status <list>', 'statuses to print, comma-separated', 'fail,unknown,error')
    .option('-n, --namespace <name>', 'namespace of objects that name none, as kubectl apply -n', 'default')
    .option('--include-namespaces <list>', 'only findings in these namespaces: names or * globs (repeatable, or comma-separated); cluster-scoped findings are always kept', collectList)
    .option('--exclude-namespaces <list>', 'no findings in these namespaces: names or * globs (repeatable, or comma-separated)', collectList)
    .option('--control <ids>', 'run only these controls: ids or patterns such as CIS-5.2.* (repeatable, or comma-separated)', collectList)
    .option('--skip-control <ids>', 'do not run these controls: ids or patterns (repeatable, or comma-separated)', collectList)
    .option('--severity <list>', 'only findings of these severities (critical,high,medium,low,info)', collectList)
    .option('--exceptions <file...>', 'exceptions file or directory to apply (repeatable)')
    .option('--cluster-name <name>', 'the cluster the manifests are for: exceptions scoped to clusters by name apply when they name it (without it, only exceptions with no cluster scope apply)')
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
      const format = parseEvaluateFormat(opts.output);
      const maxFileBytes = parseByteSize('--max-file-size', opts.maxFileSize);
      const controls = selectControls(controlsFor(parseFramework(opts.framework)), { only: opts.control, skip: opts.skipControl }, CONTROLS);
      const severities = parseSeverities(opts.severity);
      const exceptions = loadEvaluateExceptions(opts.exceptions ?? []);
      const namespaces = namespaceFlags(opts);
      const inScope = resourceInScope(namespaces);

      const baseline = await requestedBaseline(gates);
      const { snapshot, skipped, skippedPaths, unreadable, empty, locate } = await loadManifests(paths, { maxFileBytes, namespace: opts.namespace });
      if (opts.clusterName !== undefined) snapshot.cluster = opts.clusterName;
      // Without a single object there is nothing to judge: no verdict at all, rather than the
      // passes an empty input would earn (a clean result from input that was not read).
      const objectsRead = Object.values(snapshot.objects).reduce((n, list) => n + (list?.length ?? 0), 0);
      const now = new Date();
      const judged = objectsRead > 0 ? evaluate(snapshot, controls, now) : [];
      applyEvaluateExceptions(judged, exceptions, snapshot, opts.clusterName !== undefined, now);
      const findings = evaluatedFindings(judged, locate, { severities, inScope });
      const shown = findings.filter((f) => statuses.includes(f.status));
      const counts = countStatuses(findings);
      const notRead = unreadable.length + empty.length;
      // The gates judge every finding of the selected namespaces, whatever --status or --severity show.
      const gated = inScope ? judged.filter((f) => inScope(f.resource)) : judged;
      const gate = judgeRequest(gates, { findings: withFingerprints(gated, locate), score: scoreOfFindings(gated) }, baseline);
      const notReadPaths = [...unreadable.map((e) => e.file), ...empty.map((e) => e.path)];
      const quiet = opts.quiet === true;

      if (format === 'sarif' || format === 'junit' || format === 'md') {
        const problems: EvaluateProblem[] = [
          ...unreadable.map((e) => ({ file: e.file, ...(e.doc === undefined ? {} : { document: e.doc }), ...(e.line === undefined ? {} : { line: e.line }), message: e.message })),
          ...empty.map((e) => ({ file: e.path, message: emptyMessage(e) })),
        ];
        const result = { complydVersion: complydVersion(), generatedAt: now.toISOString(), controls, findings, exceptions, problems, statuses: new Set(statuses) };
        await withOutput(opts.out, (out) => writeAll(out, fileFormatPieces(format, result)));
        await writeAll(process.stderr, problems.map((p) => `complyd: ${p.message}\n`));
        if (opts.out) say.note(`wrote ${opts.out}`);
        process.exitCode = finishGated(gate, { notAssessed: notReadPaths, text: true });
        return;
      }
      if (format === 'json') {
        await withOutput(opts.out, (out) =>
          writeAll(
            out,
            jsonDocument(shown, {
              counts,
              ...(namespaces ? { namespaces } : {}),
              skipped,
              skippedPaths,
              unreadable: unreadable.map((e) => ({ file: e.file, ...(e.doc === undefined ? {} : { document: e.doc }), ...(e.line === undefined ? {} : { line: e.line }), message: e.message })),
              empty: empty.map((e) => ({ ...e, message: emptyMessage(e) })),
              ...(gate && { gate: gateJson(gate, baseline?.source) }),
            }),
          ),
        );
        process.exitCode = finishGated(gate, { notAssessed: notReadPaths, text: false });
        return;
      }
      const summary =
        objectsRead === 0 ? 'nothing judged: no Kubernetes object was read' : Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'no findings';
      const incomplete = notRead > 0 ? `; INCOMPLETE: ${notRead} input${notRead === 1 ? '' : 's'} not read or empty (see above)` : '';
      await withOutput(opts.out, async (out) => {
        if (shown.length > 0) await writeAll(out, [...textTable(shown), '\n']);
        if (opts.out !== undefined) await writeAll(out, [`${summary}${incomplete}\n`]);
      });
      await writeAll(process.stderr, (function* () {
        // Notes on what was not judged: left out with --quiet.
        if (!quiet) for (const s of skipped) yield `skipped ${s.file} document ${s.doc} (${s.kind}): ${s.reason}\n`;
        if (!quiet) for (const s of skippedPaths) yield `skipped ${s.path}: ${s.reason}\n`;
        for (const e of unreadable) yield `complyd: ${e.message}\n`;
        for (const e of empty) yield `complyd: ${emptyMessage(e)}\n`;
      })());
      process.stdout.write(`${summary}${incomplete}\n`);
      if (opts.out) say.note(`wrote ${opts.out}`);
      // Last, so a CI log ends with why the step failed.
      process.exitCode = finishGated(gate, { notAssessed: notReadPaths, text: true });
    });
}
