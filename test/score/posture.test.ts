import { assessPosture, type PostureControl } from '../../src/score/posture.js';
import type { AdmissionBindingInfo, AdmissionCheck, AdmissionEvidence } from '../../src/core/admission.js';
import type { Gap, KubeObject, Snapshot } from '../../src/core/types.js';

const POD = ['pods', 'deployments'] as const;
const PRIVILEGED: PostureControl = { id: 'PSS-privileged', frameworks: ['pss-baseline', 'pss-restricted', 'cis-1.12'], needs: [...POD] };
const RUN_AS_NON_ROOT: PostureControl = { id: 'PSS-run-as-non-root', frameworks: ['pss-restricted', 'nsa'], needs: [...POD] };
const RBAC: PostureControl = { id: 'CIS-5.1.1', frameworks: ['cis-1.12'], needs: ['clusterrolebindings'] };
const IMAGE_TAG: PostureControl = { id: 'HARD-image-tag', frameworks: ['hardening'], needs: [...POD] };
const CONTROLS = [PRIVILEGED, RUN_AS_NON_ROOT, RBAC, IMAGE_TAG];

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } });
const enforce = (level: string) => ({ 'pod-security.kubernetes.io/enforce': level });

const complyd = { managedByComplyd: true };
const policy = (control: string) => ({ name: `complyd-${control.toLowerCase()}`, control, ...complyd });
const binding = (control: string, actions: AdmissionBindingInfo['actions'], extra: Partial<AdmissionBindingInfo> = {}): AdmissionBindingInfo => ({
  name: `complyd-${control.toLowerCase()}`,
  policyName: `complyd-${control.toLowerCase()}`,
  actions,
  control,
  ...complyd,
  ...extra,
});

function snapshot(namespaces: KubeObject[], admission: Partial<AdmissionEvidence>, gaps: Gap[] = []): Snapshot {
  return {
    cluster: 'c1',
    labels: {},
    collectedAt: '2026-12-01T00:00:00Z',
    provider: 'kubeadm',
    objects: { namespaces },
    controlPlane: [],
    kubelets: [],
    gaps,
    source: 'cluster',
    admission: { policies: [], bindings: [], engines: { kyverno: { state: 'not-installed' }, gatekeeper: { state: 'not-installed' } }, ...admission },
  };
}

const byId = (p: ReturnType<typeof assessPosture>) => new Map((p?.controls ?? []).map((c) => [c.controlId, c]));

