import type { Command } from 'commander';
import { controlsFor } from '../../controls/index.js';
import { FRAMEWORKS, type Framework } from '../../controls/define.js';
import { UsageError } from '../../core/errors.js';
import { table } from '../format.js';

export function parseFramework(value: string | undefined): Framework | undefined {
  if (value === undefined) return undefined;
  if (!(FRAMEWORKS as readonly string[]).includes(value)) throw new UsageError(`--framework must be one of ${FRAMEWORKS.join(', ')}, not "${value}"`);
  return value as Framework;
}

export function registerControls(program: Command): void {
  program
    .command('controls')
    .description('list the controls complyd evaluates')
    .option('-f, --framework <name>', `only controls of one framework (${FRAMEWORKS.join(', ')})`)
    .option('-o, --output <format>', 'text or json', 'text')
    .action((opts: { framework?: string; output: string }) => {
      const controls = controlsFor(parseFramework(opts.framework));
      if (opts.output === 'json') {
        const rows = controls.map(({ evaluate, ...meta }) => ({ ...meta, automated: Boolean(evaluate) }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (opts.output !== 'text') throw new UsageError(`--output must be text or json, not "${opts.output}"`);
      const rows = controls.map((c) => [c.id, c.severity, c.evaluate ? 'automated' : 'manual', c.frameworks.join(','), c.title]);
      process.stdout.write(`${table(['ID', 'SEVERITY', 'MODE', 'FRAMEWORKS', 'TITLE'], rows)}\n\n${controls.length} controls\n`);
    });
}
