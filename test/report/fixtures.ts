import { complianceScore } from '../../src/score/compliance.js';
import type { PeriodSection } from '../../src/report/period.js';
import type { Gap, Severity, Status } from '../../src/core/types.js';
import { emptyCounts, type StatusCounts } from '../../src/core/status.js';
import { passRate, type ClusterSection, type ControlSection, type ReportFinding, type RunReport } from '../../src/report/model.js';

export const SECRETS_GAP: Gap = {
  evidence: 'secrets',
  reason: 'forbidden',
  message:
    'secrets is forbidden: User "system:serviceaccount:complyd:reader" cannot list resource "secrets" in API group "" at the cluster scope',
};

export const DEV_LAB_ERROR = 'cannot reach https://10.20.0.1:6443: connect ECONNREFUSED 10.20.0.1:6443 (kubeconfig /etc/complyd/dev-lab.yaml)';

/** The 300 failing resources of pss-b-privileged on prod-eu: web-0001 ... web-0300. */
export const PRIVILEGED_NAMES = Array.from({ length: 300 }, (_, i) => `web-${String(i + 1).padStart(4, '0')}`);

export const LONG_OBSERVED =
  'rules[0]: apiGroups=["*"] resources=["*"] verbs=["*"]; rules[1]: apiGroups=[""] resources=["pods","pods/exec","pods/portforward","secrets","configmaps"] verbs=["get","list","watch","create","update","patch","delete"] ' +
  'sha256:' +
  'ab12'.repeat(30);

function counts(partial: Partial<StatusCounts>): StatusCounts {
  return { ...emptyCounts(), ...partial };
}

type SpecFinding = Omit<ReportFinding, 'severity'>;

interface ControlSpec {
  id: string;
  title: string;
  severity: Severity;
  automated: boolean;
  refs: ControlSection['refs'];
  results: Array<{ cluster: string; status: Status; counts: StatusCounts }>;
  findings: SpecFinding[];
}

const fp = (s: string) => `fp-${s}`;

function privilegedFindings(): SpecFinding[] {
  const prod: SpecFinding[] = PRIVILEGED_NAMES.map((name, i) => ({
    cluster: 'prod-eu',
    status: 'fail',
    resource: { kind: 'Deployment', namespace: `team-${(i % 7) + 1}`, name, container: 'app' },
    evidence: {
      path: 'spec.template.spec.containers[0].securityContext.privileged',
      observed: 'true',
      expected: 'false or unset',
    },
    ...(i % 25 === 0
      ? {
          message:
            'The container runs privileged, which gives it every capability of the host and access to all devices; the owning team was notified in the previous run and has not yet changed the manifest.',
        }
      : {}),
    fingerprint: fp(`priv-${name}`),
  }));
  const staging: SpecFinding[] = ['api-a', 'api-b', 'api-c'].map((name) => ({
    cluster: 'staging',
    status: 'fail',
    resource: { kind: 'StatefulSet', namespace: 'payments', name, container: 'sidecar' },
    evidence: { path: 'spec.template.spec.containers[1].securityContext.privileged', observed: 'true', expected: 'false or unset' },
    fingerprint: fp(`priv-${name}`),
  }));
  return [...prod, ...staging];
}

