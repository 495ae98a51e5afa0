/** PDF templates: `templates/<name>/template.json`, validated. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../config/version.js';

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'use a hex colour such as #1f3a5f');

const templateSchema = z
  .object({
    /** Shown on the cover, in the running header and as the PDF author. */
    organisation: z.string().min(1).max(120),
    title: z.string().min(1).max(120),
    pageSize: z.enum(['A4', 'A3', 'LETTER', 'LEGAL']),
    /** Points (1/72 inch). Top and bottom hold the running header and footer. */
    margins: z
      .object({
        top: z.number().min(50).max(144),
        bottom: z.number().min(50).max(144),
        left: z.number().min(24).max(144),
        right: z.number().min(24).max(144),
      })
      .strict(),
    footerText: z.string().max(200),
    /** An SVG file beside template.json, drawn on the cover (vector, like the charts). */
    logo: z.string().regex(/\.svg$/i, 'the logo must be an .svg file').optional(),
    /** Colours of chart series, in order. @default a colour-blind safe palette */
    palette: z.array(colour).min(3).optional(),
    colours: z
      .object({
        primary: colour,
        text: colour,
        muted: colour,
        rule: colour,
        tableHeader: colour,
        tableStripe: colour,
        status: z.object({ pass: colour, fail: colour, unknown: colour, manual: colour, 'not-applicable': colour, error: colour }).strict(),
        severity: z.object({ critical: colour, high: colour, medium: colour, low: colour, info: colour }).strict(),
      })
      .strict(),
  })
  .strict();

/** How a PDF report looks: `templates/<name>/template.json` (see templates/README.md). */
export type PdfTemplate = z.infer<typeof templateSchema> & {
  /** The logo's SVG text, read when the template is loaded. */
  logoSvg?: string;
};

/**
 * Read `template.json` from a template directory (default: `templates/default` in the package).
 * Throws with the file name and the offending fields when the file is missing or invalid.
 */
export function loadTemplate(dir?: string): PdfTemplate {
  const file = join(dir ?? join(packageRoot(), 'templates', 'default'), 'template.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read PDF template ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid PDF template ${file}: ${why}`);
  }
  const tpl: PdfTemplate = parsed.data;
  if (tpl.logo) {
    const logoFile = join(dirname(file), tpl.logo);
    try {
      tpl.logoSvg = readFileSync(logoFile, 'utf8');
    } catch (err) {
      throw new Error(`invalid PDF template ${file}: logo: cannot read ${logoFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return tpl;
}
