import { join } from 'node:path';
import type { Finding, KubeObject, Snapshot } from '../../src/core/types.js';
import { controlsFor } from '../../src/controls/index.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { evaluateIn } from '../../src/evaluate/evaluate.js';
import { normalizeObject, resourceOf } from '../../src/collect/normalize.js';
import { demoFixturesDir } from '../../src/demo/fleet.js';
import { loadFixtureDir } from '../../src/demo/fixtures.js';
import { DEMO_HARDENING } from '../../src/demo/profiles.js';

/**
 * The demo fleet shows every hardening and reliability control failing somewhere, so its
 * reports carry an example of each: judged here on the fixtures (as the collector keeps them)
 * under the demo's image policy, without starting the servers.
 */

const NOW = new Date('2026-11-01T00:00:00Z');
const CLUSTERS = ['prod-eu', 'staging-us', 'dev-k3s', 'analytics-eks'];

function snapshotOf(cluster: string): Snapshot {
  const objects: Snapshot['objects'] = {};
  for (const raw of loadFixtureDir(join(demoFixturesDir(), cluster))) {
    const resource = resourceOf(raw.apiVersion as string, raw.kind as string);
    if (resource) (objects[resource] ??= []).push(normalizeObject(raw, resource) as KubeObject);
  }
  return { cluster, labels: {}, collectedAt: NOW.toISOString(), provider: 'unknown', objects, controlPlane: [], kubelets: [], gaps: [], source: 'cluster' };
}

const CONTROLS = [...controlsFor('hardening'), ...controlsFor('reliability')];
const findings: Finding[] = CLUSTERS.flatMap((c) => evaluateIn(new EvalContext(snapshotOf(c), NOW, DEMO_HARDENING), [...CONTROLS, ...controlsFor('cis-1.12').filter((x) => x.id === 'CIS-5.3.2')]));
const failing = (id: string) => findings.filter((f) => f.controlId === id && f.status === 'fail');

describe('the demo fleet', () => {
  it.each(CONTROLS.map((c) => c.id))('has a failing example of %s', (id) => {
    expect(failing(id).length).toBeGreaterThan(0);
  });

  it('fails a ReplicationController, and a ConfigMap by its key names only', () => {
    expect(failing('HARD-env-literal-credentials').map((f) => `${f.cluster}/${f.resource.kind}/${f.resource.name}`)).toContain('staging-us/ReplicationController/report-exporter');
    const [cm] = failing('HARD-configmap-literal-credentials');
    expect([cm?.cluster, cm?.resource.kind, cm?.resource.namespace, cm?.resource.name]).toEqual(['staging-us', 'ConfigMap', 'qa-tools', 'report-exporter-settings']);
    expect(cm?.evidence?.observed).toContain('[SMTP_PASSWORD]');
    expect(cm?.evidence?.observed).not.toContain('qa-mailer');
  });

  it('counts a CiliumNetworkPolicy for CIS 5.3.2: analytics-eks/jupyter has no NetworkPolicy and passes', () => {
    const snap = snapshotOf('analytics-eks');
    expect((snap.objects.networkpolicies ?? []).filter((p) => p.metadata.namespace === 'jupyter')).toEqual([]);
    expect(snap.objects.ciliumnetworkpolicies?.map((p) => p.metadata.namespace)).toEqual(['jupyter']);
    const jupyter = findings.filter((f) => f.controlId === 'CIS-5.3.2' && f.cluster === 'analytics-eks' && f.resource.name === 'jupyter');
    expect(jupyter.map((f) => f.status)).toEqual(['pass']);
  });
});
