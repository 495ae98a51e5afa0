import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { openStore, writeReports } from '../../src/main.js';
import { sarifValidator } from './sarif-schema.js';
import { countFindings, storedReport, type StoredReport } from './store-report.js';

describe('complyd report -o (compiled binary)', () => {
  let stored: StoredReport;
  let config: string;
  beforeAll(async () => {
    stored = await storedReport();
    config = join(stored.dir, 'complyd.yaml');
    writeFileSync(config, `clusters:\n  - name: prod\n    kubeconfig: none.yaml\nstorage:\n  sqlite: ${JSON.stringify(stored.sqlite)}\n`);
  });
  afterAll(() => stored.cleanup());

  it('writes a valid SARIF file for the latest run', async () => {
    const out = join(stored.dir, 'report.sarif');
    const res = await runCli(['report', '-c', config, '-o', 'sarif', '--out', out]);
    expect(res.stderr).toContain(`wrote ${out}`);
    expect(res.code).toBe(0);
    const log = JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ results: unknown[] }> };
    expect(sarifValidator()(log).valid).toBe(true);
    expect(log.runs.flatMap((r) => r.results)).toHaveLength(countFindings(stored.report, 'fail'));
  });

  it('prints the other text formats to stdout and names the accepted formats when given a wrong one', async () => {
    const junit = await runCli(['report', '-c', config, '--output', 'junit']);
    expect(junit.code).toBe(0);
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    const bad = await runCli(['report', '-c', config, '-o', 'xlsx']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('-o/--output must be one of json, pdf, csv, sarif, junit, md, policyreport, not "xlsx"');
  });

  it('writeReports names each file by its format', async () => {
    const store = await openStore({ storage: { kind: 'sqlite', path: stored.sqlite } });
    try {
      const written = await writeReports(store.history, stored.report.run.id, join(stored.dir, 'out'), ['csv', 'sarif', 'junit', 'md']);
      const prefix = join(stored.dir, 'out', `complyd-report-${stored.report.run.id.slice(0, 8)}`);
      expect(written).toEqual(['.csv', '.sarif', '.junit.xml', '.md'].map((ext) => prefix + ext));
      expect(readFileSync(written[0] ?? '', 'utf8')).toMatch(/^cluster,control_id,/);
    } finally {
      await store.close();
    }
  });
});
