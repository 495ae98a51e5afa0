/** runScan never leaves its run `running` under a live process, whatever breaks after it began. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { runScan } from '../../src/main.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { silentLogger } from '../../src/core/log.js';

let dir: string;
let store: RunStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'complyd-run-scan-'));
  store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') }));
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

it('records the run as failed when the scan throws after the run began', async () => {
  // The cluster fails at once (no kubeconfig); the progress callback then throws.
  const config = parseConfig('clusters:\n  - name: ghost\n    kubeconfig: missing.yaml\n', join(dir, 'complyd.yaml'));
  let started: string | undefined;
  const scan = runScan(config, store, silentLogger(), {
    trigger: 'cli',
    onStart: (id) => (started = id),
    onCluster: () => {
      throw new Error('progress output broke');
    },
  });
  await expect(scan).rejects.toThrow('progress output broke');
  expect(started).toBeDefined();
  expect((await store.history.listRuns(10)).map((r) => [r.id, r.status])).toEqual([[started, 'failed']]);
});
