/**
 * A cluster of issue 12's shape: a generated baseline (nodes, system add-ons, RBAC) plus
 * `pods` bare Pods without owners, each a debug-style container hardened but for its
 * capabilities, so each fails a few controls (capabilities not dropped, NET_RAW kept, and for
 * some NET_RAW added) and every pod is its own finding resource.
 * Deterministic: the same options give the same snapshot.
 */
import type { KubeObject, Snapshot } from '../src/core/types.js';
import { COLLECTED_AT_MS } from './fleet/builder.js';
import { generateSnapshot } from './fleet-generator.js';

export interface OwnerlessOptions {
  cluster: string;
  pods: number;
  /** Objects of the generated baseline cluster around the pods. */
  baseline?: number;
  seed?: number;
}

const IMAGES = ['docker.io/library/busybox:1.36', 'nicolaka/netshoot:v0.13', 'curlimages/curl:8.10.1', 'registry.local/batch/worker:2.4.1'];

function ownerlessPod(i: number, namespaces: readonly string[], nodes: readonly string[]): KubeObject {
  const name = `adhoc-${i.toString(36).padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: namespaces[i % namespaces.length] ?? 'default',
      uid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      creationTimestamp: new Date(COLLECTED_AT_MS - (i % 86_400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      labels: { run: name },
    },
    spec: {
      // Hardened but for capabilities, limits and (one pod in seven) an added NET_RAW.
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image: IMAGES[i % IMAGES.length],
          command: ['sleep', 'infinity'],
          securityContext: { allowPrivilegeEscalation: false, ...(i % 7 === 0 ? { capabilities: { add: ['NET_RAW'] } } : {}) },
        },
      ],
      restartPolicy: 'Never',
      nodeName: nodes[i % nodes.length],
      serviceAccountName: 'default',
    },
  } as unknown as KubeObject;
}

export function ownerlessPodsSnapshot(opts: OwnerlessOptions): Snapshot {
  const snapshot = generateSnapshot({ cluster: opts.cluster, objects: opts.baseline ?? 2000, seed: opts.seed ?? 1 });
  const namespaces = (snapshot.objects.namespaces ?? []).map((n) => n.metadata.name).filter((n) => !n.startsWith('kube-'));
  const nodes = (snapshot.objects.nodes ?? []).map((n) => n.metadata.name);
  const pods = snapshot.objects.pods ?? [];
  for (let i = 0; i < opts.pods; i += 1) pods.push(ownerlessPod(i, namespaces, nodes));
  snapshot.objects.pods = pods;
  return snapshot;
}
