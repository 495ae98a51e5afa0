import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

// CommonJS packages: under NodeNext the default import is module.exports, which holds `default`.
const AjvDraft04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

/**
 * The SARIF 2.1.0 JSON schema as shipped on npm by Microsoft's SARIF SDK
 * (@microsoft/jest-sarif, lib/schemas/sarif-2.1.0-rtm.5.json: the schema of the 2.1.0 release,
 * written in JSON Schema draft-04), compiled with ajv's draft-04 support and its formats.
 */
export function sarifValidator(): (data: unknown) => { valid: boolean; errors: string } {
  const require = createRequire(import.meta.url);
  const path = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // The schema's `language` pattern has a stray "]" that only a non-unicode RegExp accepts.
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (data) => {
    const valid = validate(data);
    return { valid, errors: ajv.errorsText(validate.errors) };
  };
}
