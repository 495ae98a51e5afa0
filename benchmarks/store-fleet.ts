/**
 * A synthetic fleet for the store benchmark: clusters whose findings change a little each day.
 *
 * Each cluster has `controls` workload controls (a mix of severities and failure rates, from
 * baseline-like 1-5% to restricted-like 10-45%), judged on every workload, plus a few
 * cluster-level controls (manual, pass, fail). Every day, in each cluster, with the default
 * 400 workloads: about one workload is deleted and one created, four are redeployed (a new
 * image tag, so the evidence of their image finding changes), four verdicts flip (a fix or a
 * regression); on 2% of days a gap hides one control (a cluster-level `unknown`), on 0.5% the
 * cluster cannot be reached at all. `quiet()` stops all change, for measuring unchanged runs.
 *
 * Deterministic (seeded), no clock reads. Finding objects are reused while they do not change.
 */
import type { ClusterScan, Finding, Severity } from '../src/core/types.js';
import { Rng } from './fleet/builder.js';

interface SimControl {
  id: string;
  severity: Severity;
  failRate: number;
  field: string;
  image: boolean;
}

interface Workload {
  name: string;
  namespace: string;
  tag: number;
  fails: Set<number>;
  findings: Finding[] | undefined;
}

export interface SimOptions {
  workloads: number;
  controls: number;
  namespaces: number;
}

const FIELDS = ['securityContext.privileged', 'securityContext.allowPrivilegeEscalation', 'securityContext.runAsNonRoot', 'securityContext.capabilities.add', 'securityContext.seccompProfile.type', 'resources.limits.memory', 'image'];
const CLUSTER_CONTROLS: Array<{ id: string; severity: Severity; status: 'pass' | 'fail' | 'manual'; message?: string }> = [
  { id: 'CIS-1.2.1', severity: 'high', status: 'pass' },
  { id: 'CIS-1.2.2', severity: 'high', status: 'fail', message: '--anonymous-auth is not set to false' },
  { id: 'CIS-1.1.1', severity: 'medium', status: 'manual', message: 'Check the file mode of the API server pod specification on each control-plane node.' },
  { id: 'CIS-1.1.2', severity: 'medium', status: 'manual', message: 'Check the file ownership of the API server pod specification on each control-plane node.' },
  { id: 'CIS-4.2.1', severity: 'high', status: 'pass' },
  { id: 'CIS-4.2.6', severity: 'medium', status: 'fail', message: 'protectKernelDefaults is not true on 3 of 12 nodes' },
];

export class SimCluster {
  private readonly rng: Rng;
  private readonly controls: SimControl[] = [];
  private readonly workloads = new Map<string, Workload>();
  private readonly labels: Record<string, string>;
  private nextWorkload = 0;
  private changing = true;
  private gapToday = false;
  private failedToday = false;

  constructor(
    readonly name: string,
    seed: number,
    private readonly opts: SimOptions,
  ) {
    this.rng = new Rng(seed);
    for (let i = 0; i < opts.controls; i++) {
      const restricted = i % 2 === 1;
      this.controls.push({
        id: `${restricted ? 'PSS-R' : 'PSS-B'}-${String(i).padStart(2, '0')}`,
        severity: this.rng.weighted<Severity>([['critical', 5], ['high', 30], ['medium', 40], ['low', 20], ['info', 5]]),
        failRate: restricted ? 0.1 + this.rng.next() * 0.35 : 0.01 + this.rng.next() * 0.04,
        field: FIELDS[i % FIELDS.length] ?? 'image',
        image: i % FIELDS.length === FIELDS.length - 1,
      });
    }
    for (let i = 0; i < opts.workloads; i++) this.addWorkload();
    this.labels = { env: this.rng.pick(['prod', 'staging', 'dev']), region: this.rng.pick(['eu-west-1', 'us-east-1']), owner: 'platform' };
  }

  /** No change from now on: every later scan is the same as the last. */
  quiet(): void {
    this.changing = false;
    this.gapToday = false;
    this.failedToday = false;
  }

  private addWorkload(): void {
    const name = `svc-${this.nextWorkload++}`;
    const fails = new Set<number>();
    this.controls.forEach((c, i) => {
      if (this.rng.chance(c.failRate)) fails.add(i);
    });
    this.workloads.set(name, { name, namespace: `team-${this.rng.int(0, this.opts.namespaces - 1)}`, tag: 1, fails, findings: undefined });
  }

