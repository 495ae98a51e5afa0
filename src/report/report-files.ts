/**
 * Writing report files: atomically (a reader never sees half a PDF), each with its SHA-256
 * beside it (`report.pdf.sha256`, in the format `sha256sum -c` reads), and pruning the
 * oldest files of a scheduled job beyond how many it keeps.
 */
import { createHash } from 'node:crypto';
import { open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export function sha256Line(bytes: Buffer, file: string): string {
  return `${createHash('sha256').update(bytes).digest('hex')}  ${basename(file)}\n`;
}

/** Text pieces are written out about this many characters at a time. */
const WRITE_BATCH = 1 << 20;

/**
 * Write `content` to `path` through a temporary file and a rename, then `path.sha256`.
 * Content given in pieces (a large report's text) is written and hashed as it comes, never
 * held whole.
 */
export async function writeReportFile(path: string, content: Buffer | Iterable<string>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const hash = createHash('sha256');
  try {
    const file = await open(tmp, 'w');
    try {
      const put = async (bytes: Buffer) => {
        hash.update(bytes);
        await file.write(bytes);
      };
      if (Buffer.isBuffer(content)) await put(content);
      else {
        let batch = '';
        for (const piece of content) {
          batch += piece;
          if (batch.length >= WRITE_BATCH) {
            await put(Buffer.from(batch, 'utf8'));
            batch = '';
          }
        }
        if (batch) await put(Buffer.from(batch, 'utf8'));
      }
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await writeFile(`${path}.sha256`, `${hash.digest('hex')}  ${basename(path)}\n`);
}

/** `<job>-<YYYYMMDDTHHMMSSZ>-<run id prefix>`: sorts by the run's start, names the run. */
export function jobFileBase(job: string, runStartedAt: string, runId: string): string {
  const stamp = new Date(runStartedAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${job}-${stamp}-${runId.slice(0, 8)}`;
}

/**
 * Delete the oldest files of a job beyond `keep`, per file ending (so 12 PDFs and 12 CSVs
 * are kept), with their .sha256 files. Returns the paths deleted.
 */
export async function pruneJobFiles(dir: string, job: string, keep: number): Promise<string[]> {
  const pattern = new RegExp(`^${job.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{8}T\\d{6}Z)-[0-9a-f]{8}\\.(.+)$`);
  const byEnding = new Map<string, string[]>();
  for (const name of await readdir(dir)) {
    const m = pattern.exec(name);
    if (!m?.[2] || m[2].endsWith('.sha256')) continue;
    const list = byEnding.get(m[2]) ?? [];
    if (list.length === 0) byEnding.set(m[2], list);
    list.push(name);
  }
  const deleted: string[] = [];
  for (const names of byEnding.values()) {
    names.sort();
    for (const name of names.slice(0, Math.max(0, names.length - keep))) {
      await rm(join(dir, name), { force: true });
      await rm(join(dir, `${name}.sha256`), { force: true });
      deleted.push(join(dir, name));
    }
  }
  return deleted.sort();
}
