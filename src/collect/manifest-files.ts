import { open, readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/**
 * Which files a list of manifest paths stands for, and reading one without trusting its
 * size. Nothing here is skipped silently: every entry that is not read is either listed
 * with its reason or reported as a problem.
 */

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** A path that was found but deliberately not read, and why. */
export interface SkippedPath {
  path: string;
  reason: string;
}

/** A path that should have been read and could not be. */
export interface PathProblem {
  path: string;
  message: string;
  cause?: unknown;
}

export interface ExpandedPaths {
  files: string[];
  skipped: SkippedPath[];
  problems: PathProblem[];
  /** Entries skipped because an earlier path already read them. */
  repeats: number;
}

/**
 * A path given on the command line: a file as is (whatever its name), a directory searched
 * recursively for *.yaml, *.yml and *.json in name order. Symbolic links are followed, to
 * files and to directories; a directory or file reached twice (a link loop, two links to one
 * target) is read once and the repeat listed as skipped.
 */
export async function expandPath(path: string, seen: Map<string, string> = new Map()): Promise<ExpandedPaths> {
  const out: ExpandedPaths = { files: [], skipped: [], problems: [], repeats: 0 };
  await visit(path, true, seen, out);
  return out;
}

async function visit(path: string, explicit: boolean, seen: Map<string, string>, out: ExpandedPaths): Promise<void> {
  let info;
  let real;
  try {
    info = await stat(path);
    real = await realpath(path);
  } catch (err) {
    out.problems.push({ path, message: `cannot read: ${reason(err)}`, cause: err });
    return;
  }
  const first = seen.get(real);
  if (first !== undefined) {
    out.repeats++;
    out.skipped.push({ path, reason: first === path ? 'already read' : `same ${info.isDirectory() ? 'directory' : 'file'} as ${first}, already read` });
    return;
  }
  seen.set(real, path);
  if (!info.isDirectory()) {
    // A named file is read whatever it is (/dev/stdin, a pipe); found in a directory, only a regular file is.
    if (explicit || info.isFile()) out.files.push(path);
    else out.skipped.push({ path, reason: 'not a regular file' });
    return;
  }
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    out.problems.push({ path, message: `cannot read directory: ${reason(err)}`, cause: err });
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = join(path, e.name);
    // A link is judged by its target (stat in visit), a manifest link by its own name.
    if (e.isDirectory() || (e.isSymbolicLink() && (await isDirectory(full)))) await visit(full, false, seen, out);
    else if (EXTENSIONS.has(extname(e.name).toLowerCase())) await visit(full, false, seen, out);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false; // a dangling link: visit reports it if its name is a manifest's
  }
}

/** The file is larger than the limit. */
export class TooLargeError extends Error {}

/**
 * The file's text, refused past `maxBytes` before it is held: the size on disk is checked
 * first, and reading stops one chunk past the limit (a device or pipe has no size).
 */
export async function readBounded(file: string, maxBytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > maxBytes) throw new TooLargeError(`${info.size} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw new TooLargeError('more bytes than that');
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** `ENOENT: no such file or directory, open 'x'` -> `no such file or directory (ENOENT)`. */
export function reason(err: unknown): string {
  // Not `instanceof Error`: errors can come from another realm (vm contexts, workers).
  const message = err !== null && typeof err === 'object' && 'message' in err && typeof err.message === 'string' ? err.message : String(err);
  const errno = /^(E[A-Z]+): ([^,]+)/.exec(message);
  return errno ? `${errno[2]} (${errno[1]})` : message;
}
