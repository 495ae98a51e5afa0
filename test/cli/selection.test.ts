import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterNameOf, clusterNames, defaultKubeconfig, kubeconfigConfig } from '../../src/cli/kubeconfig-fleet.js';
import { collectList, namespaceFlags, parseSeverities, selectControls } from '../../src/cli/selection.js';
import { CONTROLS } from '../../src/controls/index.js';
import { resourceInScope } from '../../src/core/namespace-scope.js';
import { parseConfig } from '../../src/config/load.js';
import { KubeconfigError, UsageError } from '../../src/core/errors.js';

describe('selection flags', () => {
  it('collects repeatable, comma-separated values', () => {
    expect(['a,b', ' c ', ','].reduce<string[] | undefined>((prev, v) => collectList(v, prev), undefined)).toEqual(['a', 'b', 'c']);
  });

  it('selects controls by id and pattern, and names what matches nothing', () => {
    const chosen = selectControls(CONTROLS, { only: ['CIS-5.1.*'], skip: ['CIS-5.1.1'] });
    expect(chosen.length).toBeGreaterThan(2);
    expect(chosen.every((c) => c.id.startsWith('CIS-5.1.') && c.id !== 'CIS-5.1.1')).toBe(true);
    expect(selectControls(CONTROLS, {})).toBe(CONTROLS);
    expect(() => selectControls(CONTROLS, { only: ['CIS-5.1.*', 'cis-5.1.1'], skip: ['X-*'] })).toThrow(new UsageError('no control matches --control cis-5.1.1, --skip-control X-* (see complyd controls)'));
    expect(() => selectControls(CONTROLS, { only: ['PSS-privileged'], skip: ['PSS-*'] })).toThrow(/leave no control to run/);
  });

  it('parses severities', () => {
    expect(parseSeverities(undefined)).toBeUndefined();
    expect([...(parseSeverities(['critical', 'high']) ?? [])]).toEqual(['critical', 'high']);
    expect(() => parseSeverities(['high', 'severe'])).toThrow(/unknown severity severe/);
  });

  it('keeps cluster-scoped resources and the namespaces selected, a Namespace being inside itself', () => {
    const inScope = resourceInScope(namespaceFlags({ includeNamespaces: ['shop', 'web-*'], excludeNamespaces: ['web-old'] }));
    if (!inScope) throw new Error('expected a test');
    expect(inScope({ kind: 'Node', name: 'n1' })).toBe(true);
    expect(inScope({ kind: 'ClusterRoleBinding', name: 'admin' })).toBe(true);
    expect(inScope({ kind: 'Deployment', namespace: 'shop', name: 'cart' })).toBe(true);
    expect(inScope({ kind: 'Deployment', namespace: 'web-new', name: 'a' })).toBe(true);
    expect(inScope({ kind: 'Deployment', namespace: 'web-old', name: 'a' })).toBe(false);
    expect(inScope({ kind: 'RoleBinding', namespace: 'kube-system', name: 'x' })).toBe(false);
    expect(inScope({ kind: 'Namespace', name: 'kube-system' })).toBe(false);
    expect(inScope({ kind: 'Namespace', name: 'shop' })).toBe(true);
    expect(resourceInScope(namespaceFlags({}))).toBeUndefined();
  });

  it('reads namespaces from the configuration, a cluster\'s own replacing the top-level one', () => {
    const cfg = parseConfig('namespaces: {exclude: [kube-system]}\nclusters:\n  - {name: a, kubeconfig: k}\n  - {name: b, kubeconfig: k, namespaces: {include: [shop]}}\n', '/tmp/complyd.yaml');
    expect(cfg.clusters.map((c) => c.namespaces)).toEqual([{ exclude: ['kube-system'] }, { include: ['shop'] }]);
    expect(parseConfig('clusters:\n  - {name: a, kubeconfig: k}\n', '/tmp/complyd.yaml').clusters[0]?.namespaces).toBeUndefined();
  });
});

describe('a kubeconfig as the fleet', () => {
  it('names clusters after contexts by the cluster-name rule, distinct', () => {
    expect(clusterNameOf('arn:aws:eks:eu-west-1:1234:cluster/Prod')).toBe('arn-aws-eks-eu-west-1-1234-cluster-prod');
    expect(clusterNameOf('gke_proj_europe-west1_main')).toBe('gke_proj_europe-west1_main');
    expect(clusterNameOf('--@@--')).toBe('cluster');
    expect(clusterNameOf('x'.repeat(80))).toHaveLength(63);
    expect(clusterNames(['Prod/EU', 'prod-eu', 'prod:eu'])).toEqual(['prod-eu', 'prod-eu-2', 'prod-eu-3']);
  });

  it('defaults to the first file of $KUBECONFIG, else ~/.kube/config', () => {
    expect(defaultKubeconfig({ KUBECONFIG: '/a/one:/a/two' }, '/home/u')).toBe('/a/one');
    expect(defaultKubeconfig({ KUBECONFIG: '' }, '/home/u')).toBe('/home/u/.kube/config');
    expect(defaultKubeconfig({}, '/home/u')).toBe('/home/u/.kube/config');
  });

  it('builds the configuration from the contexts asked for, or the current one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-kubeconfig-'));
    const file = join(dir, 'config');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\ncontexts:\n  - {name: kind-dev, context: {cluster: c}}\n  - {name: Prod, context: {cluster: c}}\ncurrent-context: kind-dev\n');
    const current = kubeconfigConfig({ kubeconfig: file }, dir);
    expect(current.clusters.map((c) => [c.name, c.context, c.kubeconfig])).toEqual([['kind-dev', 'kind-dev', file]]);
    expect(current.storage).toEqual({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') });
    const both = kubeconfigConfig({ kubeconfig: file, contexts: ['Prod', 'kind-dev'], store: 'postgres://db/x' }, dir);
    expect(both.clusters.map((c) => c.name)).toEqual(['prod', 'kind-dev']);
    expect(both.storage).toEqual({ kind: 'postgres', url: 'postgres://db/x' });
    expect(() => kubeconfigConfig({ kubeconfig: file, contexts: ['nope'] }, dir)).toThrow(KubeconfigError);
    writeFileSync(file, 'contexts:\n  - {name: a}\n');
    expect(() => kubeconfigConfig({ kubeconfig: file }, dir)).toThrow(/has no current-context; name one with --context \(contexts: a\)/);
    writeFileSync(file, 'contexts: [{name: a}]\ncurrent-context: b\n');
    expect(() => kubeconfigConfig({ kubeconfig: file }, dir)).toThrow(/current-context "b" is not among its contexts \(a\)/);
    writeFileSync(file, '- just a list\n');
    expect(() => kubeconfigConfig({ kubeconfig: file }, dir)).toThrow(/is not a kubeconfig/);
    writeFileSync(file, 'contexts: [{name: a}\n');
    expect(() => kubeconfigConfig({ kubeconfig: file }, dir)).toThrow(KubeconfigError);
  });
});
