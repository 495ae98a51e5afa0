/**
 * The demo fleet's exceptions file, dated from the demo's last day (today), so that whenever the
 * demo runs it shows each kind: one in force, one expiring within the month, one that lapsed
 * during the simulated month (its findings excepted before, expired after), and one that
 * matches nothing.
 */
const DAY_MS = 86_400_000;

const date = (today: Date, days: number): string => new Date(today.getTime() + days * DAY_MS).toISOString().slice(0, 10);

export function demoExceptionsYaml(today: Date): string {
  const d = (days: number) => date(today, days);
  return `# Written by \`complyd demo\`: the demo fleet's exceptions, dated from today.
# Format: see the README (Exceptions). Each exception gives matching failing findings a
# disposition (excepted, or expired once it lapses); their status stays fail.
exceptions:
  - id: prod-node-exporter-host-access
    controls: [PSS-host-network, PSS-host-ports, PSS-host-path-volumes, PSS-host-pid]
    scope:
      clusterSelector: { matchLabels: { env: prod } }
      namespaces: [monitoring]
      kinds: [DaemonSet]
      names: [node-exporter]
    owner: observability-team
    reason: node-exporter reads host metrics through the host network and /proc; a node agent needs this
    ticket: OBS-142
    created: ${d(-25)}
    expires: ${d(120)}

  - id: eks-node-agents-privileged
    controls: [PSS-privileged, "PSS-capabilities-*"]
    scope:
      clusters: [analytics-eks]
      namespaces: [kube-system]
      names: [aws-node, kube-proxy]
    owner: data-platform
    reason: the VPC CNI and kube-proxy are AWS-managed add-ons; replacement planned with the next EKS upgrade
    ticket: https://tickets.example.com/DP-311
    created: ${d(-60)}
    expires: ${d(12)}

  - id: staging-debug-toolbox
    controls: ["PSS-*"]
    scope:
      clusters: [staging-us]
      namespaces: [qa-tools]
      names: ["debug-toolbox*"]
    owner: qa-team
    reason: load-test toolbox, to be removed after the release freeze
    ticket: QA-77
    created: ${d(-45)}
    expires: ${d(-6)}

  - id: dev-legacy-wildcard-roles
    controls: [CIS-5.1.3]
    scope:
      clusters: [dev-k3s]
      namespaces: [legacy]
    owner: app-team
    reason: the legacy namespace's operators need wildcard roles until they are rewritten
    ticket: APP-9
    created: ${d(-10)}
    expires: ${d(80)}
`;
}
