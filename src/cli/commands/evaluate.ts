import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { controlsFor } from '../../controls/index.js';
import { evaluate } from '../../evaluate/evaluate.js';
import { countStatuses } from '../../core/status.js';
import { loadManifests } from '../../collect/manifests.js';
import type { Finding, Status } from '../../core/types.js';
import { STATUSES } from '../../core/types.js';
import { UsageError } from '../../core/errors.js';
import { table } from '../format.js';
import { parseFramework } from './controls.js';

function resourceName(f: Finding): string {
  const r = f.resource;
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.container ? ` [${r.container}]` : ''}`;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(COMMAND_SUMMARIES.evaluate.summary)
    .argument('<paths...>', 'files or directories (*.yaml, *.yml, *.json, searched recursively)')
    .option('-f, --framework <name>', 'only controls of one framework')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--status <list>', 'statuses to print, comma-separated', 'fail,unknown,error')
    .action(async (paths: string[], opts: { framework?: string; output: string; status: string }) => {
      const statuses = opts.status.split(',').map((s) => s.trim()) as Status[];
      const bad = statuses.filter((s) => !STATUSES.includes(s));
      if (bad.length > 0) throw new UsageError(`--status: unknown status ${bad.join(', ')} (use ${STATUSES.join(', ')})`);
      const { snapshot, skipped } = await loadManifests(paths);
      const findings = evaluate(snapshot, controlsFor(parseFramework(opts.framework)), new Date());
      const shown = findings.filter((f) => statuses.includes(f.status));
      const counts = countStatuses(findings);
      if (opts.output === 'json') {
        const out = shown.map((f) => ({ resource: f.resource, controlId: f.controlId, severity: f.severity, status: f.status, evidence: f.evidence, message: f.message }));
        process.stdout.write(`${JSON.stringify({ findings: out, counts, skipped }, null, 2)}\n`);
        return;
      }
      if (opts.output !== 'text') throw new UsageError(`--output must be text or json, not "${opts.output}"`);
      const rows = shown.map((f) => [resourceName(f), f.controlId, f.status, f.evidence ? `${f.evidence.path} = ${f.evidence.observed} (expected ${f.evidence.expected})` : (f.message ?? '')]);
      if (rows.length > 0) process.stdout.write(`${table(['RESOURCE', 'CONTROL', 'STATUS', 'EVIDENCE'], rows)}\n\n`);
      for (const s of skipped) process.stderr.write(`skipped ${s.file} document ${s.doc} (${s.kind}): ${s.reason}\n`);
      process.stdout.write(`${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'no findings'}\n`);
    });
}
