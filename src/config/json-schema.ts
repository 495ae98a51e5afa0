/**
 * complyd.yaml as JSON Schema, generated from the zod schema that validates it, for editors
 * (`# yaml-language-server: $schema=...`). What JSON Schema cannot say (a cron expression's
 * fields, a duration's range, names unique across lists) is still checked by complyd itself;
 * durations and sizes are described as strings with a unit.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

export const CONFIG_SCHEMA_ID = 'https://complyd.dev/schemas/complyd.config.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, {
    // The file as written (before defaults and transforms), which is what an editor sees.
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return { ...generated, $id: CONFIG_SCHEMA_ID, title: 'complyd configuration (complyd.yaml)' };
}
