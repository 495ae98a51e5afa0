import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCounts } from '../../src/core/status.js';
import type { RunReport } from '../../src/report/model.js';
import { loadTemplate, pdfSafe, renderPdf, resourceLabel, type PdfTemplate } from '../../src/report/pdf-report.js';
import { DEV_LAB_ERROR, LONG_OBSERVED, PRIVILEGED_NAMES, SECRETS_GAP, sampleReport } from './fixtures.js';
import { columnText, textAfterContents, overlaps, readPdf, squash, type ReadPdf } from './pdf-text.js';

const CREATED = new Date('2025-03-01T12:00:00.000Z');
const FINDINGS_HEADER = 'Cluster Resource Status Evidence path Observed Expected / message';

const nospace = (s: string) => s.replace(/\s+/g, '');

/**
 * The document's text without page furniture: what comes before the footer on each page, minus
 * a leading "... (continued)" caption and the repeated header row, so that a cell split across
 * pages reads as one.
 */
function bodyText(pdf: ReadPdf, footer: string, header: string): string {
  return pdf.pages
    .map((p, i) => {
      const end = p.text.indexOf(`${squash(footer)} page ${i + 1} of`);
      let body = end >= 0 ? p.text.slice(0, end) : p.text;
      const cont = body.indexOf(' (continued) ');
      if (cont >= 0 && body.slice(cont + 13).startsWith(header)) body = body.slice(cont + 13 + header.length);
      return body;
    })
    .join(' ');
}
const occurrences = (hay: string, needle: string) => hay.split(needle).length - 1;

describe('loadTemplate', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'complyd-tpl-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads templates/default/template.json from the package root', () => {
    const t = loadTemplate();
    expect(t.pageSize).toBe('A4');
    expect(t.organisation.length).toBeGreaterThan(0);
    expect(t.colours.status.fail).toMatch(/^#[0-9a-f]{6}$/i);
    expect(t.margins.left).toBeGreaterThan(0);
  });

  it('names the file and the field of an invalid template', async () => {
    const bad = { ...loadTemplate(), colours: { ...loadTemplate().colours, primary: 'blue' } };
    await writeFile(join(dir, 'template.json'), JSON.stringify(bad));
    expect(() => loadTemplate(dir)).toThrow(/template\.json.*colours\.primary/);
  });

  it('says which file is missing', async () => {
    const missing = join(dir, 'nope');
    await mkdir(missing);
    expect(() => loadTemplate(missing)).toThrow(missing);
  });
});

describe('pdfSafe', () => {
  it('keeps what the embedded font can show and replaces the rest, never dropping it silently', () => {
    expect(pdfSafe('Größe – “ok” €5 ≥ ✓ × Ω')).toBe('Größe – “ok” €5 ≥ ✓ × Ω');
    expect(pdfSafe('a\tc')).toBe('a c');
    expect(pdfSafe('名前 ﬁle')).toBe('?? ﬁle');
    expect(pdfSafe('x\u0000y\r\nz')).toBe('xy\nz');
  });
});

