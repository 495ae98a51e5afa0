/**
 * The PDF lists a bounded number of findings per control (it keeps every page in memory until
 * the end), says how many more there are, and lists the failing ones first.
 */
import { renderPdf, resourceLabel } from '../../src/report/pdf-report.js';
import type { RunReport } from '../../src/report/model.js';
import { PRIVILEGED_NAMES, sampleReport } from './fixtures.js';
import { readPdf } from './pdf-text.js';

const flat = (s: string) => s.replace(/\s+/g, '');

describe('PDF control details on a large run', () => {
  let report: RunReport;
  let text: string;
  beforeAll(async () => {
    report = sampleReport();
    const pdf = await readPdf(await renderPdf(report, { creationDate: new Date('2025-03-01T12:00:00.000Z'), maxFindingsPerControl: 25 }));
    text = flat(pdf.pages.map((p) => p.text).join(' '));
  });

  it('lists the first findings of a control, failing first, and says how many more the CSV and JSON reports hold', () => {
    const priv = report.controls.find((c) => c.id === 'pss-b-privileged');
    const listed = priv?.findings ?? [];
    expect(listed.length).toBeGreaterThan(PRIVILEGED_NAMES.length);
    expect(listed[0]?.status).toBe('fail');
    for (const f of listed.slice(0, 25)) expect(text).toContain(flat(`${f.cluster} ${resourceLabel(f.resource)}`));
    for (const f of listed.slice(25)) expect(text).not.toContain(flat(`${f.cluster} ${resourceLabel(f.resource)} `));
    expect(text).toContain(flat(`Findings (${listed.length})`));
    expect(text).toContain(flat(`The first 25 are listed, failing first; ${listed.length - 25} more are in the CSV and JSON reports, which list every finding.`));
  });
});
