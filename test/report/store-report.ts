/**
 * A RunReport built the way complyd builds it: findings recorded in a real SQLite store, then
 * read back with buildRunReport. Values are chosen to break naive writers: commas, quotes,
 * line breaks, formula prefixes, pipes, XML specials and control characters.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterScan, Finding, Severity, Status } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { buildRunReport, type RunReport } from '../../src/report/model.js';

export const TRICKY_NAME = 'web,"quoted"\nline';
export const FORMULA_NAME = '=HYPERLINK("http://x","y")';
export const TRICKY_OBSERVED = 'a|b\r\nc <x> & \u0007bell\u0000';
export const MINUS_OBSERVED = '-1+2';
/** Failing resources per cluster in the store. */
export const PROD_FAILING = 25;

const T0 = new Date('2025-03-01T10:00:00.000Z');

function f(cluster: string, controlId: string, severity: Severity, status: Status, name: string, extra: Partial<Finding> = {}): Finding {
  return { cluster, controlId, severity, status, resource: { kind: 'Deployment', namespace: 'shop', name, container: 'app', apiVersion: 'apps/v1', uid: `uid-${name.length}` }, ...extra };
}

function scan(cluster: string, findings: Finding[], extra: Partial<ClusterScan> = {}): ClusterScan {
  return {
    cluster,
    labels: { env: 'prod' },
    status: 'complete',
    startedAt: '2025-03-01T10:00:01.000Z',
    finishedAt: '2025-03-01T10:00:09.000Z',
    provider: 'kubeadm',
    serverVersion: 'v1.31.2',
    objectCounts: { pods: 40, deployments: 30 },
    snapshotHash: cluster === 'prod' ? 'ab'.repeat(32) : 'cd'.repeat(32),
    gaps: [],
    findings,
    ...extra,
  };
}

export interface StoredReport {
  report: RunReport;
  /** The SQLite file, for tests that point the CLI at it. */
  sqlite: string;
  dir: string;
  cleanup(): Promise<void>;
}

export async function storedReport(): Promise<StoredReport> {
  const dir = await mkdtemp(join(tmpdir(), 'complyd-formats-'));
  const sqlite = join(dir, 'complyd.sqlite');
  const store = knexRunStore(await openDatabase({ kind: 'sqlite', path: sqlite }));
  try {
    const runId = await store.runs.beginRun({ trigger: 'cli', catalogVersion: 'cat-test', complydVersion: '0.1.0', clusterCount: 3, now: T0, owner: 'test:1' });
    const privileged = Array.from({ length: PROD_FAILING - 3 }, (_, i) =>
      f('prod', 'PSS-privileged', 'critical', 'fail', `web-${String(i).padStart(2, '0')}`, {
        evidence: { path: 'spec.template.spec.containers[0].securityContext.privileged', observed: 'true', expected: 'false or unset' },
      }),
    );
    await store.runs.recordCluster(
      runId,
      scan('prod', [
        ...privileged,
        f('prod', 'PSS-privileged', 'critical', 'fail', TRICKY_NAME, { evidence: { path: 'spec.x', observed: TRICKY_OBSERVED, expected: '"none", really' } }),
        f('prod', 'PSS-privileged', 'critical', 'pass', 'ok-1'),
        f('prod', 'PSS-allow-privilege-escalation', 'high', 'fail', FORMULA_NAME, { evidence: { path: 'spec.y', observed: MINUS_OBSERVED, expected: '@never' } }),
        f('prod', 'CIS-5.1.8', 'high', 'fail', 'binder', { resource: { kind: 'ClusterRole', name: 'binder' }, evidence: { path: 'rules[0].verbs', observed: '["bind"]', expected: 'no bind' } }),
        f('prod', 'CIS-1.1.1', 'medium', 'manual', 'prod', { resource: { kind: 'Cluster', name: 'prod' }, message: 'Check the file mode | on each control-plane node.' }),
      ]),
    );
    await store.runs.recordCluster(
      runId,
      scan(
        'staging',
        [
          f('staging', 'PSS-privileged', 'critical', 'pass', 'ok-2'),
          f('staging', 'CIS-5.1.8', 'high', 'unknown', 'staging', { resource: { kind: 'Cluster', name: 'staging' }, message: 'evidence "clusterroles" could not be read: forbidden' }),
          f('staging', 'PSS-allow-privilege-escalation', 'high', 'error', 'staging', { resource: { kind: 'Cluster', name: 'staging' }, message: 'TypeError: <boom> & "bang"' }),
        ],
        { status: 'partial', gaps: [{ evidence: 'clusterroles', reason: 'forbidden', message: 'clusterroles is forbidden' }] },
      ),
    );
    await store.runs.recordCluster(runId, scan('ghost', [], { status: 'failed', error: 'kubeconfig missing.yaml: file not found', snapshotHash: undefined, objectCounts: {} }));
    await store.runs.finishRun(runId, 'partial', new Date(T0.getTime() + 60_000));
    const report = await buildRunReport({ store: store.history, runId, controls: CONTROLS, now: new Date(T0.getTime() + 120_000), complydVersion: '0.1.0' });
    return { report, sqlite, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } finally {
    await store.close();
  }
}

/** Non-pass findings with the given status, over all controls. */
export function countFindings(report: RunReport, status: Status): number {
  return report.controls.reduce((n, c) => n + c.findings.filter((x) => x.status === status).length, 0);
}