const CONTROLS: ControlSpec[] = [
  {
    id: 'pss-b-privileged',
    title: 'Privileged containers are not allowed',
    severity: 'high',
    automated: true,
    refs: { pss: 'privileged', cis: '5.2.2', nsa: 'Pod security: non-privileged containers', kubescape: ['C-0057'] },
    results: [
      { cluster: 'prod-eu', status: 'fail', counts: counts({ pass: 40, fail: 300 }) },
      { cluster: 'staging', status: 'fail', counts: counts({ pass: 17, fail: 3 }) },
    ],
    findings: privilegedFindings(),
  },
  {
    id: 'rbac-secrets-read',
    title: 'Minimise read access to secrets',
    severity: 'medium',
    automated: true,
    refs: { cis: '5.1.2', nsa: 'Authorization' },
    results: [
      { cluster: 'prod-eu', status: 'pass', counts: counts({ pass: 12 }) },
      { cluster: 'staging', status: 'unknown', counts: counts({ unknown: 1 }) },
    ],
    findings: [
      {
        cluster: 'staging',
        status: 'unknown',
        resource: { kind: 'Cluster', name: 'staging' },
        message: `evidence "secrets" could not be read: ${SECRETS_GAP.reason}: ${SECRETS_GAP.message}`,
        fingerprint: fp('secrets-staging'),
      },
    ],
  },
  {
    id: 'cis-1.2.16-audit-log',
    title: 'Audit logging is enabled and retained',
    severity: 'low',
    automated: false,
    refs: { cis: '1.2.16' },
    results: [
      { cluster: 'prod-eu', status: 'manual', counts: counts({ manual: 1 }) },
      { cluster: 'staging', status: 'manual', counts: counts({ manual: 1 }) },
    ],
    findings: ['prod-eu', 'staging'].map((cluster) => ({
      cluster,
      status: 'manual' as const,
      resource: { kind: 'Cluster', name: cluster },
      message: 'Check that the API server writes audit logs (--audit-log-path) and keeps them for at least 30 days.',
      fingerprint: fp(`audit-${cluster}`),
    })),
  },
  {
    id: 'pss-b-host-network',
    title: 'Host network is not shared',
    severity: 'high',
    automated: true,
    refs: { pss: 'host-namespaces' },
    results: [
      { cluster: 'prod-eu', status: 'pass', counts: counts({ pass: 50 }) },
      { cluster: 'staging', status: 'pass', counts: counts({ pass: 20 }) },
    ],
    findings: [],
  },
  {
    id: 'cis-5.1.3-wildcards',
    title: 'Minimise wildcard use in Roles and ClusterRoles',
    severity: 'critical',
    automated: true,
    refs: { cis: '5.1.3' },
    results: [
      { cluster: 'prod-eu', status: 'fail', counts: counts({ pass: 30, fail: 2 }) },
      { cluster: 'staging', status: 'error', counts: counts({ error: 1 }) },
    ],
    findings: [
      ...['ops-admin', 'ci-deployer'].map((name) => ({
        cluster: 'prod-eu',
        status: 'fail' as const,
        resource: { kind: 'ClusterRole', name },
        evidence: { path: 'rules[0]', observed: LONG_OBSERVED, expected: 'no "*" in apiGroups, resources or verbs' },
        fingerprint: fp(`wild-${name}`),
      })),
      {
        cluster: 'staging',
        status: 'error',
        resource: { kind: 'Cluster', name: 'staging' },
        message: 'control cis-5.1.3-wildcards failed: TypeError: Cannot read properties of undefined (reading "verbs")',
        fingerprint: fp('wild-error'),
      },
    ],
  },
];

const CLUSTERS: Array<Omit<ClusterSection, 'counts' | 'passRate' | 'score' | 'failingControls' | 'scoreWithExceptions' | 'dispositions'>> = [
  {
    name: 'prod-eu',
    labels: { env: 'prod' },
    status: 'complete',
    provider: 'eks',
    serverVersion: 'v1.30.4',
    objectTotal: 1234,
    snapshotHash: '3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a',
    gaps: [],
  },
  {
    name: 'staging',
    labels: { env: 'staging' },
    status: 'partial',
    provider: 'kubeadm',
    serverVersion: 'v1.29.8',
    objectTotal: 412,
    snapshotHash: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d',
    gaps: [SECRETS_GAP],
  },
  {
    name: 'dev-lab',
    labels: { env: 'dev' },
    status: 'failed',
    objectTotal: 0,
    error: DEV_LAB_ERROR,
    gaps: [],
  },
];

