/** Builders for the lifecycle and chain tests: daily runs of small, hand-written clusters. */
import type { Knex } from 'knex';
import type { ClusterScan, Finding, ResourceRef, Severity, Status } from '../../src/core/types.js';
import type { RunStore, RecordClusterOptions } from '../../src/store/run-store.js';

export const DAY0 = new Date('2025-01-01T06:00:00.000Z');
export const dayAt = (n: number, seconds = 0): Date => new Date(DAY0.getTime() + n * 86_400_000 + seconds * 1000);

export function workload(name: string, namespace = 'shop', container = 'app'): ResourceRef {
  return { kind: 'Deployment', namespace, name, container };
}

export const CLUSTER_SCOPE = (cluster: string): ResourceRef => ({ kind: 'Cluster', name: cluster });

export function f(cluster: string, controlId: string, status: Status, resource: ResourceRef, extra: Partial<Finding> = {}, severity: Severity = 'high'): Finding {
  return { cluster, controlId, severity, status, resource, ...extra };
}

export function privileged(observed: string): Pick<Finding, 'evidence'> {
  return { evidence: { path: 'spec.template.spec.containers[app].securityContext.privileged', observed, expected: 'false' } };
}

export function clusterScan(cluster: string, day: number, findings: Finding[], overrides: Partial<ClusterScan> = {}): ClusterScan {
  return {
    cluster,
    labels: { env: 'prod' },
    status: 'complete',
    startedAt: dayAt(day, 1).toISOString(),
    finishedAt: dayAt(day, 9).toISOString(),
    provider: 'kubeadm',
    serverVersion: 'v1.31.2',
    objectCounts: { deployments: 3 },
    snapshotHash: String(day % 10).repeat(64),
    gaps: [],
    findings,
    ...overrides,
  };
}

/** One run on day `day` recording these scans; returns its id. */
export async function runOn(store: RunStore, day: number, scans: ClusterScan[], options: RecordClusterOptions = {}): Promise<string> {
  const runId = await store.runs.beginRun({ trigger: 'schedule', catalogVersion: 'cat-1', complydVersion: '0.1.0', clusterCount: scans.length, now: dayAt(day), owner: 'test:1' });
  for (const s of scans) await store.runs.recordCluster(runId, s, options);
  await store.runs.finishRun(runId, scans.every((s) => s.status === 'complete') ? 'complete' : 'partial', dayAt(day, 30));
  return runId;
}

/** Row counts of every table, to show what a run added. */
export async function tableCounts(knex: Knex): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['runs', 'run_clusters', 'gaps', 'finding_episodes', 'finding_revisions', 'count_spans', 'cluster_heads', 'risk_spans']) {
    out[t] = Number((await knex(t).count({ n: '*' }).first())?.['n']);
  }
  return out;
}

export const names = (list: Array<{ resource: ResourceRef }>): string[] => list.map((x) => x.resource.name).sort();
