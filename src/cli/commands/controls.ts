import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { CATALOG_VERSION, controlsFor } from '../../controls/index.js';
import { FRAMEWORKS, type Framework } from '../../core/control.js';
import { catalogCsv, catalogEntries, catalogMarkdown } from '../../controls/catalog-export.js';
import { UsageError } from '../../core/errors.js';
import { table } from '../format.js';
import { addOutputOption, outputFormat } from '../output-option.js';

export function parseFramework(value: string | undefined): Framework | undefined {
  if (value === undefined) return undefined;
  if (!(FRAMEWORKS as readonly string[]).includes(value)) throw new UsageError(`--framework must be one of ${FRAMEWORKS.join(', ')}, not "${value}"`);
  return value as Framework;
}

const FORMATS = ['text', 'json', 'csv', 'md'] as const;

export function registerControls(program: Command): void {
  const cmd = program
    .command('controls')
    .description(COMMAND_SUMMARIES.controls.summary)
    .option('-f, --framework <name>', `only controls of one framework (${FRAMEWORKS.join(', ')})`);
  addOutputOption(cmd, FORMATS, 'text', 'format')
    .action((opts: { framework?: string }) => {
      const format = outputFormat(cmd, FORMATS);
      const entries = catalogEntries(controlsFor(parseFramework(opts.framework)));
      switch (format) {
        case 'json':
          process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
          return;
        case 'csv':
          process.stdout.write(catalogCsv(entries));
          return;
        case 'md':
          process.stdout.write(catalogMarkdown(entries, CATALOG_VERSION));
          return;
        case 'text': {
          const rows = entries.map((e) => [e.id, e.severity, e.mode, e.frameworks.join(','), e.title]);
          process.stdout.write(`${table(['ID', 'SEVERITY', 'MODE', 'FRAMEWORKS', 'TITLE'], rows)}\n\n${entries.length} controls\n`);
          return;
        }
      }
    });
}
