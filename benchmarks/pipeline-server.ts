/**
 * Child process of the pipeline benchmark: serves one generated cluster from the project's fake
 * HTTPS API server. It runs in its own process so that its CPU and memory are not counted as the
 * scanner's (a real API server is elsewhere too).
 *
 *   node pipeline-server.js OBJECTS SEED   -> sends { kubeconfig, objects } over IPC, serves until disconnected
 */
import { generateSnapshot } from './fleet-generator.js';
import { startFakeApiServer, type ApiObject, type KubeletBehaviour } from '../src/demo/fake-apiserver.js';

export interface ServerReady {
  kubeconfig: string;
  objects: number;
}

async function main(): Promise<void> {
  const [objects, seed] = process.argv.slice(2).map(Number);
  const snapshot = generateSnapshot({ cluster: 'bench', objects: objects ?? 10_000, seed: seed ?? 1 });
  const served: ApiObject[] = Object.values(snapshot.objects).flatMap((list) => list ?? []) as unknown as ApiObject[];
  const kubelets: Record<string, KubeletBehaviour> = {};
  for (const k of snapshot.kubelets) kubelets[k.node] = k.config ?? 'unreachable';
  const server = await startFakeApiServer({ objects: served, kubelets, tokens: { 'bench-token': 'bench' } });
  const ready: ServerReady = { kubeconfig: server.kubeconfig({ user: 'bench', token: 'bench-token' }), objects: served.length };
  process.send?.(ready);
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`pipeline-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
