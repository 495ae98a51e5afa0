import type { Control, Framework } from './define.js';
import privileged from './pss/privileged.js';

/**
 * The explicit, ordered registry of controls. Adding a control is adding a file and a line
 * here; the registry test checks ids are unique and every control has fixtures.
 */
export const CONTROLS: readonly Control[] = [privileged];

/** Version of the catalog, recorded with every run so a report names what judged it. */
export const CATALOG_VERSION = '2026.11-1';

export function controlsFor(framework?: Framework): readonly Control[] {
  return framework ? CONTROLS.filter((c) => c.frameworks.includes(framework)) : CONTROLS;
}
