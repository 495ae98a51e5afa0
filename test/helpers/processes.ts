/** Child processes whose pid is alive, then surely dead: owners of runs in the killed-run tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { processOwner } from '../../src/store/run-owner.js';

/** A child that waits until killed; its pid is alive until then. */
export function startIdleChild(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

/** Kill the child and wait until it is reaped: from then on its pid is dead (until the kernel reuses it). */
export async function killAndReap(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** The pid of a process that has come and gone. */
export async function deadPid(): Promise<number> {
  const child = startIdleChild();
  await killAndReap(child);
  return child.pid ?? 0;
}

/** This process's owner string (this host, this PID space) with another pid. */
export const ownerWithPid = (pid: number): string => processOwner().replace(`:${process.pid}@`, `:${pid}@`);
