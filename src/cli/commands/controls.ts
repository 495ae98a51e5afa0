import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { CATALOG_VERSION, controlsFor } from '../../controls/index.js';
import { withCustomControls } from '../../controls/custom.js';
import { loadConfig } from '../../config/load.js';
import { FRAMEWORKS, type Framework } from '../../core/control.js';
import { catalogCsv, catalogEntries, catalogMarkdown } from '../../controls/catalog-export.js';
import { UsageError } from '../../core/errors.js';
import { table } from '../format.js';
import { addOutputOption, emit, OUT_HELP, outputFormat } from '../output-option.js';

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
    .option('-f, --framework <name>', `only controls of one framework (${FRAMEWORKS.join(', ')})`)
    .option('-c, --config <file>', 'also list the custom controls of this configuration (controls.dirs)');
  addOutputOption(cmd, FORMATS, 'text', 'format')
    .option('--out <path>', OUT_HELP)
    .action(async (opts: { framework?: string; out?: string; config?: string }) => {
      const format = outputFormat(cmd, FORMATS);
      const framework = parseFramework(opts.framework);
      const catalog = opts.config ? withCustomControls(loadConfig(opts.config).customControls) : controlsFor();
      const entries = catalogEntries(framework ? catalog.filter((c) => c.frameworks.includes(framework)) : catalog);
      await emit(opts.out, render(format, entries));
    });
}

function render(format: (typeof FORMATS)[number], entries: ReturnType<typeof catalogEntries>): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(entries, null, 2)}\n`;
    case 'csv':
      return catalogCsv(entries);
    case 'md':
      return catalogMarkdown(entries, CATALOG_VERSION);
    case 'text': {
      const rows = entries.map((e) => [e.id, e.severity, e.mode, e.exportable ? 'yes' : '-', e.frameworks.join(','), e.title]);
      const exportable = entries.filter((e) => e.exportable).length;
      return `${table(['ID', 'SEVERITY', 'MODE', 'EXPORT', 'FRAMEWORKS', 'TITLE'], rows)}\n\n${entries.length} controls, ${exportable} exportable as admission policies (complyd policy export)\n`;
    }
  }
}
