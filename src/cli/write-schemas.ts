/**
 * `npm run schemas`: writes the published JSON Schemas into schemas/ from the zod schemas
 * they are generated from (a test fails when the files are stale).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configJsonSchema } from '../config/json-schema.js';
import { REPORT_SCHEMA_ID, reportSchema } from '../report/report-schema.js';

export const SCHEMA_FILES = {
  'complyd.config.schema.json': () => configJsonSchema(),
  'complyd.report.v1.schema.json': () => ({
    ...z.toJSONSchema(reportSchema, { io: 'output', target: 'draft-2020-12' }),
    $id: REPORT_SCHEMA_ID,
    title: 'complyd JSON report (complyd.report/v1)',
  }),
} as const;

/** The file's text: pretty, with a final newline, as committed. */
export function schemaText(name: keyof typeof SCHEMA_FILES): string {
  return `${JSON.stringify(SCHEMA_FILES[name](), null, 2)}\n`;
}

export function writeSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return (Object.keys(SCHEMA_FILES) as Array<keyof typeof SCHEMA_FILES>).map((name) => {
    writeFileSync(join(dir, name), schemaText(name));
    return join(dir, name);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of writeSchemas(process.argv[2] ?? 'schemas')) process.stdout.write(`wrote ${file}\n`);
}
