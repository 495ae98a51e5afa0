/**
 * The read-only JSON API under /api/v1: answers from the store's HistoryReader and the history
 * layer's folds, the same questions the history commands answer. Nothing here writes.
 */
import { FRAMEWORKS, type Framework } from '../core/control.js';
import { SEVERITIES, STATUSES, type Severity } from '../core/types.js';
import { dispositionKind, type DispositionKind } from '../core/exception.js';
import { CONTROLS } from '../controls/index.js';
import { complianceScore } from '../score/compliance.js';
import { remediation, runHistory, trend } from '../history/history.js';
import type { HistoryReader, Run, StoredFinding } from '../store/run-store.js';
import { HttpError, intParam, json, oneOf, param, periodParam, route, type Reply, type Route } from './routes.js';
import { OPENAPI } from './openapi.js';
import { REPORT_FORMATS, REPORT_MEDIA, type ReportFormat as ApiReportFormat } from '../core/report-formats.js';

export { REPORT_FORMATS, type ApiReportFormat };

export interface ApiDeps {
  history: HistoryReader;
  now: () => Date;
  /** A run's report in one format, as complyd report writes it. */
  renderReport(runId: string, format: ApiReportFormat): Promise<Buffer>;
  /** Runs a store read, timing it (store latency metric). */
  timed<T>(read: () => Promise<T>): Promise<T>;
}

export const PAGE = { default: 100, max: 500 };
const DISPOSITIONS: readonly DispositionKind[] = ['open', 'excepted', 'expired'];

const frameworksOf = new Map(CONTROLS.map((c) => [c.id, c.frameworks as readonly string[]]));

/** The run a path names: an id, or `latest` (the newest finished run). */
async function runOf(deps: ApiDeps, id: string): Promise<Run> {
  const run = await deps.timed(() => (id === 'latest' ? deps.history.latestRun() : deps.history.getRun(id)));
  if (!run) throw new HttpError(404, id === 'latest' ? 'the store holds no finished run yet' : `no run with id ${id}`);
  return run;
}

/** Opaque to clients: the run and the offset of the next page, so a cursor is never applied to another run or filter. */
function encodeCursor(runId: string, filterKey: string, offset: number): string {
  return Buffer.from(JSON.stringify({ r: runId, f: filterKey, o: offset })).toString('base64url');
}

function decodeCursor(cursor: string, runId: string, filterKey: string): number {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { r?: unknown; f?: unknown; o?: unknown };
    if (c.r === runId && c.f === filterKey && Number.isSafeInteger(c.o) && (c.o as number) >= 0) return c.o as number;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'query parameter "cursor" is not a cursor of this run and these filters (take nextCursor from the previous page)');
}

function findingItem(f: StoredFinding) {
  return {
    fingerprint: f.fingerprint,
    cluster: f.cluster,
    controlId: f.controlId,
    severity: f.severity,
    status: f.status,
    disposition: dispositionKind(f.disposition),
    ...(f.disposition ? { exceptionId: f.disposition.exceptionId } : {}),
    resource: f.resource,
    ...(f.evidence ? { evidence: f.evidence } : {}),
    ...(f.message !== undefined ? { message: f.message } : {}),
    episode: f.episode,
    firstSeenAt: f.firstSeenAt,
    frameworks: frameworksOf.get(f.controlId) ?? [],
  };
}

