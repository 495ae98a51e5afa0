/**
 * The PDF sections built on the report's period: the executive summary, the exceptions
 * register, the methodology and the integrity appendix. Layout machinery is in pdf-layout.ts;
 * charts are drawn by the caller's `chart` hook (a charting library, see charts.ts).
 */
import type { Severity } from '../core/types.js';
import type { RunReport } from './model.js';
import type { ScoreChange, TrendPoint } from './period.js';
import { FONT, type Cell, type Layout } from './pdf-layout.js';
import { resourceLabel } from './resource-path.js';
import { profileLine } from './profile-text.js';

const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtScore = (s: number | null | undefined) => (s === null || s === undefined ? 'n/a' : s.toFixed(1));
const fmtRisk = (r: number | null | undefined) => (r === null || r === undefined ? 'n/a' : fmtInt(Math.round(r)));
const fmtDays = (d: number | null) => (d === null ? 'n/a' : d < 1 ? `${(d * 24).toFixed(1)} h` : `${d.toFixed(1)} days`);
const fmtDate = (iso: string) => iso.slice(0, 10);

/** "+1.3" / "-0.4" / "no change" / "" when there is nothing to compare with. */
function delta(now: number | null, first: number | null, digits = 1): string {
  if (now === null || first === null) return '';
  const d = now - first;
  if (Math.abs(d) < 0.5 * 10 ** -digits) return 'no change';
  return `${d > 0 ? '+' : ''}${d.toFixed(digits)}`;
}

/** Green when the change is good: a score going up, a risk going down. */
function deltaCell(L: Layout, now: number | null, first: number | null, higherIsBetter: boolean, digits = 1): Cell {
  const text = delta(now, first, digits);
  if (!text || text === 'no change' || now === null || first === null) return { text: text || '-', color: L.c.muted };
  const good = higherIsBetter ? now > first : now < first;
  return { text, color: good ? L.c.status.pass : L.c.status.fail, font: FONT.bold };
}

export interface ChartHook {
  /** Draw a score trend (one line per series) at the cursor, `height` points tall. */
  trend(L: Layout, series: ReadonlyArray<{ name: string; points: readonly TrendPoint[] }>, height: number, title: string): Promise<void>;
}

function scoreLine(label: string, c: ScoreChange, since: string): string {
  const d = delta(c.score, c.first);
  return `${label} ${fmtScore(c.score)}${d ? ` (${d} since ${since})` : ''}`;
}

