import { join } from 'node:path';
import type { Finding, Gap, KubeletEvidence, Provider, Snapshot, Status } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { NODE_CONTROLS } from '../../src/controls/cis/node/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { loadManifests } from '../../src/collect/manifests.js';
import { readFleetFile } from '../../src/demo/fleet.js';

/** CIS 4.2 and 4.3 on the demo fleet (config/demo-fleet/<cluster>/fleet.yaml, `kubelet` section). */

const NOW = new Date('2026-11-01T00:00:00Z');
type Config = Record<string, unknown>;

function run(id: string, snap: Snapshot): Finding[] {
  const c = CONTROLS.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return evaluate(snap, [c], NOW);
}

/** fleet.yaml's merge: per-node fields over the shared config, null removing a field. */
function merge(base: Config, over: Config): Config {
  const out = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k];
    const nested = typeof cur === 'object' && cur !== null && !Array.isArray(cur) && typeof v === 'object' && v !== null && !Array.isArray(v);
    if (v === null) delete out[k];
    else out[k] = nested ? merge(cur as Config, v as Config) : v;
  }
  return out;
}

/** The demo fleet's kubelets, as the collector would see them through the fake API server. */
async function demoSnapshot(cluster: string, provider: Provider): Promise<Snapshot> {
  const dir = join('config/demo-fleet', cluster);
  const fleet = readFleetFile(join(dir, 'fleet.yaml'));
  const { snapshot: snap } = await loadManifests([dir], { collectedAt: NOW });
  const kubelets: KubeletEvidence[] = [];
  const gaps: Gap[] = [];
  for (const n of snap.objects.nodes ?? []) {
    const name = n.metadata.name;
    const behaviour = fleet.kubelet?.nodes?.[name];
    if (behaviour === 'disabled') {
      kubelets.push({ node: name });
      gaps.push({ evidence: `kubelets/${name}`, reason: 'method-not-allowed', message: `GET nodes/${name}/proxy/configz: HTTP 405: Debug endpoints are disabled.` });
    } else if (behaviour === 'unreachable') {
      kubelets.push({ node: name });
      gaps.push({ evidence: `kubelets/${name}`, reason: 'server-error', message: `GET nodes/${name}/proxy/configz: HTTP 503` });
    } else {
      kubelets.push({ node: name, config: merge(fleet.kubelet?.config ?? {}, behaviour ?? {}) });
    }
  }
  return { ...snap, cluster, provider, kubelets, gaps, source: 'cluster' };
}

/** For each kubelet control, the nodes it fails (and, separately, those it cannot judge). */
function byStatus(snap: Snapshot, status: Status): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of NODE_CONTROLS.filter((x) => x.needs.includes('kubelets'))) {
    const nodes = evaluate(snap, [c], NOW)
      .filter((f) => f.status === status)
      .map((f) => f.resource.name)
      .sort();
    if (nodes.length > 0) out[c.id] = nodes;
  }
  return out;
}

describe('demo fleet', () => {
  it('prod-eu: worker-3 is the weak kubelet; every kubeadm node serves a self-signed certificate', async () => {
    const snap = await demoSnapshot('prod-eu', 'kubeadm');
    const all = ['prod-eu-cp-1', 'prod-eu-worker-1', 'prod-eu-worker-2', 'prod-eu-worker-3'];
    expect(snap.kubelets.map((k) => k.node).sort()).toEqual(all);
    expect(byStatus(snap, 'fail')).toEqual({
      'CIS-4.2.1': ['prod-eu-worker-3'],
      'CIS-4.2.4': ['prod-eu-worker-3'],
      'CIS-4.2.5': ['prod-eu-worker-3'],
      'CIS-4.2.9': all,
      'CIS-4.2.12': ['prod-eu-worker-3'],
      'CIS-4.2.14': ['prod-eu-worker-3'],
    });
    expect(byStatus(snap, 'unknown')).toEqual({});
    // kubeadm's kube-proxy ConfigMap: metricsBindAddress "" is the loopback default.
    expect(run('CIS-4.3.1', snap).map((f) => [f.status, f.evidence?.path])).toEqual([['pass', 'ConfigMap kube-system/kube-proxy [config.conf].metricsBindAddress']]);
  });

  it('dev-k3s: the agent with debugging handlers off is unknown everywhere; kube-proxy is embedded', async () => {
    const snap = await demoSnapshot('dev-k3s', 'k3s');
    const unknown = byStatus(snap, 'unknown');
    expect(Object.keys(unknown)).toHaveLength(13);
    for (const nodes of Object.values(unknown)) expect(nodes).toEqual(['k3s-agent-2']);
    expect(byStatus(snap, 'fail')).toEqual({
      'CIS-4.2.10': ['k3s-agent-1', 'k3s-server-1'],
      'CIS-4.2.12': ['k3s-agent-1', 'k3s-server-1'],
      'CIS-4.2.13': ['k3s-agent-1', 'k3s-server-1'],
      'CIS-4.2.14': ['k3s-agent-1', 'k3s-server-1'],
    });
    expect(run('CIS-4.3.1', snap).map((f) => f.status)).toEqual(['manual']);
  });

  it('analytics-eks: kubelet controls apply as anywhere else', async () => {
    const snap = await demoSnapshot('analytics-eks', 'eks');
    const nodes = ['ip-10-42-11-73.ec2.internal', 'ip-10-42-27-190.ec2.internal', 'ip-10-42-40-12.ec2.internal'];
    expect(byStatus(snap, 'unknown')).toEqual({});
    expect(byStatus(snap, 'fail')).toEqual({
      'CIS-4.2.12': nodes,
      'CIS-4.2.13': nodes,
      'CIS-4.2.14': nodes,
    });
    // EKS's kube-proxy-config binds the metrics to every interface.
    expect(run('CIS-4.3.1', snap).map((f) => [f.status, f.evidence?.observed])).toEqual([['fail', '0.0.0.0:10249']]);
  });
});
