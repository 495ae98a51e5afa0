import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobFileBase, pruneJobFiles, writeReportFile } from '../../src/report/report-files.js';
import { REPORT_FORMATS } from '../../src/main.js';
import { REPORT_FORMAT_NAMES } from '../../src/config/schema.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'complyd-files-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('report files', () => {
  it('writes the file and a .sha256 that sha256sum -c accepts, leaving no temporary file', async () => {
    const path = join(dir, 'report.pdf');
    await writeReportFile(path, Buffer.from('%PDF-1.7 fake body'));
    expect(await readdir(dir)).toEqual(['report.pdf', 'report.pdf.sha256']);
    expect(await readFile(join(dir, 'report.pdf.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}report\.pdf\n$/);
    expect(execFileSync('sha256sum', ['-c', 'report.pdf.sha256'], { cwd: dir, encoding: 'utf8' })).toContain('report.pdf: OK');
    await writeFile(path, 'changed');
    expect(() => execFileSync('sha256sum', ['-c', 'report.pdf.sha256'], { cwd: dir, stdio: 'pipe' })).toThrow();
  });

  it('names job files by run start (to the second) and run id, so they sort by time', () => {
    expect(jobFileBase('weekly', '2026-11-22T10:53:07.123Z', 'c22dc3d8-2d75-4ee2')).toBe('weekly-20261122T105307Z-c22dc3d8');
  });

  it('keeps the newest N files of a job per ending, with their .sha256, and nothing of other jobs', async () => {
    const names = [
      'weekly-20261101T060000Z-aaaaaaaa.pdf',
      'weekly-20261108T060000Z-bbbbbbbb.pdf',
      'weekly-20261115T060000Z-cccccccc.pdf',
      'weekly-20261101T060000Z-aaaaaaaa.csv',
      'weekly-daily-20261101T060000Z-dddddddd.pdf',
      'notes.txt',
    ];
    for (const n of names) {
      await writeFile(join(dir, n), n);
      await writeFile(join(dir, `${n}.sha256`), 'x');
    }
    const deleted = await pruneJobFiles(dir, 'weekly', 2);
    expect(deleted).toEqual([join(dir, 'weekly-20261101T060000Z-aaaaaaaa.pdf')]);
    const left = (await readdir(dir)).sort();
    expect(left).not.toContain('weekly-20261101T060000Z-aaaaaaaa.pdf.sha256');
    expect(left).toContain('weekly-20261101T060000Z-aaaaaaaa.csv');
    expect(left).toContain('weekly-daily-20261101T060000Z-dddddddd.pdf');
    expect(left).toContain('notes.txt');
  });

  it('the configuration accepts exactly the formats complyd renders', () => {
    expect([...REPORT_FORMAT_NAMES].sort()).toEqual([...REPORT_FORMATS].sort());
  });
});