describe('renderPdf', () => {
  let report: RunReport;
  let bytes: Buffer;
  let pdf: ReadPdf;
  let all: string;

  beforeAll(async () => {
    report = sampleReport();
    bytes = await renderPdf(report, { creationDate: CREATED });
    pdf = await readPdf(bytes);
    all = textAfterContents(pdf);
  });

  it('is a PDF of several pages, each numbered "page N of M" with the footer text', () => {
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.pages.length).toBeGreaterThan(3);
    const footer = squash(loadTemplate().footerText);
    pdf.pages.forEach((p, i) => {
      expect(p.text).toContain(`page ${i + 1} of ${pdf.pages.length}`);
      expect(p.text).toContain(footer);
    });
  });

  it('has the cover facts and every section heading, in order', () => {
    const cover = pdf.pages[0]!.text;
    const tpl = loadTemplate();
    for (const s of [
      tpl.title,
      tpl.organisation,
      report.run.id,
      'Run status partial',
      'Started 2025-03-01 10:00:00 UTC',
      'Finished 2025-03-01 10:04:12 UTC',
      'Report generated at 2025-03-01 10:05:00 UTC',
      'complyd version 0.1.0',
      'Catalog version catalog-2025.02',
      'Scope 3 cluster(s): prod-eu, staging, dev-lab',
    ])
      expect(cover).toContain(s);
    const headings = ['Executive summary', '1 Fleet summary', '2 What could not be assessed', '3 Per cluster', '4 Control details', '5 Exceptions register', '6 Methodology', '7 Integrity'];
    const at = headings.map((h) => all.indexOf(h));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('states the fleet figures and how the pass rate is computed', () => {
    const f = report.fleet;
    const c = f.counts;
    expect(all).toContain(`Clusters assessed ${f.assessed} of ${f.clusters}`);
    expect(f.assessed).toBe(2);
    expect(all).toContain(`pass fail unknown manual not-applicable error ${c.pass} ${c.fail} ${c.unknown} ${c.manual} ${c['not-applicable']} ${c.error}`);
    const rate = `${((c.pass / (c.pass + c.fail)) * 100).toFixed(1)}%`;
    expect(all).toContain(`Pass rate ${rate} (pass / (pass + fail) = ${c.pass} / ${c.pass + c.fail})`);
    expect(all).toContain('Unknown and manual results are never counted as passed');
  });

  it('prints each cluster row with the model figures', () => {
    const rows = report.clusters.map((c) =>
      [
        c.name,
        c.status,
        c.provider ?? '-',
        c.serverVersion ?? '-',
        c.objectTotal.toLocaleString('en-US'),
        c.score === null ? 'n/a' : c.score.toFixed(1),
        c.counts.fail,
        c.counts.unknown,
        c.passRate === null ? 'n/a' : `${(c.passRate * 100).toFixed(1)}%`,
      ].join(' '),
    );
    expect(rows).toEqual([
      `prod-eu complete eks v1.30.4 1,234 ${report.clusters[0]?.score?.toFixed(1)} 302 0 30.4%`,
      `staging partial kubeadm v1.29.8 412 ${report.clusters[1]?.score?.toFixed(1)} 3 1 92.5%`,
      'dev-lab failed - - 0 n/a 0 0 n/a',
    ]);
    for (const row of rows) expect(all).toContain(row);
  });

  it('shows what could not be assessed: the failed cluster, its error and the 403 on secrets', () => {
    const start = all.indexOf('2 What could not be assessed');
    const end = all.indexOf('3 Per cluster');
    const section = all.slice(start, end);
    expect(section).toContain(`dev-lab ${squash(DEV_LAB_ERROR)}`);
    expect(section).toContain(`staging secrets forbidden ${squash(SECRETS_GAP.message)}`);
    expect(section).toContain('never treated as compliant');
    // The control that needed the secrets is unknown, with the gap as its reason.
    // (a long token may wrap inside the narrow message column, hence the comparison without spaces)
    const details = nospace(all.slice(all.indexOf('rbac-secrets-read: ')));
    expect(details).toContain(nospace(`staging Cluster staging unknown - - evidence "secrets" could not be read: forbidden: ${SECRETS_GAP.message}`));
  });

  it('lists the failing controls of each cluster with severity and failed count', () => {
    const section = all.slice(all.indexOf('3 Per cluster'), all.indexOf('4 Control details'));
    for (const c of report.clusters)
      for (const f of c.failingControls) expect(section).toContain(`${f.controlId} ${f.title} ${f.severity} ${f.failed}`);
    expect(report.clusters[0]!.failingControls.length).toBe(2);
    expect(section).toContain(`Not assessed: ${squash(DEV_LAB_ERROR)}`);
  });

  it('details only the controls with non-pass findings, with refs, rationale and remediation', () => {
    const section = all.slice(all.indexOf('4 Control details'), all.indexOf('5 Exceptions register'));
    expect(section).toContain('pss-b-privileged: Privileged containers are not allowed');
    expect(section).toContain('References CIS 5.2.2 | PSS privileged | NSA Pod security: non-privileged containers | kubescape C-0057');
    expect(section).toContain('Rationale Rationale of pss-b-privileged');
    expect(section).toContain('Remediation Remediation of pss-b-privileged');
    expect(section).toContain('prod-eu fail 40 300 0 0 0 0');
    for (const id of ['rbac-secrets-read', 'cis-1.2.16-audit-log', 'cis-5.1.3-wildcards']) expect(section).toContain(`${id}: `);
    // A control that passed everywhere is not detailed (and fails nowhere, so it is absent).
    expect(all).not.toContain('pss-b-host-network');
    // Critical first.
    expect(section.indexOf('cis-5.1.3-wildcards: ')).toBeLessThan(section.indexOf('pss-b-privileged: '));
  });

  it('prints all 300 failing resources exactly once, with the header row on every page of the table', () => {
    const flat = nospace(all);
    const priv = report.controls.find((c) => c.id === 'pss-b-privileged')!;
    const prodFindings = priv.findings.filter((f) => f.cluster === 'prod-eu');
    expect(prodFindings.map((f) => f.resource.name)).toEqual(PRIVILEGED_NAMES);
    for (const f of prodFindings) expect(occurrences(flat, nospace(`prod-eu ${resourceLabel(f.resource)} fail`))).toBe(1);
    // In the model's order.
    const positions = prodFindings.map((f) => flat.indexOf(nospace(resourceLabel(f.resource))));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const tablePages = pdf.pages.filter((p) => PRIVILEGED_NAMES.some((n) => p.text.includes(n)));
    expect(tablePages.length).toBeGreaterThanOrEqual(3);
    for (const p of tablePages) expect(p.text).toContain(FINDINGS_HEADER);
    for (const p of tablePages.slice(1)) expect(p.text).toContain('Findings of pss-b-privileged: Privileged containers are not allowed (continued)');
  });

  it('wraps long cell text without losing any of it', () => {
    // Rows this tall may be split across pages: read the Observed column top to bottom.
    const observed = nospace(columnText(pdf, 'Observed', 'Expected / message', (p) => p.height - loadTemplate().margins.bottom));
    expect(occurrences(observed, nospace(LONG_OBSERVED))).toBe(2);
    const flat = nospace(bodyText(pdf, loadTemplate().footerText, FINDINGS_HEADER));
    expect(flat).toContain(nospace('The container runs privileged, which gives it every capability of the host'));
  });

  it('draws no text over other text or outside the margins', () => {
    const tpl = loadTemplate();
    for (const [i, p] of pdf.pages.entries()) {
      expect({ page: i + 1, overlaps: overlaps(p).map(([a, b]) => `${a.str} / ${b.str}`) }).toEqual({ page: i + 1, overlaps: [] });
      for (const b of p.boxes) {
        expect(b.x).toBeGreaterThanOrEqual(tpl.margins.left - 0.5);
        expect(b.x + b.width).toBeLessThanOrEqual(p.width - tpl.margins.right + 0.5);
        expect(b.top).toBeGreaterThanOrEqual(0);
        expect(b.top + b.height).toBeLessThanOrEqual(p.height);
      }
    }
  });

  it('ends with the integrity section: run ids, each snapshot hash and each hash chain entry', () => {
    const section = all.slice(all.indexOf('7 Integrity'));
    expect(section).toContain(`Reported run ${report.run.id}`);
    expect(section).toContain(`Runs the figures rest on ${report.period.integrity.runIds.join(' ')}`);
    for (const e of report.period.integrity.chain) {
      expect(section).toContain(`chain ${e.chainHash} previous ${e.prevChainHash} results ${e.resultsHash}`);
    }
    for (const c of report.clusters)
      expect(section).toContain(c.snapshotHash ? `${c.name} ${c.status} ${c.snapshotHash}` : `${c.name} ${c.status} none: no snapshot was taken`);
  });

  it('is byte-identical for the same input and creation date, and records that date', async () => {
    const again = await renderPdf(sampleReport(), { creationDate: new Date(CREATED) });
    expect(again.equals(bytes)).toBe(true);
    const later = await renderPdf(sampleReport(), { creationDate: new Date('2025-03-02T12:00:00.000Z') });
    expect(later.equals(bytes)).toBe(false);
    expect(pdf.info.CreationDate).toBe('D:20250301120000Z');
    expect(pdf.info.ModDate).toBe('D:20250301120000Z');
    expect(pdf.info.Author).toBe(loadTemplate().organisation);
  });
});

describe('renderPdf edge cases', () => {
  const base = (): RunReport => ({ ...sampleReport(), clusters: [], controls: [], fleet: { clusters: 0, assessed: 0, counts: emptyCounts(), passRate: null, score: null, scoreWithExceptions: null, dispositions: { open: 0, excepted: 0, expired: 0 } } });

  it('renders an empty run, saying nothing is missing', async () => {
    const pdf = await readPdf(await renderPdf(base(), { creationDate: CREATED }));
    const all = textAfterContents(pdf);
    expect(all).toContain('Scope no clusters');
    expect(all).toContain('Pass rate n/a');
    expect(all).toContain('None: every cluster in scope was assessed.');
    expect(all).toContain('None: every piece of evidence was read on every assessed cluster.');
    expect(all).toContain('Cluster Status Provider Version Objects Score Fail Unknown Pass rate none');
    expect(all).toContain('Cluster Status Snapshot SHA-256 none');
  });

  it('splits a cell taller than a page across pages, keeping every word, and uses the template', async () => {
    const words = Array.from({ length: 1500 }, (_, i) => `w${i}`);
    const message = `${words.join(' ')} ${'x'.repeat(400)}`;
    const r = base();
    r.controls = [
      {
        id: 'huge',
        title: 'A control with one enormous finding',
        section: 'Test',
        severity: 'info',
        frameworks: [],
        refs: {},
        rationale: 'r',
        remediation: 'm',
        automated: true,
        results: [{ cluster: 'c1', status: 'unknown', counts: { ...emptyCounts(), unknown: 1 } }],
        findings: [{ cluster: 'c1', status: 'unknown', severity: 'info', resource: { kind: 'Cluster', name: 'c1' }, message, fingerprint: 'f' }],
      },
    ];
    const template: PdfTemplate = { ...loadTemplate(), organisation: 'Acme Audit Ltd', title: 'Quarterly Evidence Pack', footerText: 'Acme internal' };
    const pdf = await readPdf(await renderPdf(r, { template, creationDate: CREATED }));
    const all = textAfterContents(pdf);
    expect(all).toContain('Quarterly Evidence Pack');
    expect(pdf.info.Author).toBe('Acme Audit Ltd');
    const messageColumn = columnText(pdf, 'Expected / message', undefined, (p) => p.height - template.margins.bottom);
    expect(nospace(messageColumn)).toBe(nospace(message));
    // The rest of the split row is marked as such on every later page.
    const rowPages = pdf.pages.filter((p) => /\bw\d+\b|xxxx/.test(p.text));
    expect(rowPages.length).toBeGreaterThanOrEqual(3);
    for (const p of rowPages.slice(1)) expect(p.text).toContain('(cont.)');
    expect(rowPages[0]!.text).not.toContain('(cont.)');
    const pagesWithWords = pdf.pages.filter((p) => /\bw\d+\b/.test(p.text));
    expect(pagesWithWords.length).toBeGreaterThanOrEqual(2);
    for (const p of pagesWithWords) expect(p.text).toContain(FINDINGS_HEADER);
    for (const p of pdf.pages) expect(overlaps(p)).toEqual([]);
  });
});