export async function executiveSummary(L: Layout, report: RunReport, chart?: ChartHook): Promise<void> {
  const p = report.period;
  L.newPage();
  L.heading('Executive summary', 1, L.contents.entry('Executive summary'));
  const body = L.style(FONT.regular, 9.5);
  const since = p.firstRunId ? fmtDate(p.trend.fleet[0]?.at ?? p.from) : '';
  if (report.selection) {
    L.paragraph(`Partial report: only the controls selected (${report.selection}). The counts, the scores of this run and the listings cover those controls only; the trends over the period cover the report\u2019s framework or profile.`, L.style(FONT.bold, 9.5));
  }
  L.paragraph(
    `Period ${fmtDate(p.from)} to ${fmtDate(p.to)}: ${p.runs} scan run(s) of ${report.fleet.clusters} cluster(s). ` +
      `${scoreLine('Fleet compliance score', p.fleet, since)}; risk ${fmtRisk(p.fleet.risk)}${p.fleet.firstRisk !== null && p.fleet.risk !== null ? ` (was ${fmtRisk(p.fleet.firstRisk)})` : ''}.`,
    body,
  );
  L.table(
    [
      { header: 'Figure', width: 34 },
      { header: 'Now', width: 22, align: 'right' },
      { header: `At ${since || 'start'}`, width: 22, align: 'right' },
      { header: 'Change', width: 22, align: 'right' },
    ],
    [
      [{ text: 'Compliance score (0-100)', font: FONT.bold }, { text: fmtScore(p.fleet.score), font: FONT.bold }, fmtScore(p.fleet.first), deltaCell(L, p.fleet.score, p.fleet.first, true)],
      [{ text: 'Risk score', font: FONT.bold }, { text: fmtRisk(p.fleet.risk), font: FONT.bold }, fmtRisk(p.fleet.firstRisk), deltaCell(L, p.fleet.risk, p.fleet.firstRisk, false, 0)],
      ['Compliance score with accepted exceptions', fmtScore(report.fleet.scoreWithExceptions), '', ''],
      ['Risk score with accepted exceptions', fmtRisk(p.fleet.riskWithExceptions), '', ''],
      ['Failing results excepted / exception expired', `${fmtInt(report.fleet.dispositions.excepted)} / ${fmtInt(report.fleet.dispositions.expired)}`, '', ''],
      ['Clusters assessed', `${report.fleet.assessed} of ${report.fleet.clusters}`, '', ''],
      ['Failing results', fmtInt(report.fleet.counts.fail), '', ''],
      ['Unknown / manual (never counted as passed)', `${fmtInt(report.fleet.counts.unknown)} / ${fmtInt(report.fleet.counts.manual)}`, '', ''],
    ],
    { size: 8.5, caption: 'Key figures' },
  );

  exceptionsAttention(L, report, body);

  if (chart && p.trend.fleet.length > 1) {
    await chart.trend(L, [{ name: 'Fleet', points: p.trend.fleet }], 150, 'Fleet compliance score per run');
  }

  L.heading('Clusters ranked (lowest score first)', 2);
  const ranked = [...p.clusters].sort((a, b) => (a.score ?? 101) - (b.score ?? 101) || a.cluster.localeCompare(b.cluster));
  const failed = report.clusters.filter((c) => c.status === 'failed');
  L.table(
    [
      { header: '#', width: 5, align: 'right' },
      { header: 'Cluster', width: 25 },
      { header: 'Score', width: 12, align: 'right' },
      { header: 'Change', width: 12, align: 'right' },
      { header: 'Risk', width: 12, align: 'right' },
      { header: 'Change', width: 12, align: 'right' },
      { header: 'Failing', width: 11, align: 'right' },
      { header: 'Unknown', width: 11, align: 'right' },
    ],
    [
      ...ranked.map((c, i) => {
        const counts = report.clusters.find((x) => x.name === c.cluster)?.counts;
        return [
          String(i + 1),
          { text: c.cluster, font: FONT.bold },
          { text: fmtScore(c.score), font: FONT.bold },
          deltaCell(L, c.score, c.first, true),
          fmtRisk(c.risk),
          deltaCell(L, c.risk, c.firstRisk, false, 0),
          { text: fmtInt(counts?.fail ?? 0), color: (counts?.fail ?? 0) > 0 ? L.c.status.fail : L.c.text },
          { text: fmtInt(counts?.unknown ?? 0), color: (counts?.unknown ?? 0) > 0 ? L.c.status.unknown : L.c.text },
        ];
      }),
      ...failed.map((c) => ['-', { text: c.name, font: FONT.bold }, { text: 'not assessed', color: L.c.status.error, font: FONT.bold }, '', '', '', '', '']),
    ],
    { size: 8.5, caption: 'Clusters ranked' },
  );

  L.heading('Changes over the period', 2);
  const ch = p.changes;
  if (!ch.compared) L.paragraph('This is the only run in the period: there is nothing to compare with yet.', body);
  else {
    L.paragraph(
      `Failing findings at the first run of the period (${fmtDate(p.trend.fleet[0]?.at ?? p.from)}) compared with this run. A finding that appeared and was resolved in between is not a change between the two, but is counted under time to remediate.`,
      body,
    );
    L.keyValues(
      [
        ['New failing findings', { text: fmtInt(ch.new), color: ch.new > 0 ? L.c.status.fail : L.c.text, font: FONT.bold }],
        ['Reopened (fixed, then back)', { text: fmtInt(ch.reopened), color: ch.reopened > 0 ? L.c.status.fail : L.c.text, font: FONT.bold }],
        ['Resolved', { text: fmtInt(ch.resolved), color: ch.resolved > 0 ? L.c.status.pass : L.c.text, font: FONT.bold }],
        ['Still open since the start', fmtInt(ch.stillOpen)],
      ],
      { size: 9, labelWidth: 170 },
    );
  }

  networkChanges(L, report, body);

  L.heading('Time to remediate', 2);
  const r = p.remediation;
  if (r.resolved === 0) L.paragraph('No failing finding was resolved in the period.', body);
  else {
    L.paragraph(
      `${fmtInt(r.resolved)} failing finding(s) were resolved in the period (${fmtInt(r.fixed)} fixed, ${fmtInt(r.resourceGone)} by deleting the resource): median ${fmtDays(r.medianDays)}, mean ${fmtDays(r.meanDays)} from first seen to resolved.`,
      body,
    );
    L.table(
      [
        { header: 'Severity', width: 40 },
        { header: 'Resolved', width: 30, align: 'right' },
        { header: 'Median time to remediate', width: 30, align: 'right' },
      ],
      r.bySeverity.map((s) => [{ text: s.severity, color: L.c.severity[s.severity as Severity] ?? L.c.text, font: FONT.bold }, fmtInt(s.resolved), fmtDays(s.medianDays)]),
      { size: 8.5, caption: 'Time to remediate per severity' },
    );
  }
  L.table(
    [
      { header: 'Open failing findings by age', width: 40 },
      { header: '0-7 days', width: 15, align: 'right' },
      { header: '8-30 days', width: 15, align: 'right' },
      { header: '31-90 days', width: 15, align: 'right' },
      { header: '> 90 days', width: 15, align: 'right' },
    ],
    [[{ text: 'Open at this run', font: FONT.bold }, fmtInt(r.open['0-7']), fmtInt(r.open['8-30']), { text: fmtInt(r.open['31-90']), color: r.open['31-90'] > 0 ? L.c.status.unknown : L.c.text }, { text: fmtInt(r.open['>90']), color: r.open['>90'] > 0 ? L.c.status.fail : L.c.text, font: FONT.bold }]],
    { size: 8.5, caption: 'Open failing findings by age' },
  );

  L.heading('Top risks', 2);
  if (p.topRisks.length === 0) L.paragraph('No workload has a failing finding (or risk was not recorded for this run).', body);
  else {
    L.paragraph('Risk = severity (sum of the weights of the workload\u2019s failing findings) \u00d7 exposure (1 + the factors below). See Methodology.', L.style(FONT.regular, 8.5, L.c.muted));
    L.table(
      [
        { header: 'Workload', width: 30 },
        { header: 'Cluster', width: 13 },
        { header: 'Risk', width: 8, align: 'right' },
        { header: 'Sev. x exp.', width: 11, align: 'right' },
        { header: 'Why exposed', width: 38 },
      ],
      p.topRisks.map((w) => [
        { text: resourceLabel(w.resource), font: FONT.bold },
        w.cluster,
        { text: fmtRisk(w.risk), font: FONT.bold, color: L.c.status.fail },
        `${w.severity} x ${w.exposure}`,
        w.factors.length ? w.factors.map((f) => `${f.factor}: ${f.reason}`).join('\n') : 'no exposure factor',
      ]),
      { size: 8, caption: 'Top risks' },
    );
  }
}

