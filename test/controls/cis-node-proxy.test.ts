import { join } from 'node:path';
import type { Finding, KubeObject, Provider, Snapshot } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { isLoopback } from '../../src/controls/cis/node/proxy-metrics.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { loadManifests } from '../../src/collect/manifests.js';

/**
 * kube-proxy as the API shows it (DaemonSet or RKE2/kops static pod): CIS 4.3.1 (metrics bind
 * address, from the flags) and the partial CIS 4.1.3 (the volume that carries its kubeconfig).
 */

const NOW = new Date('2026-11-01T00:00:00Z');

function run(id: string, snap: Snapshot): Finding[] {
  const c = CONTROLS.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return evaluate(snap, [c], NOW);
}

function snapshot(over: Partial<Snapshot>): Snapshot {
  return { cluster: 'test', labels: {}, collectedAt: NOW.toISOString(), provider: 'kubeadm', objects: {}, controlPlane: [], kubelets: [], gaps: [], source: 'cluster', ...over };
}

describe('kube-proxy: 4.3.1 metrics bind address and 4.1.3 kubeconfig volume', () => {
  it.each([
    ['127.0.0.1:10249', true],
    ['127.0.0.53', true],
    ['[::1]:10249', true],
    ['::1', true],
    ['localhost:10249', false],
    ['0.0.0.0:10249', false],
    ['[::]:10249', false],
    ['10.0.0.5:10249', false],
    ['$(HOST_IP):10249', false],
  ])('%s is loopback: %s', (address, expected) => expect(isLoopback(address)).toBe(expected));

  async function fixture(id: string, file: string): Promise<Finding[]> {
    const { snapshot: snap } = await loadManifests([join('test/fixtures/controls', id, file)], { collectedAt: NOW });
    return run(id, { ...snap, source: 'cluster' });
  }

  it('reads the flag, expands $(VAR) from literal env values, and names the field', async () => {
    const [f] = await fixture('CIS-4.3.1', 'fail-all-interfaces.yaml');
    expect(f).toMatchObject({
      status: 'fail',
      resource: { kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' },
      evidence: { path: 'spec.template.spec.containers[kube-proxy].command', observed: '--metrics-bind-address=0.0.0.0:10249' },
    });
    const [rke2] = await fixture('CIS-4.3.1', 'pass-rke2-static-pod.yaml');
    expect(rke2).toMatchObject({ status: 'pass', resource: { kind: 'Pod', name: 'kube-proxy-agent-1' }, evidence: { path: 'spec.containers[kube-proxy].args' } });
  });

  it('never passes a host name, which kube-proxy refuses (it wants IP:port): unknown', () => {
    const proxy = (arg: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
      spec: { template: { spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.2', command: ['kube-proxy', '--kubeconfig=/var/lib/kube-proxy/kubeconfig', arg] }] } } },
    });
    const status = (arg: string) => run('CIS-4.3.1', snapshot({ objects: { daemonsets: [proxy(arg)] } })).map((f) => f.status);
    expect(status('--metrics-bind-address=localhost:10249')).toEqual(['unknown']);
    expect(status('--metrics-bind-address=127.0.0.1:10249')).toEqual(['pass']);
    expect(status('--metrics-bind-address=0.0.0.0:10249')).toEqual(['fail']);
  });

  it('is unknown with kubeadm --config when its ConfigMap is not in the evidence: the flag is ignored', async () => {
    const [f] = await fixture('CIS-4.3.1', 'unknown-kubeadm-config-file.yaml');
    expect(f?.status).toBe('unknown');
    expect(f?.evidence?.observed).toBe(
      '--config=/var/lib/kube-proxy/config.conf; --metrics-bind-address=127.0.0.1:10249 is ignored while --config is given',
    );
    expect(f?.message).toBe(
      'kube-proxy takes its settings from /var/lib/kube-proxy/config.conf (ConfigMap kube-system/kube-proxy, key config.conf), and ' +
        'with --config it ignores the --metrics-bind-address flag. ConfigMap kube-system/kube-proxy is not among the evidence, so ' +
        'metricsBindAddress is unknown; to read it: kubectl -n kube-system get configmap kube-proxy -o yaml (empty or ' +
        '127.0.0.1:10249 is compliant).',
    );
  });

  it('reads metricsBindAddress from the ConfigMap behind --config (kubeadm and EKS layouts)', async () => {
    const [kubeadm] = await fixture('CIS-4.3.1', 'pass-kubeadm-config-map.yaml');
    expect(kubeadm).toMatchObject({
      status: 'pass',
      evidence: {
        path: 'ConfigMap kube-system/kube-proxy [config.conf].metricsBindAddress',
        observed: '"" (default 127.0.0.1:10249); --metrics-bind-address=127.0.0.1:10249 is ignored while --config is given',
      },
    });
    const [eks] = await fixture('CIS-4.3.1', 'fail-eks-config-map.yaml');
    expect(eks).toMatchObject({ status: 'fail', evidence: { path: 'ConfigMap kube-system/kube-proxy-config [config].metricsBindAddress', observed: '0.0.0.0:10249' } });
  });

  it('keeps only the keys that hold a KubeProxyConfiguration, never the kubeconfig beside it', async () => {
    const { snapshot: snap } = await loadManifests([join('test/fixtures/controls/CIS-4.3.1/pass-kubeadm-config-map.yaml')], { collectedAt: NOW });
    expect(snap.kubeProxyConfigs?.map((f) => [f.namespace, f.configMap, f.key])).toEqual([['kube-system', 'kube-proxy', 'config.conf']]);
    expect(JSON.stringify(snap)).not.toContain('certificate-authority');
  });

  it('is unknown, saying why, when the ConfigMaps could not be read, hold no such key, or do not parse', async () => {
    const { snapshot: base } = await loadManifests([join('test/fixtures/controls/CIS-4.3.1/pass-kubeadm-config-map.yaml')], { collectedAt: NOW });
    const file = base.kubeProxyConfigs?.[0];
    if (!file) throw new Error('fixture has no kube-proxy configuration');
    const cases: Array<[Partial<Snapshot>, string]> = [
      [
        { kubeProxyConfigs: undefined, gaps: [{ evidence: 'kubeProxyConfig', reason: 'forbidden', message: 'list configmaps in kube-system: HTTP 403' }] },
        'The ConfigMaps of kube-system could not be read (list configmaps in kube-system: HTTP 403)',
      ],
      [{ kubeProxyConfigs: [{ ...file, key: 'other.conf' }] }, 'ConfigMap kube-system/kube-proxy has no key config.conf holding a KubeProxyConfiguration'],
    ];
    for (const [over, why] of cases) {
      const [f] = run('CIS-4.3.1', { ...base, source: 'cluster', ...over });
      expect(f?.status).toBe('unknown');
      expect(f?.message).toContain(why);
    }
    const [bad] = run('CIS-4.3.1', { ...base, source: 'cluster', kubeProxyConfigs: [{ ...file, text: 'kind: KubeProxyConfiguration\nmetricsBindAddress: [unclosed' }] });
    expect(bad).toMatchObject({ status: 'unknown', evidence: { path: 'ConfigMap kube-system/kube-proxy [config.conf].metricsBindAddress' } });
    expect(bad?.message).toContain('could not be parsed');
  });

  it('4.1.3 shows the mode of the volume that projects the kubeconfig, for a person to judge', async () => {
    const [kubeadm] = await fixture('CIS-4.1.3', '../CIS-4.3.1/unknown-kubeadm-config-file.yaml');
    expect(kubeadm).toMatchObject({
      status: 'manual',
      evidence: {
        path: 'spec.template.spec.volumes[kube-proxy].configMap.defaultMode',
        observed:
          'kubeconfig named inside the --config file /var/lib/kube-proxy/config.conf (ConfigMap kube-system/kube-proxy, key config.conf); ' +
          'volume kube-proxy: configMap kube-proxy mounted at /var/lib/kube-proxy, defaultMode 0644',
      },
    });
    const [secret] = await fixture('CIS-4.1.3', '../CIS-4.3.1/pass-default.yaml');
    expect(secret?.evidence).toMatchObject({
      path: 'spec.template.spec.volumes[kubeconfig].secret.defaultMode',
      observed: expect.stringContaining('defaultMode 0600') as unknown,
    });
    const [rke2] = await fixture('CIS-4.1.3', '../CIS-4.3.1/pass-rke2-static-pod.yaml');
    expect(rke2?.message).toBe('The kubeconfig is a host file: run `stat -c %a /var/lib/rancher/rke2/agent/kubeproxy.kubeconfig` on every node; expect 600 or stricter.');
  });

  const none = (provider: Provider): Snapshot => snapshot({ provider, objects: { daemonsets: [], pods: [] } });
  it.each([
    ['CIS-4.3.1', 'kubeadm', 'not-applicable'],
    ['CIS-4.3.1', 'k3s', 'manual'],
    ['CIS-4.1.3', 'eks', 'not-applicable'],
    ['CIS-4.1.3', 'k3s', 'manual'],
  ] as const)('%s without any kube-proxy on %s: %s', (id, provider, status) => {
    expect(run(id, none(provider)).map((f) => f.status)).toEqual([status]);
  });

  it('judges nothing in offline manifests that contain no kube-proxy', () => {
    expect(run('CIS-4.3.1', { ...none('unknown'), source: 'manifests' })).toEqual([]);
  });
});
