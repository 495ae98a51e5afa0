import { join } from 'node:path';
import { loadManifests } from '../../../src/collect/manifests.js';
import { analyzeNetwork, analyzeSnapshot } from '../../../src/evaluate/network/analyze.js';
import { diffConnections, formatDiffText } from '../../../src/evaluate/network/diff.js';
import { networkModel } from '../../../src/evaluate/network/model.js';
import { suggestPolicies } from '../../../src/evaluate/network/suggest.js';
import type { KubeObject, Snapshot } from '../../../src/core/types.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'network');

async function snapshotOf(fixture: string): Promise<Snapshot> {
  return (await loadManifests([join(FIXTURES, fixture)])).snapshot;
}

const withPolicies = (s: Snapshot, extra: readonly KubeObject[]): Snapshot => ({ ...s, objects: { ...s.objects, networkpolicies: [...(s.objects.networkpolicies ?? []), ...extra] } });

describe('connection diff', () => {
  const line = (src: string, dst: string, conn: string) => ({ src, dst, conn });
  it('names connections added, removed and changed; equal inputs make no change', () => {
    const before = [line('a', 'b', 'All Connections'), line('a', 'c', 'TCP 80'), line('b', 'c', 'TCP 80')];
    const after = [line('a', 'b', 'TCP 443'), line('b', 'c', 'TCP 80'), line('c', 'a', 'UDP 53')];
    const d = diffConnections(before, after);
    expect(d).toEqual({ added: [line('c', 'a', 'UDP 53')], removed: [line('a', 'c', 'TCP 80')], changed: [{ src: 'a', dst: 'b', before: 'All Connections', after: 'TCP 443' }] });
    expect(formatDiffText(d)).toBe('+ c => a : UDP 53\n- a => c : TCP 80\n~ a => b : All Connections -> TCP 443\n');
    expect(formatDiffText(diffConnections(before, before))).toBe('no change\n');
  });
});

describe('network suggest', () => {
  it('suggests for namespaces without policies only, and says why it skips the others', async () => {
    const model = networkModel(await snapshotOf('suggest-services.yaml'));
    const all = suggestPolicies(model);
    expect(all.suggestions.map((s) => s.namespace)).toEqual(['shop']);
    const named = suggestPolicies(model, ['tools', 'nowhere', 'shop']);
    expect(named.suggestions.map((s) => s.namespace)).toEqual(['shop']);
    expect(named.skipped).toEqual([expect.stringMatching(/^tools: has NetworkPolicies already/), expect.stringMatching(/^nowhere: no workloads/)]);
  });

  it('allows exactly what Services, the Ingress and declared ports imply, and cuts the rest', async () => {
    const snapshot = await snapshotOf('suggest-services.yaml');
    const model = networkModel(snapshot);
    const manifests = suggestPolicies(model).suggestions.flatMap((s) => s.policies.map((p) => p.manifest));
    expect(manifests.map((m) => m.metadata.name)).toEqual([
      'complyd-default-deny',
      'complyd-allow-dns',
      'complyd-allow-same-namespace-egress',
      'complyd-allow-svc-frontend',
      'complyd-allow-svc-api',
      'complyd-allow-ports-worker',
    ]);
    const after = analyzeSnapshot(withPolicies(snapshot, manifests)).connections;
    const to = (dst: string) => after.filter((c) => c.dst === dst).map((c) => `${c.src} : ${c.conn}`);
    // LoadBalancer: any source, but only the named target port (http = 8080).
    expect(to('shop/frontend[Deployment]')).toEqual(expect.arrayContaining(['0.0.0.0-255.255.255.255[External] : TCP 8080', 'tools/client[Deployment] : TCP 8080']));
    // Ingress backend: every namespace (the ingress controller's and tools), never the internet.
    expect(to('shop/api[Deployment]')).toEqual(expect.arrayContaining(['{ingress-controller} : TCP 9000', 'tools/client[Deployment] : TCP 9000']));
    expect(to('shop/api[Deployment]').some((c) => c.includes('[External]'))).toBe(false);
    // A port no Service targets: the namespace's own pods only.
    expect(to('shop/worker[Deployment]').sort()).toEqual(['shop/api[Deployment] : TCP 9100', 'shop/frontend[Deployment] : TCP 9100']);
    // Egress out of shop: its own pods only (kube-dns is not in the input), nothing to the internet.
    expect(after.filter((c) => c.src.startsWith('shop/') && !c.dst.startsWith('shop/'))).toEqual([]);
    const effect = diffConnections(analyzeNetwork(model).connections, after);
    expect(effect.added).toEqual([]);
    expect(effect.removed.map((c) => `${c.src} => ${c.dst}`)).toContain('tools/client[Deployment] => shop/worker[Deployment]');
  });
});