const EXPOSURE_SIDE = { ingress: 'open to', service: 'from outside via', egress: 'can reach' } as const;

/** New network exposure of the period, per cluster: what a workload became open to, or can newly reach. */
function networkChanges(L: Layout, report: RunReport, body: ReturnType<Layout['style']>): void {
  const changes = report.period.network;
  if (!report.network && !changes) return;
  L.heading('Network exposure opened in the period', 2);
  if (!changes || changes.length === 0) {
    L.paragraph('No connection was opened or closed in the period, as far as the stored connectivity of the clusters shows (NetworkPolicies, Services and Ingresses; what the network plugin enforces is not known).', body);
    return;
  }
  L.paragraph(
    `Connectivity at the scan compared with this run's, per cluster whose connectivity changed: connections added, removed and changed, and the exposure lines that are new (a workload open to the entire cluster, to namespaces or labels no workload has, to external ranges, or from outside through a Service).`,
    body,
  );
  for (const c of changes) {
    L.paragraph(`${c.cluster} since ${fmtDate(c.since)}: ${fmtInt(c.added)} connection(s) added, ${fmtInt(c.removed)} removed, ${fmtInt(c.changed)} changed; ${fmtInt(c.newExposureCount)} new exposure line(s)${c.newExposureCount > c.newExposure.length ? `, the first ${c.newExposure.length} listed` : ''}.`, L.style(FONT.bold, 9));
    if (c.newExposure.length === 0) continue;
    L.table(
      [
        { header: 'Workload', width: 34 },
        { header: 'Exposure', width: 14 },
        { header: 'Peer', width: 32 },
        { header: 'Connections', width: 20 },
      ],
      c.newExposure.map((e) => [{ text: e.workload, font: FONT.bold }, { text: EXPOSURE_SIDE[e.direction], color: L.c.status.fail }, e.peer, e.conn]),
      { size: 8, caption: `New network exposure of ${c.cluster}` },
    );
  }
}