/** A consistent three-cluster report: every cluster figure is the sum of its control results. */
export function sampleReport(): RunReport {
  const sevRank: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  const clusters: ClusterSection[] = CLUSTERS.map((c) => {
    const total = emptyCounts();
    for (const ctl of CONTROLS)
      for (const r of ctl.results) if (r.cluster === c.name) for (const k of Object.keys(total) as Status[]) total[k] += r.counts[k];
    const score = c.status === 'failed' ? null : scoreOf(CONTROLS.flatMap((ctl) => ctl.results.filter((r) => r.cluster === c.name).map((r) => ({ controlId: ctl.id, severity: ctl.severity, counts: r.counts }))));
    return {
      ...c,
      counts: total,
      passRate: passRate(total),
      score,
      // No exceptions in the sample: with them, the figures are the measured ones.
      scoreWithExceptions: score,
      dispositions: { open: total.fail, excepted: 0, expired: 0 },
      failingControls: CONTROLS.flatMap((ctl) =>
        ctl.results
          .filter((r) => r.cluster === c.name && r.counts.fail > 0)
          .map((r) => ({ controlId: ctl.id, title: ctl.title, severity: ctl.severity, failed: r.counts.fail })),
      ).sort((a, b) => sevRank.indexOf(a.severity) - sevRank.indexOf(b.severity)),
    };
  });
  const fleet = emptyCounts();
  for (const c of clusters) for (const k of Object.keys(fleet) as Status[]) fleet[k] += c.counts[k];
  return {
    schema: 'complyd.report/v1',
    generatedAt: '2025-03-01T10:05:00.000Z',
    complydVersion: '0.1.0',
    catalogVersion: 'catalog-2025.02',
    run: {
      id: 'run-20250301-100000-7f3a',
      startedAt: '2025-03-01T10:00:00.000Z',
      finishedAt: '2025-03-01T10:04:12.000Z',
      status: 'partial',
      trigger: 'schedule',
    },
    fleet: {
      clusters: clusters.length,
      assessed: clusters.filter((c) => c.status !== 'failed').length,
      counts: fleet,
      passRate: passRate(fleet),
      score: scoreOf(CONTROLS.flatMap((ctl) => ctl.results.map((r) => ({ controlId: ctl.id, severity: ctl.severity, counts: r.counts })))),
      scoreWithExceptions: scoreOf(CONTROLS.flatMap((ctl) => ctl.results.map((r) => ({ controlId: ctl.id, severity: ctl.severity, counts: r.counts })))),
      dispositions: { open: fleet.fail, excepted: 0, expired: 0 },
    },
    exceptions: {},
    period: samplePeriod(clusters),
    clusters,
    controls: CONTROLS.map((c) => ({
      id: c.id,
      title: c.title,
      section: c.id.startsWith('pss') ? 'Pod Security Standards: baseline' : 'CIS Kubernetes Benchmark',
      severity: c.severity,
      frameworks: c.id.startsWith('pss') ? ['pss-baseline', 'pss-restricted'] : ['cis-1.12'],
      refs: c.refs,
      rationale: `Rationale of ${c.id}: why the control matters, in a sentence or two that an auditor can quote.`,
      remediation: `Remediation of ${c.id}: what to change in the manifest or cluster configuration.`,
      automated: c.automated,
      results: c.results,
      // Failing findings first seen twelve days before the run.
      findings: c.findings.map((f) => ({ ...f, severity: c.severity, ...(f.status === 'fail' && { firstSeen: '2025-02-17T10:00:00.000Z', ageDays: 12 }) })),
    })),
  };
}

const scoreOf = (rows: Parameters<typeof complianceScore>[0]) => complianceScore(rows).score;

