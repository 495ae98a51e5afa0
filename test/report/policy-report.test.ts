import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { MAX_RESULTS_PER_REPORT, policyReports, renderPolicyReportChunks, renderPolicyReports } from '../../src/report/policy-report.js';
import { sampleReport } from './fixtures.js';
import { renderPolicyReportsOneText } from './policy-report-one-text.js';

const schema = JSON.parse(readFileSync('test/fixtures/policyreport/wgpolicyk8s-v1alpha2.schema.json', 'utf8')) as object;

describe('PolicyReport output', () => {
  const report = sampleReport();
  const text = renderPolicyReports(report);
  const docs = parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string> }; summary: Record<string, number>; results: Array<Record<string, unknown>> });

  it('writes documents the CRD schema accepts', () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(docs.length).toBeGreaterThan(1);
    for (const d of docs) {
      const where = `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`;
      if (!validate(d)) throw new Error(`${where}: ${JSON.stringify(validate.errors)}`);
    }
    // A wrong result fails the same schema: the test can fail.
    const broken = structuredClone(docs.find((d) => d.results.length > 0));
    if (broken?.results[0]) broken.results[0].result = 'unknown';
    expect(validate(broken)).toBe(false);
  });

  it('puts namespaced findings in their namespace and cluster-scoped ones in the ClusterPolicyReport, counted in the summary', () => {
    const assessed = report.clusters.filter((c) => c.status !== 'failed').map((c) => c.name);
    expect(docs.filter((d) => d.kind === 'ClusterPolicyReport').map((d) => d.metadata.labels['complyd.io/cluster'])).toEqual(assessed);
    const findings = report.controls.flatMap((c) => c.findings);
    for (const d of docs) {
      for (const r of d.results) {
        const [res] = r.resources as Array<{ namespace?: string }>;
        expect(res?.namespace).toBe(d.metadata.namespace);
      }
      const sum = Object.values(d.summary).reduce((a, b) => a + b, 0);
      expect(sum).toBe(d.results.length);
    }
    // Every finding of an assessed cluster is listed once (none of the sample's reports reaches the cap).
    expect(docs.reduce((n, d) => n + d.results.length, 0)).toBe(findings.filter((f) => assessed.includes(f.cluster)).length);
    // Missing evidence is never a pass: an unknown finding is an error result.
    const unknown = findings.find((f) => f.status === 'unknown');
    if (unknown) {
      const listed = docs.flatMap((d) => d.results).find((r) => (r.properties as Record<string, string>).fingerprint === unknown.fingerprint);
      expect(listed?.result).toBe('error');
    }
    expect(docs.flatMap((d) => d.results).some((r) => r.result === 'pass')).toBe(false);
  });
});

describe('PolicyReport output of a large namespace', () => {
  it('lists the first MAX_RESULTS_PER_REPORT findings of a namespace, in control order, and names how many more there are', () => {
    const report = sampleReport();
    const cluster = report.clusters.find((c) => c.status !== 'failed')?.name ?? '';
    const [a, b] = report.controls;
    if (!a || !b) throw new Error('the sample has two controls');
    const many = (controlId: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ cluster, status: 'fail' as const, disposition: 'open' as const, severity: 'high' as const, resource: { kind: 'Pod', namespace: 'crowded', name: `${controlId}-${i}` }, fingerprint: `${controlId}-${i}` }));
    const big = { ...report, controls: [{ ...a, findings: many('first', 1500) }, { ...b, findings: many('second', 1000) }, ...report.controls.slice(2).map((c) => ({ ...c, findings: [] }))] };
    const docs = policyReports(big).filter((d) => d.manifest['metadata'] && (d.manifest['metadata'] as { namespace?: string }).namespace === 'crowded');
    expect(docs).toHaveLength(1);
    const manifest = docs[0]?.manifest as { metadata: { annotations: Record<string, string> }; results: Array<{ resources: Array<{ name: string }> }>; summary: { fail: number } };
    expect(manifest.results).toHaveLength(MAX_RESULTS_PER_REPORT);
    expect(manifest.summary.fail).toBe(MAX_RESULTS_PER_REPORT);
    expect(manifest.metadata.annotations['complyd.io/results-omitted']).toBe(String(2500 - MAX_RESULTS_PER_REPORT));
    expect(manifest.results.map((r) => r.resources[0]?.name)).toEqual([...many('first', 1500), ...many('second', 1000)].slice(0, MAX_RESULTS_PER_REPORT).map((f) => f.resource.name));
  });
});

describe('PolicyReport in pieces', () => {
  it('joins to the same bytes as the renderer that built each document whole, empty reports included', () => {
    const report = sampleReport();
    const text = [...renderPolicyReportChunks(report)].join('');
    expect(text).toBe(renderPolicyReportsOneText(report));
    expect(renderPolicyReports(report)).toBe(text);
    const clean = { ...report, controls: report.controls.map((c) => ({ ...c, findings: [] })) };
    const empty = [...renderPolicyReportChunks(clean)].join('');
    expect(empty).toBe(renderPolicyReportsOneText(clean));
    expect(empty).toContain('results: []');
  });

  it('writes each result as a piece of its own, and matches the library for any text a finding may carry', () => {
    const report = sampleReport();
    const cluster = report.clusters.find((c) => c.status !== 'failed')?.name ?? '';
    const [a, ...rest] = report.controls;
    if (!a) throw new Error('the sample has a control');
    // Text YAML quotes, folds or writes as a block: line breaks, blank lines, indentation, markers, quotes.
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom('', ' lead', 'trail ', 'a\nb', 'a\n\nb\n', '\n  indented\n', '- item', '# not a comment', 'key: value', '"quoted"', "'single'", '|', '>-', '~', 'null', 'true', '0x1F', '*alias', '&anchor', '{a: 1}', 'tab\there', '\u2028sep', 'é ü 😀'),
      fc.array(fc.constantFrom('x', ' ', '\n', ':', '#', '-', '"', "'", '\\', '\t'), { maxLength: 12 }).map((cs) => cs.join('')),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ name: text, message: fc.option(text, { nil: undefined }), observed: text }), { minLength: 1, maxLength: 6 }), (items) => {
        const findings = items.map((x, i) => ({
          cluster,
          status: 'fail' as const,
          severity: 'high' as const,
          resource: { kind: 'Pod', namespace: 'ns', name: x.name },
          fingerprint: `f${i}`,
          evidence: { path: 'spec.x', observed: x.observed, expected: 'unset' },
          ...(x.message !== undefined ? { message: x.message } : {}),
        }));
        const r = { ...report, controls: [{ ...a, findings }, ...rest.map((c) => ({ ...c, findings: [] }))] };
        const pieces = [...renderPolicyReportChunks(r)];
        expect(pieces.join('')).toBe(renderPolicyReportsOneText(r));
        // Each result is a piece of its own: the sequence item, two columns in.
        expect(pieces.filter((p) => p.startsWith('  - source: complyd\n'))).toHaveLength(findings.length);
      }),
      { numRuns: 300 },
    );
  });
});
