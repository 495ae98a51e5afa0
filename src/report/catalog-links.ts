/**
 * Links from a report to a control's entry in the published catalog (docs/controls.md, one
 * table per section). The catalog has an anchor per section heading, not per control.
 */
import { CUSTOM_SECTION } from '../core/custom-control.js';

/** Where docs/controls.md is published; a report can name another address. */
export const CATALOG_URL = 'https://github.com/complyd/complyd/blob/main/docs/controls.md';

/** The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * The catalog section of a control; the catalog's top when the section is unknown. None for a
 * custom control: the published catalog does not hold it, so a link would lead nowhere.
 */
export function controlHelpUri(section: string, catalogUrl = CATALOG_URL): string | undefined {
  if (section === CUSTOM_SECTION) return undefined;
  return section ? `${catalogUrl}#${headingAnchor(section)}` : catalogUrl;
}