export async function clusterTrends(L: Layout, report: RunReport, chart?: ChartHook): Promise<void> {
  const series = report.period.trend.clusters.filter((c) => c.points.length > 1);
  if (!chart || series.length === 0) return;
  L.heading('Compliance score per cluster over the period', 2);
  await chart.trend(
    L,
    series.map((c) => ({ name: c.cluster, points: c.points })),
    190,
    'Compliance score per cluster',
  );
}

/** The exceptions that need someone's attention soon, named in the summary. */
function exceptionsAttention(L: Layout, report: RunReport, body: ReturnType<Layout['style']>): void {
  const soon = report.period.exceptions.filter((e) => e.state === 'expiring');
  const lapsed = report.period.exceptions.filter((e) => e.state === 'expired');
  if (soon.length === 0 && lapsed.length === 0) return;
  const name = (e: (typeof soon)[number]) => `${e.id} (${e.owner}, ${e.expires ? fmtDate(e.expires) : 'no date'}, ${e.matched} finding(s))`;
  const parts = [
    soon.length > 0 && `Exceptions expiring within 30 days of this run: ${soon.map(name).join('; ')}.`,
    lapsed.length > 0 && `Expired: ${lapsed.map((e) => `${e.id} (${e.owner}, ${e.expires ? fmtDate(e.expires) : 'no date'})`).join('; ')}; their findings count as failing again.`,
  ].filter(Boolean);
  L.paragraph(parts.join(' '), body);
}

export function exceptionsRegister(L: Layout, report: RunReport): void {
  L.heading('5 Exceptions register', 1, L.contents.entry('5 Exceptions register'));
  const body = L.style(FONT.regular, 9);
  L.paragraph(
    'Accepted deviations from a control, each with its scope, owner, reason, ticket and expiry, and the failing findings of this run it matched. An excepted result is still reported as failing in this report; the register records who accepted it and until when. Expired exceptions are highlighted: the findings they matched are open failures again.',
    body,
  );
  const rows = report.period.exceptions;
  if (rows.length === 0) {
    L.paragraph('No exceptions are registered: every failing result in this report stands as failing.', L.style(FONT.bold, 9));
    return;
  }
  if (report.exceptions.runDigest && report.exceptions.filesDigest && report.exceptions.runDigest !== report.exceptions.filesDigest) {
    L.paragraph('The exceptions files read for this report differ from those the run applied: the matched findings are the run\u2019s, the owner, reason and expiry are those of the files now.', L.style(FONT.bold, 9));
  }
  const expires = (e: (typeof rows)[number]): Cell => {
    if (!e.expires) return { text: 'unknown', color: L.c.muted };
    if (e.state === 'expired') return { text: `${fmtDate(e.expires)} (expired)`, color: L.c.status.fail, font: FONT.bold };
    if (e.state === 'expiring') return { text: `${fmtDate(e.expires)} (soon)`, color: L.c.status.unknown, font: FONT.bold };
    return { text: e.state === 'pending' ? `${fmtDate(e.expires)} (from ${fmtDate(e.created ?? e.expires)})` : fmtDate(e.expires) };
  };
  L.table(
    [
      { header: 'Exception', width: 19 },
      { header: 'Scope', width: 21 },
      { header: 'Owner', width: 12 },
      { header: 'Reason', width: 22 },
      { header: 'Expires', width: 15 },
      { header: 'Matched', width: 11, align: 'right' },
    ],
    rows.map((e) => [
      { text: `${e.id}${e.controls.length > 0 ? `: ${e.controls.join(', ')}` : ''}`, font: FONT.bold },
      e.scope,
      e.owner,
      e.ticket ? `${e.reason} (${e.ticket})` : e.reason,
      expires(e),
      e.lapsed > 0 ? { text: `${fmtInt(e.matched)} + ${fmtInt(e.lapsed)} lapsed`, color: L.c.status.fail } : fmtInt(e.matched),
    ]),
    { size: 8, caption: 'Exceptions register' },
  );
}

