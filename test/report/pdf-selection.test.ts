/** A report cut by `report --control/--severity` says so in the PDF, read back from the file. */
import { renderPdf } from '../../src/report/pdf-report.js';
import { sampleReport } from './fixtures.js';
import { readPdf } from './pdf-text.js';

const CREATED = new Date('2025-03-01T12:00:00.000Z');

describe('PDF of a report cut to a selection of controls', () => {
  it('names the selection on the cover, in the executive summary and in the methodology; a whole report does not', async () => {
    const cut = (await readPdf(await renderPdf({ ...sampleReport(), selection: 'controls PSS-*; severities critical' }, { creationDate: CREATED }))).pages.map((p) => p.text);
    const joined = cut.join('\n');
    expect(joined).toContain('partial report: only controls PSS-*; severities critical; every count and score covers those controls only');
    expect(joined).toContain('Partial report: only the controls selected (controls PSS-*; severities critical).');
    expect(joined).toContain('controls PSS-*; severities critical: the counts, scores and listings of this report cover these controls only');
    const whole = (await readPdf(await renderPdf(sampleReport(), { creationDate: CREATED }))).pages.map((p) => p.text).join('\n');
    expect(whole).not.toMatch(/partial report/i);
  }, 60_000);
});
