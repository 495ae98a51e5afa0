import { mdCell, renderMarkdown } from '../../src/report/markdown-report.js';
import { PRIVILEGED_NAMES, sampleReport } from './fixtures.js';
import { storedReport, type StoredReport } from './store-report.js';

/** Cells of a table row, split on unescaped pipes only (as a GFM renderer does). */
const cells = (line: string) => line.replace(/^\| | \|$/g, '').split(/(?<!\\) \| /);
const unescapedPipes = (line: string) => (line.match(/(?<!\\)\|/g) ?? []).length;

describe('mdCell', () => {
  it('keeps a cell on one row and its text literal', () => {
    expect(mdCell('a|b')).toBe('a\\|b');
    expect(mdCell('one\r\ntwo\nthree')).toBe('one<br>two<br>three');
    expect(mdCell('<script>&')).toBe('&lt;script&gt;&amp;');
    expect(mdCell('*x* `y` [z] a\\|b')).toBe('\\*x\\* \\`y\\` \\[z\\] a\\\\\\|b');
  });
});

describe('renderMarkdown', () => {
  let stored: StoredReport;
  let md: string;
  beforeAll(async () => {
    stored = await storedReport();
    md = renderMarkdown(stored.report, { maxFindingsPerControl: 100 });
  });
  afterAll(() => stored.cleanup());

  it('has the fleet, cluster, failing-control, gap and finding sections', () => {
    for (const h of ['# complyd compliance report', '## Fleet', '## Clusters', '## Failing controls', '## Gaps', '## Findings']) expect(md).toContain(`\n${h}\n`.trimStart());
    const fleet = stored.report.fleet;
    expect(md).toContain(`| ${fleet.clusters} | ${fleet.assessed} | ${fleet.counts.pass} | ${fleet.counts.fail} |`);
    expect(md).toMatch(/\| critical \| PSS-privileged \| .* \| prod \| 23 \|/);
    const failingRows = md.split('## Failing controls')[1]?.split('## Gaps')[0]?.split('\n').filter((l) => /^\| (critical|high|medium|low|info) /.test(l));
    expect(failingRows?.map((l) => cells(l).slice(0, 2))).toEqual([
      ['critical', 'PSS-privileged'],
      ['high', 'CIS-5.1.8'],
      ['high', 'PSS-allow-privilege-escalation'],
    ]);
    expect(md).toContain('- Cluster ghost was not assessed: kubeconfig missing.yaml: file not found');
    expect(md).toContain('- Cluster staging: evidence clusterroles could not be read (forbidden)');
  });

  it('keeps every table row to its column count whatever the data holds', () => {
    const lines = md.split('\n');
    let columns = 0;
    for (const line of lines) {
      if (!line.startsWith('|')) {
        columns = 0;
        continue;
      }
      if (columns === 0) columns = unescapedPipes(line);
      expect([line, unescapedPipes(line)]).toEqual([line, columns]);
    }
    const tricky = lines.find((l) => l.includes('web,"quoted"')) ?? '';
    expect(cells(tricky)[2]).toBe('Deployment shop/web,"quoted"<br>line (container app)');
    expect(cells(tricky)[4]).toBe('a\\|b<br>c &lt;x&gt; &amp; \u0007bell\u0000');
    expect(md).toContain('Check the file mode \\| on each control-plane node.');
  });

  it('caps the findings of a control with an "N more" note', () => {
    const big = renderMarkdown(sampleReport(), { maxFindingsPerControl: 10 });
    expect(big).toContain(`… and ${PRIVILEGED_NAMES.length + 3 - 10} more`);
    expect(big).toContain('web-0010');
    expect(big).not.toContain('web-0011');
    expect(renderMarkdown(sampleReport())).toContain(`… and ${PRIVILEGED_NAMES.length + 3 - 20} more`);
  });
});

describe('renderMarkdown: profiles', () => {
  it("names each cluster's profile and frameworks, and the profile a report is cut to", () => {
    const base = sampleReport();
    const [first, second, ...rest] = base.clusters;
    if (!first || !second) throw new Error('the sample report has two clusters at least');
    const report = {
      ...base,
      profile: { name: 'prod', selector: 'env=prod', frameworks: ['pss-restricted', 'cis-1.12'] },
      clusters: [{ ...first, profile: 'prod', frameworks: ['pss-restricted', 'cis-1.12'] }, { ...second, frameworks: ['cis-1.12'] }, ...rest.map((c) => ({ ...c, profile: undefined, frameworks: undefined }))],
    };
    const md = renderMarkdown(report);
    expect(md).toContain('Profile prod: the clusters labelled env=prod, held to pss-restricted, cis-1.12: only its clusters are in this report.');
    const rows = md.split('## Clusters')[1]?.split('\n## ')[0]?.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---')) ?? [];
    expect(cells(rows[0] ?? '').slice(0, 3)).toEqual(['Cluster', 'Profile', 'Evaluated with']);
    expect(cells(rows[1] ?? '').slice(0, 3)).toEqual([first.name, 'prod', 'pss-restricted, cis-1.12']);
    // In no profile; and scanned before profiles were recorded.
    expect(cells(rows[2] ?? '').slice(0, 3)).toEqual([second.name, '(none)', 'cis-1.12']);
    if (rest[0]) expect(cells(rows[3] ?? '').slice(0, 3)).toEqual([rest[0].name, '-', '-']);
    expect(renderMarkdown(base)).not.toMatch(/^Profile /m);
  });
});