export function methodology(L: Layout, report: RunReport): void {
  L.newPage();
  L.heading('6 Methodology', 1, L.contents.entry('6 Methodology'));
  const body = L.style(FONT.regular, 9);
  const mono = L.style(FONT.mono, 8.5);
  L.heading('Data sources', 2);
  L.paragraph(
    'complyd reads each cluster through the Kubernetes API with a read-only identity; nothing is installed in the cluster. It lists namespaces, nodes, pods, workloads (deployments, statefulsets, daemonsets, replicasets, jobs, cronjobs), services, ingresses, network policies, service accounts and RBAC objects, and Secrets as metadata only (the API server never sends their values, so no secret value is stored or reported). Control-plane flags come from the mirror pods of the static control-plane pods in kube-system; kubelet settings from each node\u2019s configz endpoint. Absent flags take the component\u2019s compiled default for the cluster\u2019s version. Managed control planes (EKS, GKE, AKS) are not visible through the API: their control-plane items are reported not-applicable.',
    body,
  );
  L.heading('Statuses', 2);
  L.paragraph(
    'pass: the evidence was read and meets the control. fail: it was read and does not. unknown: the evidence could not be read (for example a 403 or a kubelet hiding its configuration); never counted as passed. manual: the API cannot show the evidence (file permissions on nodes, contents of configuration files); a person must judge; never counted as passed. not-applicable: the control does not apply (for example to a managed control plane). error: the control could not be evaluated on this data.',
    body,
  );
  L.heading('Compliance score', 2);
  L.paragraph('score = 100 x sum( w(severity) x pass ) / sum( w(severity) x (pass + fail) )', mono);
  L.paragraph(
    'Weights w: critical 8, high 4, medium 2, low 1, info 0. A check is one control judged against one resource (one container where it applies). Unknown, manual, not-applicable and error results are not in the formula and are shown beside the score. A scope where nothing was decided has no score (n/a). The pass rate pass / (pass + fail) is also given.',
    body,
  );
  L.heading('Scores as measured and with accepted exceptions', 2);
  L.paragraph(
    'Every score and risk in this report is as measured unless it says \u201cwith accepted exceptions\u201d. An exception (see the register) never changes a result: an excepted failure is still a failure. The compliance score with accepted exceptions leaves the failures excepted by an exception in force at the run out of the formula (neither pass nor fail: accepted is not compliant); the risk score with accepted exceptions leaves their severity weights out of their workloads\u2019 severity. A failure whose exception has expired counts in both. Time to remediate is the same either way: an excepted failure stays open until it is fixed.',
    body,
  );
  L.heading('Risk score', 2);
  L.paragraph('risk(workload) = severity x exposure;  severity = sum of w(severity) of its failing findings;  exposure = 1 + sum of factors', mono);
  L.table(
    [
      { header: 'Factor', width: 18 },
      { header: 'Adds', width: 8, align: 'right' },
      { header: 'When', width: 74 },
    ],
    [
      [{ text: 'privilege', font: FONT.bold }, '1', 'a container is privileged or adds a dangerous capability, or the pod shares a host namespace or mounts a hostPath'],
      [{ text: 'reachability', font: FONT.bold }, '1 + 0.5', 'from the connectivity analysis: reachable from the internet through a LoadBalancer/NodePort Service or an Ingress whose traffic its NetworkPolicies let in (1), open to every pod of the cluster (0.5); both add up. With NetworkPolicies unread: a LoadBalancer/NodePort Service or an Ingress routes to it (1)'],
      [{ text: 'lateral', font: FONT.bold }, '0.1 each, max 1', 'a reachable workload: 0.1 per workload it may connect to'],
      [{ text: 'blast-radius', font: FONT.bold }, '1 / 0.5', 'a DaemonSet (every node), or at least 10 replicas (1) / at least 3 replicas (0.5)'],
      [{ text: 'rbac-secrets', font: FONT.bold }, '1', 'its service account (token mounted) can read Secrets'],
      [{ text: 'rbac-escalation', font: FONT.bold }, '1', 'its service account can bind or escalate roles, or impersonate'],
    ],
    { size: 8, caption: 'Risk factors' },
  );
  L.paragraph('A namespace\u2019s and a cluster\u2019s risk are the sums of their workloads\u2019 risks. Each factor is kept with its reason (see Top risks).', body);
  L.heading('History and time to remediate', 2);
  L.paragraph(
    'Each finding has a stable fingerprint (cluster, control, resource, container). The store keeps it as a lifecycle: first seen, last seen, resolved (fixed, or resource deleted) and reopened when it comes back. Time to remediate is the time from first seen to resolved, for failing findings only (an unknown that becomes readable is not a remediation). Scores over time are computed from the per-control counts kept for every run.',
    body,
  );
  L.keyValues(
    [
      ['Control catalog version', report.catalogVersion],
      ['Frameworks', report.framework ? `${report.framework} (this report is limited to it)` : report.profile ? `${report.profile.frameworks.join(', ')} (those of profile ${report.profile.name})` : 'CIS Kubernetes Benchmark v1.12, Pod Security Standards (baseline, restricted), NSA/CISA Kubernetes Hardening Guidance'],
      ...(report.selection ? [['Controls selected', `${report.selection}: the counts, scores and listings of this report cover these controls only; the trends of the period cover its framework or profile`] as [string, string]] : []),
      ...(report.profile ? [['Profile', `${profileLine(report.profile)}. Each cluster is evaluated only with its profile\u2019s controls; a cluster in no profile with every control.`] as [string, string]] : []),
      ['complyd version', report.complydVersion],
    ],
    { size: 8.5, labelWidth: 130 },
  );
}

