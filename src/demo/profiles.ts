/**
 * The demo fleet's profiles, as the demo writes them into its configuration: production held
 * to the restricted Pod Security Standard, the CIS Benchmark and the NSA guidance with a strict
 * gate, and the baseline denied at admission; development and the lab to the baseline standard only, above a severity floor, with a
 * lenient gate. The staging cluster is in no profile and gets every framework.
 */
export const DEMO_PROFILES = [
  {
    name: 'prod',
    selector: { matchLabels: { env: 'prod' } },
    frameworks: ['pss-restricted', 'cis-1.12', 'nsa'],
    gates: { failOn: 'high', failBelowScore: 70, failOnNew: true },
    // Production denies what the Pod Security baseline forbids, at admission (ADR 0020).
    enforcement: { 'pss-baseline': 'Deny' },
    reports: [{ name: 'prod-compliance', formats: ['pdf'], since: '30d' }],
  },
  {
    name: 'dev',
    selector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'lab'] }] },
    frameworks: ['pss-baseline'],
    severityFloor: 'medium',
    gates: { failOn: 'critical' },
  },
] as const;
