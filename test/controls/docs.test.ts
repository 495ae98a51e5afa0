import { readFileSync } from 'node:fs';
import { CATALOG_VERSION, CONTROLS } from '../../src/controls/index.js';
import { catalogCsv, catalogEntries, catalogMarkdown } from '../../src/controls/catalog-export.js';

describe('catalog export', () => {
  it('docs/controls.md is generated from the catalog and up to date (run `npm run docs` after changing a control)', () => {
    expect(readFileSync('docs/controls.md', 'utf8')).toBe(catalogMarkdown(catalogEntries(CONTROLS), CATALOG_VERSION));
  });

  it('writes one CSV row per control with stable columns and quoted cells', () => {
    const csv = catalogCsv(catalogEntries(CONTROLS)).trimEnd().split('\n');
    expect(csv[0]).toBe('id,title,section,level,mode,severity,evidence,frameworks,cis,pss,nsa,kubescape');
    expect(csv).toHaveLength(CONTROLS.length + 1);
    const priv = csv.find((l) => l.startsWith('PSS-privileged,'));
    expect(priv).toMatch(/^PSS-privileged,Containers do not run privileged,Pod Security Standards: baseline,\w*,automated,critical,"?API objects: pods, deployments/);
  });
});
