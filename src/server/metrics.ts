/**
 * Prometheus metrics. What a daemon observes as it scans (scans by status, durations, objects
 * read) is counted as it happens; what the store holds (scores, risk, failing and open
 * findings, gaps, last success) is read from the latest finished run at scrape time, so
 * `complyd serve` over a store shows the same figures a daemon does. Labels are only cluster,
 * severity, framework, status, a gap's reason, an alert event's kind and a delivery's outcome:
 * each bounded by the fleet or an enum, never per finding, resource or webhook URL.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FRAMEWORKS } from '../core/control.js';
import { SEVERITIES } from '../core/types.js';
import { CONTROLS } from '../controls/index.js';
import { complianceScore } from '../score/compliance.js';
import type { ClusterResult, HistoryReader } from '../store/run-store.js';

/** The label names any metric may carry (`le` is the histograms' own). */
export const METRIC_LABELS = ['cluster', 'severity', 'framework', 'status', 'reason', 'event', 'outcome'] as const;

/** The outcomes of one webhook delivery (retries included). */
export const DELIVERY_OUTCOMES = ['delivered', 'failed'] as const;

export interface MetricsOptions {
  /** The undelivered alerts kept in the store, counted at scrape time. */
  deadLetters?: { count(): Promise<number> };
  /** The alert event kinds counted; any other is left out, so the label stays bounded. */
  alertKinds?: readonly string[];
}

/** Open findings are aged at most this often: on a large store it reads every open episode. */
const OPEN_AGE_TTL_MS = 60_000;

