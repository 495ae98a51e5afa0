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

/**
 * The demo's image policy (configuration `hardening:`), so the two controls that follow it judge:
 * every image by digest, and only from the registries the fleet is meant to pull from (its own,
 * Kubernetes', its ECR, Quay, and Docker's official and Rancher images); and the namespaces that
 * need no internet.
 */
export const DEMO_HARDENING = {
  requireDigest: true,
  allowedRegistries: ['registry.example.com', 'registry.k8s.io', '602401143452.dkr.ecr.us-east-1.amazonaws.com', 'quay.io', 'docker.io/library', 'docker.io/rancher'],
  // Payments talks to its database and the cluster, never to the internet (HARD-network-internet-egress).
  noInternetEgress: { namespaces: ['payments'] },
};