export function apiRoutes(deps: ApiDeps): Route[] {
  const { history } = deps;
  return [
    route('/api/v1/openapi.json', async () => json(OPENAPI)),

    route('/api/v1/clusters', async () => {
      const run = await deps.timed(() => history.latestRun());
      if (!run) return json({ runId: null, at: null, clusters: [] });
      const [results, controls, risks] = await deps.timed(() => Promise.all([history.clusterResults(run.id), history.controlResults(run.id), history.workloadRisks(run.id)]));
      const clusters = results.map((r) => {
        const score = complianceScore(controls.filter((c) => c.cluster === r.cluster)).score;
        const risk = risks.filter((w) => w.cluster === r.cluster).reduce((n, w) => n + w.risk, 0);
        return {
          name: r.cluster,
          status: r.status,
          labels: r.labels,
          ...(r.provider ? { provider: r.provider } : {}),
          ...(r.serverVersion ? { serverVersion: r.serverVersion } : {}),
          ...(r.profile !== undefined ? { profile: r.profile } : {}),
          ...(r.error !== undefined ? { error: r.error } : {}),
          scannedAt: r.startedAt,
          objectTotal: r.objectTotal,
          counts: r.counts,
          score: score === null ? null : Math.round(score * 10) / 10,
          risk: Math.round(risk * 1000) / 1000,
        };
      });
      return json({ runId: run.id, at: run.startedAt, clusters });
    }),

    route('/api/v1/runs', async ({ query }) => {
      const limit = intParam(query, 'limit', 1, 200, 20);
      const entries = await deps.timed(() => runHistory(history, limit));
      return json({
        runs: entries.map((e) => ({ ...e.run, score: e.score === null ? null : Math.round(e.score * 10) / 10, counts: e.counts, assessed: e.assessed, risk: e.risk })),
      });
    }),

    route('/api/v1/runs/{run}', async ({ params }) => {
      const run = await runOf(deps, params['run'] as string);
      const [clusters, gaps] = await deps.timed(() => Promise.all([history.clusterResults(run.id), history.gaps(run.id)]));
      return json({ run, clusters: clusters.map(({ runId: _r, chain: _c, ...c }) => c), gaps: gaps.map(({ runId: _r, ...g }) => g) });
    }),

    route('/api/v1/runs/{run}/findings', async ({ params, query }) => {
      const run = await runOf(deps, params['run'] as string);
      const filter = {
        cluster: param(query, 'cluster'),
        control: param(query, 'control'),
        status: oneOf(query, 'status', STATUSES),
        severity: oneOf(query, 'severity', SEVERITIES),
        namespace: param(query, 'namespace'),
        framework: oneOf(query, 'framework', FRAMEWORKS),
        disposition: oneOf(query, 'disposition', DISPOSITIONS),
      };
      const limit = intParam(query, 'limit', 1, PAGE.max, PAGE.default);
      const filterKey = JSON.stringify(filter);
      const cursor = param(query, 'cursor', 400);
      const offset = cursor === undefined ? 0 : decodeCursor(cursor, run.id, filterKey);
      const stored = await deps.timed(() =>
        history.findings(run.id, {
          ...(filter.cluster !== undefined ? { cluster: filter.cluster } : {}),
          ...(filter.control !== undefined ? { controlId: filter.control } : {}),
          ...(filter.status !== undefined ? { status: filter.status } : {}),
        }),
      );
      const matching = stored.filter(
        (f) =>
          (filter.severity === undefined || f.severity === filter.severity) &&
          (filter.namespace === undefined || f.resource.namespace === filter.namespace) &&
          (filter.framework === undefined || (frameworksOf.get(f.controlId) ?? []).includes(filter.framework)) &&
          (filter.disposition === undefined || dispositionKind(f.disposition) === filter.disposition),
      );
      const items = matching.slice(offset, offset + limit).map(findingItem);
      const next = offset + limit < matching.length ? encodeCursor(run.id, filterKey, offset + limit) : undefined;
      return json({ runId: run.id, total: matching.length, items, ...(next ? { nextCursor: next } : {}) });
    }),

    route('/api/v1/runs/{run}/reports/{format}', async ({ params }) => {
      const format = params['format'] as ApiReportFormat;
      if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new HttpError(404, `no report format "${format}" (formats: ${REPORT_FORMATS.join(', ')})`);
      const run = await runOf(deps, params['run'] as string);
      const body = await deps.renderReport(run.id, format);
      const { type, ending } = REPORT_MEDIA[format];
      return { contentType: type, body, headers: { 'content-disposition': `attachment; filename="complyd-report-${run.id.slice(0, 8)}.${ending}"` } } satisfies Reply;
    }),

    route('/api/v1/trend', async ({ query }) => {
      const to = deps.now();
      const from = new Date(to.getTime() - periodParam(query, 'since', 30 * 86_400_000));
      const scope = scopeOf(query);
      return json(await deps.timed(() => trend(history, { from, to }, scope)));
    }),

    route('/api/v1/mttr', async ({ query }) => {
      const to = deps.now();
      const from = new Date(to.getTime() - periodParam(query, 'since', 90 * 86_400_000));
      return json(await deps.timed(() => remediation(history, { from, to }, scopeOf(query))));
    }),

    route('/api/v1/risk', async ({ query }) => {
      const run = await runOf(deps, param(query, 'run') ?? 'latest');
      const cluster = param(query, 'cluster');
      const limit = intParam(query, 'limit', 1, 1000, 100);
      const risks = await deps.timed(() => history.workloadRisks(run.id, cluster));
      const byCluster = new Map<string, number>();
      for (const w of risks) byCluster.set(w.cluster, (byCluster.get(w.cluster) ?? 0) + w.risk);
      const workloads = [...risks].sort((a, b) => b.risk - a.risk).slice(0, limit);
      return json({
        runId: run.id,
        total: Math.round(risks.reduce((n, w) => n + w.risk, 0) * 1000) / 1000,
        clusters: [...byCluster].map(([name, risk]) => ({ cluster: name, risk: Math.round(risk * 1000) / 1000 })).sort((a, b) => b.risk - a.risk),
        workloads,
        workloadCount: risks.length,
      });
    }),
  ];
}

function scopeOf(query: URLSearchParams): { cluster?: string; framework?: Framework } {
  const cluster = param(query, 'cluster');
  const framework = oneOf(query, 'framework', FRAMEWORKS);
  return { ...(cluster !== undefined ? { cluster } : {}), ...(framework ? { framework } : {}) };
}

export type { Severity };
