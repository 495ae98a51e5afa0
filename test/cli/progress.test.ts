import { progress } from '../../src/cli/progress.js';

describe('progress: one rule for stderr', () => {
  const run = (tty: boolean, quiet: boolean) => {
    const lines: string[] = [];
    const p = progress({ tty, quiet, write: (t) => lines.push(t) });
    p.step('scanning 2 clusters');
    p.note('wrote report.pdf');
    return lines;
  };

  it('progress only on a terminal and not with --quiet; notes unless --quiet', () => {
    expect(run(true, false)).toEqual(['scanning 2 clusters\n', 'wrote report.pdf\n']);
    expect(run(false, false)).toEqual(['wrote report.pdf\n']);
    expect(run(true, true)).toEqual([]);
    expect(run(false, true)).toEqual([]);
  });
});