describe('enforcement posture', () => {
  it('reads Pod Security labels per namespace: restricted covers both levels, baseline only baseline, system namespaces aside', () => {
    const snap = snapshot([ns('kube-system', enforce('privileged')), ns('shop', enforce('restricted')), ns('web', { ...enforce('baseline'), 'pod-security.kubernetes.io/warn': 'restricted' })], {});
    const p = byId(assessPosture(snap, CONTROLS));
    expect(p.get('PSS-privileged')).toMatchObject({ state: 'enforced', by: ['pod-security'], namespaces: { denied: 2, total: 2 } });
    // Denied in shop, only warned in web: the cluster as a whole warns.
    expect(p.get('PSS-run-as-non-root')).toMatchObject({ state: 'warned', namespaces: { denied: 1, total: 2 } });
    // Neither Pod Security nor a complyd policy speaks of RBAC or image tags: not considered.
    expect(p.has('CIS-5.1.1')).toBe(false);
    expect(p.has('HARD-image-tag')).toBe(false);
  });

  it('counts a complyd binding only with its policy, and only in the namespaces its selector matches', () => {
    const notSystem = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn' as const, values: ['kube-system'] }] };
    const snap = snapshot([ns('kube-system'), ns('shop'), ns('web')], {
      policies: [policy('HARD-image-tag'), policy('PSS-run-as-non-root')],
      bindings: [
        binding('HARD-image-tag', ['Deny', 'Audit'], { namespaceSelector: notSystem }),
        binding('PSS-run-as-non-root', ['Deny'], { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }),
        // A binding whose policy is gone enforces nothing.
        binding('PSS-privileged', ['Deny']),
      ],
    });
    const p = byId(assessPosture(snap, CONTROLS));
    expect(p.get('HARD-image-tag')).toMatchObject({ state: 'enforced', by: ['policy'], namespaces: { denied: 2, total: 2 } });
    expect(p.get('PSS-run-as-non-root')).toMatchObject({ state: 'not-enforced', namespaces: { denied: 1, total: 2 } });
    expect(p.get('PSS-privileged')).toMatchObject({ state: 'not-enforced', namespaces: { denied: 0, total: 2 } });
  });

  it('reports drift from the profile: a binding deleted by hand, a namespace relabelled privileged', () => {
    const expected = { 'pss-baseline': 'Deny' as const, 'HARD-image-tag': 'Warn' as const };
    const snap = snapshot([ns('shop', enforce('restricted')), ns('batch', enforce('privileged'))], { policies: [policy('HARD-image-tag')], bindings: [] });
    const posture = assessPosture(snap, CONTROLS, expected);
    const p = byId(posture);
    expect(p.get('PSS-privileged')).toMatchObject({ state: 'not-enforced', expected: 'Deny', drift: true, namespaces: { denied: 1, total: 2 } });
    expect(p.get('PSS-privileged')?.reason).toContain('batch: privileged');
    expect(p.get('HARD-image-tag')).toMatchObject({ expected: 'Warn', drift: true });
    expect(p.get('HARD-image-tag')?.reason).toContain('complyd-hard-image-tag has no binding');
    // A restricted-only control is not expected by a pss-baseline key.
    expect(p.get('PSS-run-as-non-root')?.expected).toBeUndefined();
    // A framework's expectation does not reach controls admission cannot enforce.
    expect(p.has('CIS-5.1.1')).toBe(false);
    expect(posture).toMatchObject({ expected: 2, drift: 2 });
  });

  it('is unknown, never not-enforced, when the policies or the namespaces could not be read', () => {
    const forbidden = snapshot([ns('shop')], { bindings: undefined }, [{ evidence: 'admission/validatingadmissionpolicybindings', reason: 'forbidden', message: '403' }]);
    delete forbidden.admission?.bindings;
    const p = byId(assessPosture(forbidden, CONTROLS, { 'pss-baseline': 'Deny' }));
    expect(p.get('PSS-privileged')).toMatchObject({ state: 'unknown', expected: 'Deny' });
    expect(p.get('PSS-privileged')?.drift).toBeUndefined();

    const noNamespaces = snapshot([], {}, [{ evidence: 'namespaces', reason: 'forbidden', message: '403' }]);
    expect(byId(assessPosture(noNamespaces, CONTROLS)).get('PSS-privileged')?.state).toBe('unknown');
    // What is seen to deny still counts: a cluster-wide complyd binding is enforced whatever the namespaces.
    const denied = snapshot([], { policies: [policy('PSS-privileged')], bindings: [binding('PSS-privileged', ['Deny'])] }, [{ evidence: 'namespaces', reason: 'forbidden', message: '403' }]);
    expect(byId(assessPosture(denied, CONTROLS)).get('PSS-privileged')?.state).toBe('enforced');
  });

  it('names the other engines without judging them, and sums PolicyReports per source', () => {
    const snap = snapshot([ns('shop')], {
      engines: { kyverno: { state: 'installed', policies: 3 }, gatekeeper: { state: 'unknown', reason: 'HTTP 403' } },
      policyReports: [
        { source: 'kyverno', kind: 'PolicyReport', name: 'a', namespace: 'shop', summary: { pass: 3, fail: 1, warn: 0, error: 0, skip: 0 } },
        { source: 'kyverno', kind: 'ClusterPolicyReport', name: 'b', summary: { pass: 1, fail: 0, warn: 2, error: 0, skip: 1 } },
      ],
    });
    const p = assessPosture(snap, CONTROLS);
    expect(p?.engines).toEqual([
      { engine: 'kyverno', presence: { state: 'installed', policies: 3 } },
      { engine: 'gatekeeper', presence: { state: 'unknown', reason: 'HTTP 403' } },
    ]);
    expect(p?.policyReports).toEqual([{ source: 'kyverno', reports: 2, namespaces: 1, summary: { pass: 4, fail: 1, warn: 2, error: 0, skip: 1 } }]);
    // The engines decide nothing: the control is not enforced by complyd's reading.
    expect(byId(p).get('PSS-privileged')?.state).toBe('not-enforced');
  });

  it('lists every exportable control, so deleting its policy and binding lowers the coverage', () => {
    const check: AdmissionCheck = { resources: [], variables: [], validations: [{ expression: 'true', message: 'm' }] };
    const READ_ONLY: PostureControl = { id: 'HARD-read-only-root-filesystem', frameworks: ['hardening', 'nsa'], needs: [...POD], admission: check };
    const controls = [...CONTROLS, READ_ONLY];
    const bound = snapshot([ns('shop')], { policies: [policy(READ_ONLY.id)], bindings: [binding(READ_ONLY.id, ['Deny'])] });
    expect(byId(assessPosture(bound, controls)).get(READ_ONLY.id)).toMatchObject({ state: 'enforced' });
    // Both removed by hand: the control is still considered, now not enforced.
    const removed = assessPosture(snapshot([ns('shop')], {}), controls);
    expect(byId(removed).get(READ_ONLY.id)).toMatchObject({ state: 'not-enforced', namespaces: { denied: 0, total: 1 } });
    expect(removed?.counts['not-enforced']).toBe(3);
    // Not exportable and named by nothing: still not considered.
    expect(byId(removed).has('HARD-image-tag')).toBe(false);
  });

  it("judges a control scoped to some namespaces only in those: its binding's selector leaves the others out", () => {
    const scoped = (over: Partial<AdmissionCheck>): PostureControl => ({
      id: 'ACME-owner-label',
      frameworks: ['hardening'],
      needs: [...POD],
      admission: { resources: [], variables: [], validations: [{ expression: 'true', message: 'm' }], ...over },
    });
    const snap = (selector: AdmissionBindingInfo['namespaceSelector']) =>
      snapshot([ns('shop'), ns('web'), ns('kube-flannel')], { policies: [policy('ACME-owner-label')], bindings: [binding('ACME-owner-label', ['Deny'], { namespaceSelector: selector })] });
    // As policy export writes the binding of a control that excludes kube-flannel.
    const excluding = snap({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', 'kube-flannel'] }] });
    expect(byId(assessPosture(excluding, [scoped({ excludeNamespaces: ['kube-flannel'] })])).get('ACME-owner-label')).toMatchObject({ state: 'enforced', namespaces: { denied: 2, total: 2 } });
    // And of one that applies to shop only.
    const only = snap({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] });
    expect(byId(assessPosture(only, [scoped({ namespaces: ['shop'] })])).get('ACME-owner-label')).toMatchObject({ state: 'enforced', namespaces: { denied: 1, total: 1 } });
    // The same binding for a control of every namespace leaves web unenforced.
    expect(byId(assessPosture(only, [scoped({})])).get('ACME-owner-label')).toMatchObject({ state: 'not-enforced', namespaces: { denied: 1, total: 3 } });
  });

  it("counts a Pod Security label only for the checks of its policy version ('latest': the server's)", () => {
    const HOST_PROBES: PostureControl = { id: 'PSS-host-probes', frameworks: ['pss-baseline', 'pss-restricted'], needs: [...POD] };
    const RUN_AS_USER: PostureControl = { id: 'PSS-run-as-user', frameworks: ['pss-restricted'], needs: [...POD] };
    const controls = [PRIVILEGED, HOST_PROBES, RUN_AS_USER];
    const at = (minor: string, labels: Record<string, string>) => ({ ...snapshot([ns('shop', labels)], {}), serverVersion: { major: '1', minor, gitVersion: `v1.${minor}.0` } });
    // Pod Security checks probe and lifecycle hosts from policy v1.34 on: a 1.31 server's latest does not.
    const old = byId(assessPosture(at('31', enforce('restricted')), controls));
    expect(old.get('PSS-privileged')?.state).toBe('enforced');
    expect(old.get('PSS-host-probes')?.state).toBe('not-enforced');
    expect(old.get('PSS-run-as-user')?.state).toBe('enforced');
    expect(byId(assessPosture(at('34', enforce('baseline')), controls)).get('PSS-host-probes')?.state).toBe('enforced');
    // Expected by the profile, it drifts, and the reason names the version.
    const drifted = byId(assessPosture(at('31', { ...enforce('baseline'), 'pod-security.kubernetes.io/enforce-version': 'v1.31' }), controls, { 'pss-baseline': 'Deny' }));
    expect(drifted.get('PSS-host-probes')).toMatchObject({ drift: true, reason: '1 of 1 namespaces do not enforce Pod Security baseline from v1.34 (shop: baseline v1.31)' });
    // A pinned version: runAsUser is checked from v1.23 on; a pin above the server counts as the server's.
    const pinned = byId(assessPosture(at('34', { ...enforce('restricted'), 'pod-security.kubernetes.io/enforce-version': 'v1.22' }), controls));
    expect(pinned.get('PSS-run-as-user')?.state).toBe('not-enforced');
    expect(pinned.get('PSS-privileged')?.state).toBe('enforced');
    const ahead = byId(assessPosture(at('31', { ...enforce('baseline'), 'pod-security.kubernetes.io/enforce-version': 'v1.40' }), controls));
    expect(ahead.get('PSS-host-probes')?.state).toBe('not-enforced');
    // Warn has its own version label.
    const warned = at('34', { 'pod-security.kubernetes.io/warn': 'baseline', 'pod-security.kubernetes.io/warn-version': 'v1.33' });
    expect(byId(assessPosture(warned, controls)).get('PSS-host-probes')?.state).toBe('not-enforced');
    expect(byId(assessPosture(warned, controls)).get('PSS-privileged')?.state).toBe('warned');
  });

  it('is absent for a snapshot without admission evidence (manifests)', () => {
    const snap = snapshot([ns('shop')], {});
    delete snap.admission;
    expect(assessPosture(snap, CONTROLS)).toBeUndefined();
  });
});
