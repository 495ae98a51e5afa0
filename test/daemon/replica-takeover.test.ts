/**
 * Replicas on PostgreSQL (ADR 0023): three `complyd daemon` processes share one database and a
 * fleet of three clusters. The daemon that leases the first slot is killed with SIGKILL while
 * its last cluster's API server is slow to answer; once its lease lapses another replica takes
 * the slot over and finishes the very run it began. Every cluster of every slot is recorded
 * exactly once, no run is left running, and the hash chain verifies.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';
import { describePostgres } from '../helpers/databases.js';

const CLUSTERS = ['east', 'west', 'slow'];

interface Replica {
  child: ChildProcessWithoutNullStreams;
  lines: Array<Record<string, unknown>>;
}

describePostgres('replicas taking over a slot', (db) => {
  let server: FakeApiServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-replicas-'));
    server = await startFakeApiServer({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:1' }] } } } },
      ],
      tokens: Object.fromEntries(CLUSTERS.map((c) => [`tok-${c}`, c])),
      // The first request for the last cluster hangs: whoever scans the first slot is still
      // reading it, its other clusters recorded, when it is killed.
      faults: { '*': { delayMs: 30_000, times: 1, users: ['slow'] } },
    });
    for (const c of CLUSTERS) writeFileSync(join(dir, `${c}.yaml`), server.kubeconfig({ user: c, token: `tok-${c}` }));
  });
  afterAll(async () => {
    stopAllCli();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(config: string): Replica {
    const child = startCli(['daemon', '-c', config, '--no-catch-up', '--listen', 'off', '--grace', '5s', '--log-level', 'info']);
    const replica: Replica = { child, lines: [] };
    let pending = '';
    child.stderr.on('data', (d: Buffer) => {
      pending += d.toString();
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      for (const l of pending.slice(0, cut).split('\n')) if (l.startsWith('{')) replica.lines.push(JSON.parse(l) as Record<string, unknown>);
      pending = pending.slice(cut + 1);
    });
    return replica;
  }

  async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, replicas: readonly Replica[], ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no ${what}:\n${replicas.map((r) => r.lines.map((l) => JSON.stringify(l)).join('\n')).join('\n---\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('scans every slot once, completely, when the daemon scanning it is killed', async () => {
    const storage = await db.fresh();
    if (storage.kind !== 'postgres') throw new Error('PostgreSQL only');
    // Two slots at fixed seconds, the first once the daemons are up, the second while the
    // first is being taken over; the next would come a minute later, after the test. Three
    // daemons starting at once on a busy 2-core machine took over 10 s to be scheduling (a
    // first slot 8 s ahead was missed; with two jest workers, over 20 s), so the first is 30 s ahead.
    const now = Date.now();
    const first = new Date(now + 30_000);
    const second = new Date(now + 38_000);
    const config = join(dir, 'complyd.yaml');
    writeFileSync(
      config,
      [
        'clusters:',
        ...CLUSTERS.flatMap((c) => [`  - name: ${c}`, `    kubeconfig: ${c}.yaml`]),
        'storage:',
        `  postgres: ${storage.url}`,
        'output:',
        '  dir: out',
        '  formats: [json]',
        'collect:',
        // One cluster at a time, in order: the slow one is the last, the others are recorded before it.
        '  concurrency: 1',
        'schedule:',
        `  scan: "${first.getUTCSeconds()},${second.getUTCSeconds()} * * * * *"`,
        // Starved of CPU, a live daemon renewed a 3 s lease too late and lost its slot to a
        // replica (as a stall longer than the lease does): 10 s keeps the holder the holder.
        '  lease: 10s',
        '  leaseRenew: 2s',
        '',
      ].join('\n'),
    );
    const replicas = [start(config), start(config), start(config)];

    // The holder of the first slot, once it has recorded every cluster but the slow one and
    // its request for that one hangs.
    const holder = await until(
      'holder of the first slot',
      () => (server.requests.some((q) => q.user === 'slow') ? replicas.find((r) => r.lines.filter((l) => l['msg'] === 'cluster recorded').length === CLUSTERS.length - 1) : undefined),
      replicas,
    );
    const runId = String(holder.lines.find((l) => l['msg'] === 'run started')?.['runId']);
    const exited = new Promise((r) => holder.child.once('exit', r));
    holder.child.kill('SIGKILL');
    await exited;
    const others = replicas.filter((r) => r !== holder);

    // Another replica takes the slot over and finishes the run the dead one began.
    const taker = await until('takeover', () => others.find((r) => r.lines.some((l) => l['msg'] === 'run taken over' && l['runId'] === runId)), others);
    const takenOver = taker.lines.find((l) => l['msg'] === 'slot taken over from a daemon whose lease lapsed');
    expect(takenOver?.['runId']).toBe(runId);
    const taken = taker.lines.find((l) => l['msg'] === 'run taken over');
    expect(taken).toMatchObject({ inherited: CLUSTERS.length - 1, clusters: 1 });

    // The second slot scanned too (by either replica), then both stop with nothing in flight.
    const store = knexRunStore(await openDatabase(storage));
    try {
      const finished = async () => {
        const runs = await store.history.listRuns(10);
        return runs.length === 2 && runs.every((r) => r.status !== 'running') ? runs : undefined;
      };
      const runs = await until('two finished runs', finished, others);
      for (const r of others) {
        const stopped = new Promise((resolve) => r.child.once('exit', resolve));
        r.child.kill('SIGTERM');
        expect(await stopped).toBe(0);
      }

      // One run per slot, each complete, with every cluster exactly once.
      expect(runs.map((r) => r.status)).toEqual(['complete', 'complete']);
      expect(runs.map((r) => new Date(r.startedAt).getUTCSeconds()).sort()).toEqual([first.getUTCSeconds(), second.getUTCSeconds()].sort());
      expect(runs.some((r) => r.id === runId)).toBe(true);
      for (const run of runs) {
        const clusters = await store.history.clusterResults(run.id);
        expect(clusters.map((c) => c.cluster).sort()).toEqual([...CLUSTERS].sort());
        expect(clusters.every((c) => c.status === 'complete')).toBe(true);
      }
      const lease = (await store.claims.lapsedLeases('scan', new Date(Date.now() + 3_600_000), 10)).length;
      expect(lease).toBe(0);
    } finally {
      await store.close();
    }
    const verify = await runCli(['verify', '-c', config]);
    expect({ code: verify.code, stderr: verify.stderr }).toEqual({ code: 0, stderr: expect.any(String) as unknown });
    expect(verify.stdout).toMatch(/\S/);
  }, 180_000);
});
