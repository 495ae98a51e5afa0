/** Whether a run's owner is provably gone: only a pid of this PID space that the kernel no longer knows. */
import { hostname } from 'node:os';
import { ownerIsGone, pidSpace, processOwner } from '../../src/store/run-owner.js';
import { deadPid, killAndReap, ownerWithPid, startIdleChild } from '../helpers/processes.js';

describe('run owner', () => {
  it('names this host, this pid and its PID space', () => {
    const space = pidSpace();
    expect(space).toMatch(/^[0-9a-f]{16}$/);
    expect(processOwner()).toBe(`${hostname()}:${process.pid}@${space}`);
    expect(ownerIsGone(processOwner())).toBe(false);
  });

  it('is gone once its process has exited, and not before', async () => {
    const child = startIdleChild();
    const owner = ownerWithPid(child.pid ?? 0);
    try {
      expect(ownerIsGone(owner)).toBe(false);
    } finally {
      await killAndReap(child);
    }
    expect(ownerIsGone(owner)).toBe(true);
  });

  it('is never gone when the pid cannot be checked here', async () => {
    const dead = await deadPid();
    expect(ownerIsGone(ownerWithPid(dead))).toBe(true);
    // Another PID space (another machine or container), an owner without one, nonsense pids.
    expect(ownerIsGone(`${hostname()}:${dead}@0123456789abcdef`)).toBe(false);
    expect(ownerIsGone(`${hostname()}:${dead}`)).toBe(false);
    for (const pid of [0, 2 ** 31, 2 ** 53]) expect([pid, ownerIsGone(ownerWithPid(pid))]).toEqual([pid, false]);
  });

  it('counts a process it may not signal (EPERM) as alive, and only ESRCH as gone', () => {
    const asIfKillFailed = (code: string) => {
      const kill = process.kill;
      process.kill = (() => {
        throw Object.assign(new Error(`kill ${code}`), { code });
      }) as typeof process.kill;
      try {
        return ownerIsGone(ownerWithPid(1));
      } finally {
        process.kill = kill;
      }
    };
    expect(asIfKillFailed('EPERM')).toBe(false);
    expect(asIfKillFailed('ESRCH')).toBe(true);
  });
});
