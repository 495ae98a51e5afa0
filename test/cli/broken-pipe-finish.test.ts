/** The work a process finishes before a broken pipe ends it (the daemon's scan in flight), once and bounded. */
import { EventEmitter } from 'node:events';
import { beforeBrokenPipeExit, exitQuietlyOnBrokenPipe, EXIT_BROKEN_PIPE } from '../../src/cli/broken-pipe.js';

const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

afterEach(() => beforeBrokenPipeExit(undefined));

describe('beforeBrokenPipeExit', () => {
  it('runs the registered work first, then exits 141 once, however many writes fail meanwhile', async () => {
    const events: string[] = [];
    let finish: () => void = () => undefined;
    beforeBrokenPipeExit(() => new Promise<void>((resolve) => (finish = () => (events.push('recorded'), resolve()))));
    const [out, err] = [new EventEmitter(), new EventEmitter()];
    const exited = new Promise<number>((resolve) => exitQuietlyOnBrokenPipe([out, err], (code) => (events.push(`exit ${code}`), resolve(code))));
    err.emit('error', epipe());
    out.emit('error', epipe());
    err.emit('error', epipe());
    expect(events).toEqual([]);
    finish();
    expect(await exited).toBe(EXIT_BROKEN_PIPE);
    expect(events).toEqual(['recorded', `exit ${EXIT_BROKEN_PIPE}`]);
  });

  it('still exits 141 when the work fails; exits at once with nothing registered; throws other write errors', async () => {
    beforeBrokenPipeExit(() => Promise.reject(new Error('store gone')));
    const s = new EventEmitter();
    const code = new Promise<number>((resolve) => exitQuietlyOnBrokenPipe([s], resolve));
    s.emit('error', epipe());
    expect(await code).toBe(EXIT_BROKEN_PIPE);

    beforeBrokenPipeExit(undefined);
    const codes: number[] = [];
    const t = new EventEmitter();
    exitQuietlyOnBrokenPipe([t], (c) => codes.push(c));
    t.emit('error', epipe());
    expect(codes).toEqual([EXIT_BROKEN_PIPE]);
    expect(() => t.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow('disk full');
  });
});
