/**
 * The PDF's period sections (executive summary, exceptions register, methodology, integrity)
 * read back from the rendered file, and the file itself checked with poppler: every font
 * embedded, every page renderable.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPdf } from '../../src/report/pdf-report.js';
import { sampleReport } from './fixtures.js';
import { readPdf, textAfterContents, type ReadPdf } from './pdf-text.js';

const CREATED = new Date('2025-03-01T12:00:00.000Z');
const report = sampleReport();
let bytes: Buffer;
let pdf: ReadPdf;
let all: string;

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ['-v'], { stdio: 'pipe' });
    return true;
  } catch (err) {
    return (err as { code?: string }).code !== 'ENOENT';
  }
}

beforeAll(async () => {
  bytes = await renderPdf(report, { creationDate: CREATED });
  pdf = await readPdf(bytes);
  all = textAfterContents(pdf);
}, 60_000);

const section = (from: string, to?: string) => all.slice(all.indexOf(from), to ? all.indexOf(to) : undefined);

describe('PDF executive summary', () => {
  it('states the period, the scores now and at its start, and their change', () => {
    const p = report.period;
    const s = section('Executive summary', '1 Fleet summary');
    expect(s).toContain(`Period ${p.from.slice(0, 10)} to ${p.to.slice(0, 10)}: ${p.runs} scan run(s) of 3 cluster(s)`);
    expect(s).toContain(`Compliance score (0-100) ${p.fleet.score?.toFixed(1)} ${p.fleet.first?.toFixed(1)} +${((p.fleet.score ?? 0) - (p.fleet.first ?? 0)).toFixed(1)}`);
    expect(s).toContain(`Risk score ${p.fleet.risk} ${p.fleet.firstRisk} -${(p.fleet.firstRisk ?? 0) - (p.fleet.risk ?? 0)}`);
    expect(s).toContain('Fleet compliance score per run');
  });

  it('ranks clusters by score, lowest first, and names the one not assessed', () => {
    const s = section('Clusters ranked', 'Changes over the period');
    const ranked = [...report.period.clusters].sort((a, b) => (a.score ?? 0) - (b.score ?? 0));
    const positions = ranked.map((c) => s.indexOf(` ${c.cluster} ${c.score?.toFixed(1)}`));
    expect(positions.every((x) => x >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(s).toContain('dev-lab not assessed');
  });

  it('gives new, reopened and resolved counts, time to remediate and open findings by age', () => {
    const { changes: c, remediation: r } = report.period;
    expect(all).toContain(`New failing findings ${c.new} Reopened (fixed, then back) ${c.reopened} Resolved ${c.resolved}`);
    expect(all).toContain(`${r.resolved} failing finding(s) were resolved in the period (${r.fixed} fixed, ${r.resourceGone} by deleting the resource): median ${r.medianDays?.toFixed(1)} days`);
    expect(all).toContain(`Open at this run ${r.open['0-7']} ${r.open['8-30']} ${r.open['31-90']} ${r.open['>90']}`);
    for (const s of r.bySeverity) expect(all).toContain(`${s.severity} ${s.resolved} ${s.medianDays?.toFixed(1)} days`);
  });

  it('lists the top risks with the reason of every factor', () => {
    const s = section('Top risks', '1 Fleet summary');
    for (const w of report.period.topRisks) {
      expect(s).toContain(`${w.severity} x ${w.exposure}`);
      for (const f of w.factors) expect(s).toContain(`${f.factor}: ${f.reason}`);
    }
  });

  it('draws a score trend panel per cluster in the fleet summary', () => {
    const s = section('1 Fleet summary', '2 What could not be assessed');
    expect(s).toContain('Compliance score per cluster');
    for (const c of report.period.trend.clusters) expect(s).toContain(c.cluster);
  });
});

describe('PDF appendices', () => {
  it('has an exceptions register that says when it is empty, and highlights expired exceptions', async () => {
    expect(section('5 Exceptions register', '6 Methodology')).toContain('No exceptions are registered');
    const r = sampleReport();
    const common = { created: '2025-01-01T00:00:00.000Z', matched: 0, lapsed: 0 };
    r.period.exceptions = [
      { ...common, id: 'node-agent', controls: ['pss-b-privileged'], scope: 'clusters prod-eu; namespaces kube-system', owner: 'platform-team', reason: 'CNI agent needs host access', ticket: 'PLAT-7', expires: '2025-06-30T00:00:00.000Z', state: 'active', expired: false, matched: 3 },
      { ...common, id: 'harness', controls: ['cis-5.1.3-wildcards'], scope: 'clusters staging', owner: 'qa', reason: 'test harness', expires: '2025-01-31T00:00:00.000Z', state: 'expired', expired: true, lapsed: 2 },
      { ...common, id: 'ledger', controls: ['CIS-5.2.*'], scope: 'everywhere', owner: 'payments', reason: 'migration', expires: '2025-03-10T00:00:00.000Z', state: 'expiring', expired: false },
    ];
    // Narrow columns wrap long ids: compare without spaces.
    const text = (await readPdf(await renderPdf(r, { creationDate: CREATED }))).pages.map((p) => p.text).join('').replace(/\s+/g, '');
    expect(text).toContain('node-agent:pss-b-privilegedclustersprod-eu;namespaceskube-systemplatform-teamCNIagentneedshostaccess(PLAT-7)2025-06-303');
    expect(text).toContain('2025-01-31(expired)0+2lapsed');
    expect(text).toContain('2025-03-10(soon)');
    // The executive summary names the ones lapsing soon and the expired ones.
    expect(text).toContain('Exceptionsexpiringwithin30daysofthisrun:ledger(payments,2025-03-10,0finding(s)).Expired:harness(qa,2025-01-31)');
  });

  it('explains the statuses and both score formulas in the methodology', () => {
    const s = section('6 Methodology', '7 Integrity');
    expect(s).toContain('score = 100 x sum( w(severity) x pass ) / sum( w(severity) x (pass + fail) )');
    expect(s).toContain('critical 8, high 4, medium 2, low 1, info 0');
    expect(s).toContain('risk(workload) = severity x exposure');
    expect(s).toContain('Scores as measured and with accepted exceptions');
    expect(s).toContain('Time to remediate is the same either way');
    for (const f of ['privilege', 'reachability', 'blast-radius', 'rbac-secrets', 'rbac-escalation']) expect(s).toContain(f);
    expect(s).toContain(`Control catalog version ${report.catalogVersion}`);
  });
});

describe('PDF file', () => {
  const pdffonts = hasTool('pdffonts');
  const pdftoppm = hasTool('pdftoppm');

  (pdffonts ? it : it.skip)('embeds every font it uses (pdffonts)', () => {
    const dir = tmpdir();
    const file = join(dir, `complyd-fonts-${process.pid}.pdf`);
    return writeFile(file, bytes).then(() => {
      const out = execFileSync('pdffonts', [file], { encoding: 'utf8' });
      const rows = out.trim().split('\n').slice(2);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const row of rows) expect(row).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+$/);
      return rm(file, { force: true });
    });
  });

  (pdftoppm ? it : it.skip)(
    'renders every page to an image (pdftoppm)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'complyd-pages-'));
      try {
        await writeFile(join(dir, 'r.pdf'), bytes);
        execFileSync('pdftoppm', ['-r', '20', '-png', join(dir, 'r.pdf'), join(dir, 'p')], { stdio: 'pipe' });
        const pngs = (await readdir(dir)).filter((f) => f.endsWith('.png'));
        expect(pngs.length).toBe(pdf.pages.length);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