export class Metrics {
  readonly registry = new Registry();
  private readonly scans = new Counter({ name: 'complyd_scans_total', help: 'Scheduled scan rounds this process ran, by how the run ended.', labelNames: ['status'], registers: [this.registry] });
  private readonly scanDuration = new Histogram({ name: 'complyd_scan_duration_seconds', help: 'Duration of scan rounds this process ran.', buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600], registers: [this.registry] });
  private readonly clusterDuration = new Histogram({ name: 'complyd_cluster_scan_duration_seconds', help: 'Duration of one cluster\'s scan, by cluster.', labelNames: ['cluster'], buckets: [0.5, 1, 5, 15, 30, 60, 120, 300, 600], registers: [this.registry] });
  private readonly objectsRead = new Counter({ name: 'complyd_objects_read_total', help: 'Kubernetes objects read by the scans this process ran, by cluster.', labelNames: ['cluster'], registers: [this.registry] });
  private readonly storeLatency = new Histogram({ name: 'complyd_store_read_duration_seconds', help: 'Duration of the store reads made to answer HTTP requests and scrapes.', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15], registers: [this.registry] });
  private readonly score = new Gauge({ name: 'complyd_compliance_score', help: 'Compliance score (0-100) of each cluster in the latest finished run, over every control (framework="all") and per framework; absent when nothing was decided.', labelNames: ['cluster', 'framework'], registers: [this.registry] });
  private readonly risk = new Gauge({ name: 'complyd_cluster_risk', help: 'Total workload risk (severity x exposure) of each cluster in the latest finished run.', labelNames: ['cluster'], registers: [this.registry] });
  private readonly failing = new Gauge({ name: 'complyd_failing_findings', help: 'Failing findings of each cluster in the latest finished run, by severity (excepted ones included).', labelNames: ['cluster', 'severity'], registers: [this.registry] });
  private readonly clusterStatus = new Gauge({ name: 'complyd_cluster_scan_status', help: '1 for the status each cluster\'s scan had in the latest finished run (complete, partial, failed).', labelNames: ['cluster', 'status'], registers: [this.registry] });
  private readonly objects = new Gauge({ name: 'complyd_objects', help: 'Kubernetes objects read from each cluster in the latest finished run.', labelNames: ['cluster'], registers: [this.registry] });
  private readonly gaps = new Gauge({ name: 'complyd_gaps', help: 'Evidence that could not be read in the latest finished run, by cluster and reason.', labelNames: ['cluster', 'reason'], registers: [this.registry] });
  private readonly openCount = new Gauge({ name: 'complyd_open_failing_findings', help: 'Failing findings open now (not yet resolved), by severity.', labelNames: ['severity'], registers: [this.registry] });
  private readonly openAge = new Gauge({ name: 'complyd_open_failing_findings_oldest_age_seconds', help: 'Age of the oldest failing finding still open, by severity.', labelNames: ['severity'], registers: [this.registry] });
  private readonly lastSuccess = new Gauge({ name: 'complyd_last_successful_scan_timestamp_seconds', help: 'Start of the latest run that finished complete or partial (Unix time).', registers: [this.registry] });
  private readonly sinceSuccess = new Gauge({ name: 'complyd_seconds_since_last_successful_scan', help: 'Seconds since the start of the latest complete or partial run.', registers: [this.registry] });
  private readonly deliveries = new Counter({ name: 'complyd_alert_deliveries_total', help: 'Alert events this process sent to webhooks, by event kind and delivery outcome (failed: every attempt failed, kept as a dead letter).', labelNames: ['event', 'outcome'], registers: [this.registry] });
  private readonly deadLetters = new Gauge({ name: 'complyd_alert_dead_letters', help: 'Undelivered alerts kept in the store (complyd alerts dead-letters).', registers: [this.registry] });
  private openAgedAt = 0;
  private readonly alertKinds: ReadonlySet<string>;

  constructor(
    private readonly history: HistoryReader,
    private readonly now: () => Date = () => new Date(),
    private readonly options: MetricsOptions = {},
  ) {
    this.alertKinds = new Set(options.alertKinds ?? []);
  }

  /** One webhook delivery of a run's alerts: each event kind it carried, counted by outcome. */
  observeAlertDelivery(kinds: readonly string[], delivered: boolean): void {
    const outcome: (typeof DELIVERY_OUTCOMES)[number] = delivered ? 'delivered' : 'failed';
    for (const event of kinds) if (this.alertKinds.has(event)) this.deliveries.inc({ event, outcome });
  }

  /** A store read, timed into complyd_store_read_duration_seconds. */
  async timed<T>(read: () => Promise<T>): Promise<T> {
    const end = this.storeLatency.startTimer();
    try {
      return await read();
    } finally {
      end();
    }
  }

  /** A scan round a daemon ran: its status, duration, and its clusters' durations and objects. */
  observeScan(status: string, durationMs: number, clusters: readonly ClusterResult[]): void {
    this.scans.inc({ status });
    this.scanDuration.observe(durationMs / 1000);
    for (const c of clusters) {
      this.clusterDuration.observe({ cluster: c.cluster }, Math.max(0, Date.parse(c.finishedAt) - Date.parse(c.startedAt)) / 1000);
      this.objectsRead.inc({ cluster: c.cluster }, c.objectTotal);
    }
  }

  /** The exposition, after reading what the store holds now. */
  async render(): Promise<{ contentType: string; text: string }> {
    await this.refresh();
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  private async refresh(): Promise<void> {
    const h = this.history;
    const run = await this.timed(() => h.latestRun());
    const now = this.now();
    for (const g of [this.score, this.risk, this.failing, this.clusterStatus, this.objects, this.gaps, this.lastSuccess, this.sinceSuccess]) g.reset();
    const letters = this.options.deadLetters;
    if (letters) this.deadLetters.set(await this.timed(() => letters.count()));
    if (!run) return;
    this.lastSuccess.set(Date.parse(run.startedAt) / 1000);
    this.sinceSuccess.set(Math.max(0, (now.getTime() - Date.parse(run.startedAt)) / 1000));
    const [clusters, controls, risks, gaps] = await this.timed(() => Promise.all([h.clusterResults(run.id), h.controlResults(run.id), h.workloadRisks(run.id), h.gaps(run.id)]));
    const frameworksOf = new Map(CONTROLS.map((c) => [c.id, c.frameworks as readonly string[]]));
    for (const c of clusters) {
      this.clusterStatus.set({ cluster: c.cluster, status: c.status }, 1);
      this.objects.set({ cluster: c.cluster }, c.objectTotal);
      if (c.status === 'failed') continue;
      const own = controls.filter((r) => r.cluster === c.cluster);
      const all = complianceScore(own).score;
      if (all !== null) this.score.set({ cluster: c.cluster, framework: 'all' }, all);
      for (const f of FRAMEWORKS) {
        const s = complianceScore(own.filter((r) => (frameworksOf.get(r.controlId) ?? []).includes(f))).score;
        if (s !== null) this.score.set({ cluster: c.cluster, framework: f }, s);
      }
      for (const sev of SEVERITIES) this.failing.set({ cluster: c.cluster, severity: sev }, own.filter((r) => r.severity === sev).reduce((n, r) => n + r.counts.fail, 0));
      this.risk.set({ cluster: c.cluster }, risks.filter((w) => w.cluster === c.cluster).reduce((n, w) => n + w.risk, 0));
    }
    for (const g of gaps) this.gaps.inc({ cluster: g.cluster, reason: g.reason });
    if (now.getTime() - this.openAgedAt >= OPEN_AGE_TTL_MS) {
      this.openAgedAt = now.getTime();
      const open = (await this.timed(() => h.openEpisodes({ withoutEvidence: true }))).filter((e) => e.status === 'fail');
      this.openCount.reset();
      this.openAge.reset();
      for (const sev of SEVERITIES) {
        const of = open.filter((e) => e.severity === sev);
        this.openCount.set({ severity: sev }, of.length);
        const oldest = of.reduce((m, e) => Math.min(m, Date.parse(e.firstSeen.at)), Infinity);
        if (of.length > 0) this.openAge.set({ severity: sev }, Math.max(0, (now.getTime() - oldest) / 1000));
      }
    }
  }
}
