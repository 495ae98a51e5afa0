import { LazyJsonArray, prettyJsonChunks } from '../../src/report/json-chunks.js';
import { renderJson, renderJsonChunks } from '../../src/report/json-report.js';
import { sampleReport } from './fixtures.js';

describe('JSON in pieces', () => {
  it.each([0, 1, 2, 3, 4, 8])('joins to exactly JSON.stringify(value, null, 2) when walked to depth %i', (depth) => {
    const value = {
      a: [1, 'two', null, undefined, () => 1, { nested: [[], {}, [{}]], skip: undefined }],
      empty: {},
      none: [],
      gone: undefined,
      text: 'line\nbreak "quoted" \u2028',
      date: new Date('2025-01-01T00:00:00Z'),
      deep: { b: { c: { d: { e: [1, { f: 'g' }] } } } },
    };
    expect([...prettyJsonChunks(value, depth)].join('')).toBe(JSON.stringify(value, null, 2));
  });

  it('gives the report the same text, one finding a piece', () => {
    const report = sampleReport();
    expect(renderJson(report)).toBe(`${JSON.stringify(report, null, 2)}\n`);
    const pieces = [...renderJsonChunks(report)];
    const findings = report.controls.reduce((n, c) => n + c.findings.length, 0);
    expect(findings).toBeGreaterThan(100);
    // Each finding is a piece of its own (at its indentation in the document).
    const set = new Set(pieces);
    for (const c of report.controls) for (const f of c.findings) expect(set.has(JSON.stringify(f, null, 2).replace(/\n/g, `\n${' '.repeat(8)}`))).toBe(true);
  });

  it.each([0, 1, 2, 3, 5])('writes an array produced as it is walked as JSON.stringify writes the array, at depth %i', (depth) => {
    let produced = 0;
    const lazy = (items: unknown[]) =>
      new LazyJsonArray(function* () {
        for (const i of items) {
          produced += 1;
          yield i;
        }
      });
    const value = { runs: lazy([{ results: lazy([{ a: 1 }, undefined, 'x']) }, { results: lazy([]) }]), none: lazy([]), tail: [lazy([[1, 2]])] };
    const eager = { runs: [{ results: [{ a: 1 }, undefined, 'x'] }, { results: [] }], none: [], tail: [[[1, 2]]] };
    expect([...prettyJsonChunks(value, depth)].join('')).toBe(JSON.stringify(eager, null, 2));
    expect(JSON.stringify(value)).toBe(JSON.stringify(eager));
    // Nothing is produced before the walk reaches it.
    produced = 0;
    const walk = prettyJsonChunks({ runs: lazy([1, 2, 3]) }, 3);
    walk.next();
    expect(produced).toBe(0);
  });
});