export function integrityAppendix(L: Layout, report: RunReport): void {
  L.newPage();
  L.heading('7 Integrity', 1, L.contents.entry('7 Integrity'));
  const body = L.style(FONT.regular, 9);
  L.paragraph(
    'Every figure in this report is computed from the stored results of the runs below. Each cluster\u2019s scans form a hash chain: a scan\u2019s chain hash covers its results hash (counts, open findings with their evidence hashes, gaps), the SHA-256 of the snapshot it evaluated, and the previous scan\u2019s chain hash. `complyd verify` recomputes the chain from the store and names any row changed after the fact. The SHA-256 of this file is written beside it (<file>.sha256).',
    body,
  );
  L.keyValues(
    [
      ['Reported run', { text: report.run.id, font: FONT.mono }],
      ['Runs the figures rest on', { text: report.period.integrity.runIds.join('\n'), font: FONT.mono }],
      ['Report schema', report.schema],
    ],
    { size: 8.5, labelWidth: 130 },
  );
  L.table(
    [
      { header: 'Cluster', width: 20 },
      { header: 'Status', width: 11 },
      { header: 'Snapshot SHA-256', width: 69 },
    ],
    report.clusters.map((c) => [
      { text: c.name, font: FONT.bold },
      c.status,
      c.snapshotHash ? { text: c.snapshotHash, font: FONT.mono } : { text: 'none: no snapshot was taken', color: L.c.muted },
    ]),
    { size: 8, caption: 'Snapshot hashes' },
  );
  const chain = report.period.integrity.chain;
  if (chain.length === 0) {
    L.paragraph('No chain entries: the clusters of this run were recorded before the hash chain existed, or none was assessed.', body);
    return;
  }
  L.table(
    [
      { header: 'Cluster / seq', width: 16 },
      { header: 'Hashes (SHA-256)', width: 84 },
    ],
    chain.map((c) => [
      { text: `${c.cluster}\n#${c.seq}`, font: FONT.bold },
      { text: `chain     ${c.chainHash}\nprevious  ${c.prevChainHash}\nresults   ${c.resultsHash}\nsnapshot  ${c.snapshotHash ?? 'none'}`, font: FONT.mono },
    ]),
    { size: 7, caption: 'Hash chain entries of the reported run' },
  );
}
