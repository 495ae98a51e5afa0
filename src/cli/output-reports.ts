/**
 * The reports `scan` and the daemon write after each scan (`output.formats` into `output.dir`),
 * and their retention: the newest `output.keep` of each format stay, older ones go.
 *
 * Only files complyd wrote there for `output.formats` are ever deleted. Their names carry no
 * date (`complyd-report-<run>.json`), and a file of that name may also come from `complyd
 * report --out` or a copy, so the directory keeps a ledger, `.complyd-output-reports`: one
 * file name per line, in the order written. Pruning reads the ledger, never the directory
 * listing. A file missing from the ledger (written before it existed, or an append lost to a
 * concurrent rewrite by another process) is kept: the failure leaves a file, never deletes one.
 */
import { appendFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Config } from '../config/load.js';
import type { HistoryReader } from '../store/run-store.js';
import { writeReports, type ReportOptions } from '../main.js';

export const LEDGER = '.complyd-output-reports';

/** The names writeReports gives by default; nothing else on the ledger is deleted, whatever it says. */
const REPORT_FILE = /^complyd-report-[0-9a-f]{8}\.(json|pdf|csv|sarif|junit\.xml|md)$/;

export interface OutputReports {
  written: string[];
  deleted: string[];
}

/** Write a run's reports for `output.formats`, record them, then prune each format to `output.keep`. */
export async function writeOutputReports(store: HistoryReader, runId: string, output: Config['output'], opts: ReportOptions = {}): Promise<OutputReports> {
  if (output.formats.length === 0) return { written: [], deleted: [] };
  const written = await writeReports(store, runId, output.dir, output.formats, opts);
  await appendFile(join(output.dir, LEDGER), written.map((p) => `${basename(p)}\n`).join(''));
  return { written, deleted: await pruneOutputReports(output.dir, output.keep) };
}

/**
 * Delete the files on `dir`'s ledger beyond the newest `keep` of each ending, with their
 * .sha256, and rewrite the ledger without them. Returns the paths deleted.
 */
export async function pruneOutputReports(dir: string, keep: number): Promise<string[]> {
  const ledger = join(dir, LEDGER);
  let text: string;
  try {
    text = await readFile(ledger, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // A run's reports written again move to the end: the order is that of the last write.
  const names = [...new Set(text.split('\n').filter((n) => REPORT_FILE.test(n)).reverse())].reverse();
  const byEnding = new Map<string, string[]>();
  for (const name of names) {
    const ending = REPORT_FILE.exec(name)?.[1] ?? '';
    byEnding.set(ending, [...(byEnding.get(ending) ?? []), name]);
  }
  const doomed = new Set([...byEnding.values()].flatMap((list) => list.slice(0, Math.max(0, list.length - keep))));
  if (doomed.size === 0) return [];
  const tmp = join(dir, `${LEDGER}.${process.pid}.tmp`);
  await writeFile(tmp, names.filter((n) => !doomed.has(n)).map((n) => `${n}\n`).join(''));
  await rename(tmp, ledger);
  const deleted: string[] = [];
  for (const name of doomed) {
    await rm(join(dir, name), { force: true });
    await rm(join(dir, `${name}.sha256`), { force: true });
    deleted.push(join(dir, name));
  }
  return deleted.sort();
}