  /** Moves the cluster on by one day. */
  advance(): void {
    if (!this.changing) return;
    const rate = 1 / this.opts.workloads;
    for (const w of [...this.workloads.values()]) {
      if (this.rng.chance(rate)) {
        this.workloads.delete(w.name);
        continue;
      }
      if (this.rng.chance(4 * rate)) {
        w.tag += 1;
        w.findings = undefined;
      }
      if (this.rng.chance(4 * rate)) {
        const c = this.rng.int(0, this.controls.length - 1);
        if (!w.fails.delete(c)) w.fails.add(c);
        w.findings = undefined;
      }
    }
    const created = this.rng.chance(0.5) ? this.rng.int(1, 2) : 0;
    for (let i = 0; i < created; i++) this.addWorkload();
    this.gapToday = this.rng.chance(0.02);
    this.failedToday = this.rng.chance(0.005);
  }

  private findingsOf(w: Workload): Finding[] {
    if (w.findings) return w.findings;
    const resource = { kind: 'Deployment', namespace: w.namespace, name: w.name, container: 'app' };
    w.findings = this.controls.map((c, i): Finding => {
      const f: Finding = { cluster: this.name, controlId: c.id, severity: c.severity, status: w.fails.has(i) ? 'fail' : 'pass', resource };
      if (f.status === 'fail') {
        f.evidence = c.image
          ? { path: 'spec.template.spec.containers[app].image', observed: `registry.example.com/${w.namespace}/${w.name}:1.${w.tag}.0`, expected: 'an image pinned by digest (@sha256:...)' }
          : { path: `spec.template.spec.containers[app].${c.field}`, observed: 'true', expected: 'false or unset' };
      }
      return f;
    });
    return w.findings;
  }

  scan(at: Date): ClusterScan {
    const startedAt = at.toISOString();
    const finishedAt = new Date(at.getTime() + 8_000).toISOString();
    if (this.failedToday) {
      return { cluster: this.name, labels: this.labels, status: 'failed', startedAt, finishedAt, objectCounts: {}, gaps: [], error: `connect ETIMEDOUT ${this.name}.example.com:6443`, findings: [] };
    }
    const hidden = this.gapToday ? this.controls[0]?.id : undefined;
    const findings: Finding[] = [];
    for (const w of this.workloads.values()) {
      for (const f of this.findingsOf(w)) if (f.controlId !== hidden) findings.push(f);
    }
    if (hidden) {
      const c = this.controls[0] as SimControl;
      findings.push({ cluster: this.name, controlId: hidden, severity: c.severity, status: 'unknown', resource: { kind: 'Cluster', name: this.name }, message: 'evidence "pods" could not be read: timeout: the server was too slow' });
    }
    for (const c of CLUSTER_CONTROLS) {
      findings.push({ cluster: this.name, controlId: c.id, severity: c.severity, status: c.status, resource: { kind: 'Cluster', name: this.name }, ...(c.message && { message: c.message }) });
    }
    return {
      cluster: this.name,
      labels: this.labels,
      status: hidden ? 'partial' : 'complete',
      startedAt,
      finishedAt,
      provider: 'kubeadm',
      serverVersion: 'v1.31.4',
      objectCounts: { deployments: this.workloads.size, pods: this.workloads.size * 3, namespaces: this.opts.namespaces },
      snapshotHash: `${this.name}:${startedAt}`.padEnd(64, '0').slice(0, 64),
      gaps: hidden ? [{ evidence: 'pods', reason: 'timeout', message: 'the server was too slow' }] : [],
      findings,
    };
  }

  /** The frameworks of each control, as scan-fleet passes them: PSS-B in baseline and restricted, PSS-R in restricted, CIS in cis-1.12 (and NSA for the 4.2 ones). */
  frameworks(): Record<string, string[]> {
    const of = (id: string) => (id.startsWith('PSS-B') ? ['pss-baseline', 'pss-restricted', 'nsa'] : id.startsWith('PSS-R') ? ['pss-restricted'] : id.startsWith('CIS-4.2') ? ['cis-1.12', 'nsa'] : ['cis-1.12']);
    return Object.fromEntries(this.controlIds().map((id) => [id, of(id)]));
  }

  /** Ids of every control, as scan-fleet would pass them. */
  controlIds(): string[] {
    return [...this.controls.map((c) => c.id), ...CLUSTER_CONTROLS.map((c) => c.id)];
  }
}
