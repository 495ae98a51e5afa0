/**
 * Child process of the collector-limits benchmark: serves a generated cluster from the fake API
 * server with the faults given as JSON, in a process of its own so that its memory is not the
 * collector's.
 *
 *   node limits-server.js OBJECTS FAULTS_JSON   -> sends { kubeconfig, objects } over IPC
 */
import { generateSnapshot } from './fleet-generator.js';
import { startFakeApiServer, type ApiObject, type Fault } from '../src/demo/fake-apiserver.js';

async function main(): Promise<void> {
  const objects = Number(process.argv[2] ?? 10_000);
  const faults = JSON.parse(process.argv[3] ?? '{}') as Record<string, Fault>;
  const snapshot = generateSnapshot({ cluster: 'bench', objects, seed: 1 });
  const served = Object.values(snapshot.objects).flatMap((list) => list ?? []) as unknown as ApiObject[];
  const server = await startFakeApiServer({ objects: served, tokens: { 'bench-token': 'bench' }, faults });
  process.send?.({ kubeconfig: server.kubeconfig({ user: 'bench', token: 'bench-token' }), objects: served.length });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`limits-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