/** Thirty daily runs ending at the sample run: the fleet improving, one cluster regressing mid-way. */
export function samplePeriod(clusters: readonly ClusterSection[]): PeriodSection {
  const day = (n: number) => new Date(Date.parse('2025-03-01T10:00:00.000Z') - (29 - n) * 86_400_000).toISOString();
  const pts = (base: number, slope: number, dip = -1) =>
    Array.from({ length: 30 }, (_, i) => ({ runId: `run-${i}`, at: day(i), score: base + slope * i - (i >= dip && dip >= 0 ? 6 : 0), risk: 400 - 3 * i }));
  const assessed = clusters.filter((c) => c.status !== 'failed');
  return {
    from: '2025-01-30T10:00:00.000Z',
    to: '2025-03-01T10:00:00.000Z',
    runs: 30,
    firstRunId: 'run-0',
    fleet: { score: 74.2, first: 66.0, risk: 313, firstRisk: 400, riskWithExceptions: 313 },
    clusters: assessed.map((c, i) => ({ cluster: c.name, score: c.score, first: (c.score ?? 0) - 5 + i * 8, risk: 150 + i * 13, firstRisk: 180, riskWithExceptions: 150 + i * 13 })),
    trend: { fleet: pts(66, 0.28), clusters: assessed.map((c, i) => ({ cluster: c.name, points: pts(60 + i * 10, 0.3, i === 1 ? 20 : -1) })) },
    changes: { new: 7, reopened: 2, resolved: 19, stillOpen: 41, compared: true },
    remediation: {
      resolved: 19,
      fixed: 15,
      resourceGone: 4,
      meanDays: 6.4,
      medianDays: 4.5,
      bySeverity: [
        { severity: 'critical', resolved: 3, medianDays: 1.5 },
        { severity: 'high', resolved: 9, medianDays: 4 },
        { severity: 'medium', resolved: 7, medianDays: 9 },
      ],
      open: { '0-7': 9, '8-30': 21, '31-90': 8, '>90': 3 },
    },
    topRisks: [
      {
        cluster: 'prod-eu',
        resource: { kind: 'DaemonSet', namespace: 'kube-system', name: 'node-agent' },
        severity: 16,
        failing: 4,
        factors: [
          { factor: 'privilege', contribution: 1, reason: 'container agent is privileged' },
          { factor: 'blast-radius', contribution: 1, reason: 'a DaemonSet runs on every node' },
        ],
        exposure: 3,
        risk: 48,
      },
      {
        cluster: 'staging',
        resource: { kind: 'Deployment', namespace: 'web', name: 'storefront' },
        severity: 6,
        failing: 2,
        factors: [{ factor: 'reachability', contribution: 1, reason: 'exposed by Service storefront of type LoadBalancer' }],
        exposure: 2,
        risk: 12,
      },
    ],
    integrity: {
      chain: assessed.map((c, i) => ({
        cluster: c.name,
        runId: 'run-20250301-100000-7f3a',
        seq: 120 + i,
        ...(c.snapshotHash ? { snapshotHash: c.snapshotHash } : {}),
        resultsHash: String(i + 1).repeat(64),
        prevChainHash: String(i + 4).repeat(64),
        chainHash: 'a'.repeat(63) + String(i),
      })),
      runIds: ['run-0', 'run-20250301-100000-7f3a'],
    },
    exceptions: [],
  };
}

/**
 * The sample report with exceptions: of one control failing in one cluster, every failure
 * excepted; of another, one failure excepted and one whose exception expired.
 */
export function reportWithExceptions(): { report: RunReport; allExcepted: { control: string; cluster: string }; mixed: { control: string; cluster: string } } {
  const report = sampleReport();
  const failingIn = (c: RunReport['controls'][number]) => [...new Set(c.findings.filter((f) => f.status === 'fail').map((f) => f.cluster))];
  const single = report.controls.find((c) => failingIn(c).length > 0) as RunReport['controls'][number];
  const cluster = failingIn(single)[0] as string;
  for (const f of single.findings) if (f.status === 'fail' && f.cluster === cluster) Object.assign(f, { disposition: 'excepted', exceptionId: 'accepted-one' });
  const several = report.controls.find((c) => c !== single && failingIn(c).some((cl) => c.findings.filter((f) => f.status === 'fail' && f.cluster === cl).length >= 2)) as RunReport['controls'][number];
  const cl2 = failingIn(several).find((cl) => several.findings.filter((f) => f.status === 'fail' && f.cluster === cl).length >= 2) as string;
  const [first, second] = several.findings.filter((f) => f.status === 'fail' && f.cluster === cl2);
  Object.assign(first as object, { disposition: 'excepted', exceptionId: 'accepted-one' });
  Object.assign(second as object, { disposition: 'expired', exceptionId: 'lapsed-one' });
  for (const c of report.controls) for (const f of c.findings) if (f.status === 'fail' && !f.disposition) f.disposition = 'open';
  const common = { controls: ['X'], scope: 'everywhere', created: '2025-01-01T00:00:00.000Z', lapsed: 0 };
  report.period.exceptions = [
    { ...common, id: 'accepted-one', owner: 'platform', reason: 'vendor agent', ticket: 'PLAT-9', expires: '2025-06-01T00:00:00.000Z', state: 'active', expired: false, matched: 2 },
    { ...common, id: 'lapsed-one', owner: 'web', reason: 'old', expires: '2025-02-01T00:00:00.000Z', state: 'expired', expired: true, matched: 0, lapsed: 1 },
  ];
  return { report, allExcepted: { control: single.id, cluster }, mixed: { control: several.id, cluster: cl2 } };
}
