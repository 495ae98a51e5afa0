/**
 * Synthetic clusters at scale, for benchmarks.
 *
 * `generateSnapshot` builds a Snapshot shaped like what the collector keeps after normalization
 * (src/collect/normalize.ts: kind/apiVersion filled in, no managedFields, no
 * last-applied-configuration, status only for Nodes and LoadBalancer Services, Secrets reduced
 * to metadata and type), with the object mix of a real multi-team cluster: Pods and ReplicaSets
 * dominate, Deployments own ReplicaSets own Pods, DaemonSets put a pod on every node,
 * CronJobs leave Jobs and completed Pods behind, Helm leaves release Secrets, and so on.
 *
 * Security contexts vary the way they do in practice: most app workloads are hardened or
 * left at defaults, a few run as root or add capabilities, node agents are privileged with
 * hostPath and host namespaces, and rare settings (hostPort, unsafe sysctls, Unconfined
 * seccomp, custom SELinux types...) appear at low rates.
 *
 * Deterministic: the same options give the same snapshot, byte for byte (seeded PRNG, no
 * clock reads). The object count is exact for `objects` >= ~1,500; below that the
 * cluster-level baseline (nodes, system add-ons, built-in RBAC) may exceed it.
 */
import type { ControlPlaneComponent, Gap, KubeObject, KubeletEvidence, Provider, ResourceKind, Snapshot } from '../src/core/types.js';
import { COLLECTED_AT_MS, ClusterBuilder, K8S_VERSIONS, REGIONS, Rng } from './fleet/builder.js';
import { addClusterRbac, addNodes, kubeletConfig } from './fleet/cluster.js';
import { addAppNamespace } from './fleet/namespaces.js';
import { addSystem } from './fleet/system.js';
import { addSecret } from './fleet/workloads.js';

export interface GenerateOptions {
  cluster: string;
  /** Total number of Kubernetes objects across all resource kinds. */
  objects: number;
  seed: number;
}

export function generateSnapshot(opts: GenerateOptions): Snapshot {
  if (!Number.isInteger(opts.objects) || opts.objects < 1) throw new Error(`objects must be a positive integer, got ${opts.objects}`);
  const pre = new Rng(opts.seed ^ 0x5bd1e995);
  const provider = pre.weighted<Provider>([
    ['kubeadm', 45],
    ['eks', 30],
    ['gke', 10],
    ['aks', 10],
    ['rke2', 5],
  ]);
  const region = pre.pick(REGIONS);
  const version = pre.pick(K8S_VERSIONS);
  const b = new ClusterBuilder(opts.cluster, opts.objects, opts.seed, provider);

  const nodeCount = Math.max(3, Math.min(1000, Math.round(opts.objects / 250)));
  addNodes(b, nodeCount, region);
  addClusterRbac(b, Math.round(90 + opts.objects * 0.008), Math.round(60 + opts.objects * 0.005));
  addSystem(b);
  while (b.remaining > 40) addAppNamespace(b);
  // Fill the last few slots with what clusters accumulate anyway: Opaque secrets.
  const apps = b.namespaces.filter((n) => n.apps.length > 0);
  while (b.remaining > 0) {
    const ns = b.rng.pick(apps.length > 0 ? apps : b.namespaces);
    addSecret(b, ns, `${b.rng.pick(ns.apps.length > 0 ? ns.apps : ['app'])}-env`, 'Opaque');
  }

  const controlPlane: ControlPlaneComponent[] = [];
  for (const pod of b.objects.pods ?? []) {
    if (pod.metadata.labels?.tier !== 'control-plane') continue;
    const spec = pod.spec as { nodeName?: string; containers?: Array<{ name: string; command?: string[] }> };
    const comp: ControlPlaneComponent = {
      component: pod.metadata.labels.component ?? 'unknown',
      namespace: 'kube-system',
      pod: pod.metadata.name,
      containers: (spec.containers ?? []).map((c) => ({ name: c.name, argv: c.command ?? [], env: {} })),
    };
    if (spec.nodeName) comp.node = spec.nodeName;
    controlPlane.push(comp);
  }
  const gaps: Gap[] = [];
  if (controlPlane.length === 0) {
    gaps.push({ evidence: 'controlPlane', reason: 'not-found', message: `no control-plane pods visible: ${provider} runs a managed control plane` });
  }
  const kubelets: KubeletEvidence[] = [];
  for (const node of b.nodes) {
    if (b.rng.chance(0.01)) {
      kubelets.push({ node });
      gaps.push({ evidence: `kubelets/${node}`, reason: 'timeout', message: `GET /api/v1/nodes/${node}/proxy/configz: timed out after 10s` });
    } else {
      kubelets.push({ node, config: kubeletConfig(b) });
    }
  }

  return {
    cluster: opts.cluster,
    labels: { env: pre.pick(['prod', 'prod', 'staging', 'dev']), region, provider, owner: 'platform' },
    collectedAt: new Date(COLLECTED_AT_MS).toISOString(),
    serverVersion: { major: '1', minor: version.minor, gitVersion: `v1.${version.minor}.${version.patch}`, platform: 'linux/amd64' },
    provider,
    objects: b.objects,
    controlPlane,
    kubelets,
    gaps,
    source: 'cluster',
  };
}

/** The snapshot as the daemon would hand it around or store it. */
export function snapshotJson(s: Snapshot): string {
  return JSON.stringify(s);
}

/** Objects per resource kind, for reports. */
export function objectCounts(s: Snapshot): Partial<Record<ResourceKind, number>> {
  const out: Partial<Record<ResourceKind, number>> = {};
  for (const [kind, list] of Object.entries(s.objects) as Array<[ResourceKind, KubeObject[]]>) out[kind] = list.length;
  return out;
}
