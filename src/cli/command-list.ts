/**
 * Every command with its one-line summary, and which module under commands/ defines it. This is
 * all `complyd --help` needs: a command's module (and what it imports: the catalog, the store,
 * the report renderers...) is loaded only when that command is run.
 */
export interface CommandSummary {
  /** File under commands/ that registers it. */
  readonly module: 'scan' | 'daemon' | 'serve' | 'report' | 'history' | 'evaluate' | 'controls' | 'demo' | 'exceptions' | 'network' | 'alerts' | 'policy';
  /** Positional arguments, as the command declares them. */
  readonly args?: string;
  readonly summary: string;
}

export const COMMAND_SUMMARIES = {
  scan: { module: 'scan', summary:
    'scan every configured cluster once, evaluate the controls, store the run and print a summary per cluster' },
  daemon: { module: 'daemon', summary:
    'run scans on the configured cron schedule until stopped (SIGTERM or SIGINT), with the HTTP server (health, metrics, API)' },
  serve: { module: 'serve', summary:
    'serve a store over HTTP without scanning: /healthz, /readyz, Prometheus /metrics and the read-only JSON API under /api/v1' },
  report: { module: 'report', summary:
    'render the report of a stored run (the latest complete or partial run by default)' },
  history: { module: 'history', summary:
    'list the most recent runs with their compliance score, counts and risk' },
  trend: { module: 'history', summary:
    'compliance score and risk over time, per run, with the top regressions' },
  mttr: { module: 'history', summary:
    'time to remediate failing findings resolved in a window (mean, median, per severity, cluster and control), and open findings by age' },
  diff: { module: 'history', args: '<runA> [runB]', summary:
    'findings new, reopened and resolved between two runs (ids or unique prefixes; "latest" is the newest finished run)' },
  risk: { module: 'history', summary:
    'workload risk at a run (the latest by default): severity x exposure, with every factor and its reason, and the totals per namespace and cluster' },
  verify: { module: 'history', summary:
    'recompute every cluster\'s hash chain over the stored runs and findings and report any row changed after the fact' },
  prune: { module: 'history', summary:
    'blank the evidence text of findings resolved longer ago than the retention age; counts, scores and lifecycles are kept' },
  evaluate: { module: 'evaluate', args: '<paths...>', summary:
    'evaluate Kubernetes manifests offline (YAML, multi-document, or `kubectl get -o json` dumps) and print the findings' },
  network: { module: 'network', args: '[paths...]', summary: 'who can reach whom in manifests or a stored scan (--cluster), from NetworkPolicies, Services and Ingresses: `src => dst : conns` lines, and with --exposure what each workload is open to' },
  exceptions: { module: 'exceptions', summary:
    'list the exceptions files\' exceptions with the findings they match in the latest run: active, expiring soon, expired, unused, and files refused' },
  alerts: { module: 'alerts', summary:
    'webhook alerts: `alerts test` sends a sample to the configured webhooks, `alerts dead-letters` lists the alerts not delivered' },
  policy: { module: 'policy', summary:
    'admission policies for the fleet: `policy export` writes a ValidatingAdmissionPolicy and binding per exportable control of a profile, `policy apply` pushes them to its clusters' },
  controls: { module: 'controls', summary:
    'list the control catalog (for auditors: -o csv or md)' },
  demo: { module: 'demo', summary:
    'start a simulated fleet of local HTTPS Kubernetes API servers (one broken on purpose), replay some weeks of its history\n' +
        '(one scan per simulated day, with workloads hardened, rolled back, deleted and added), store it and write reports' },
} as const satisfies Record<string, CommandSummary>;

export type CommandName = keyof typeof COMMAND_SUMMARIES;
