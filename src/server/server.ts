/**
 * The HTTP server of the daemon and of `complyd serve`: health, metrics and the read-only API
 * over one store. It reads the store through its HistoryReader and never writes runs.
 */
import type { Logger } from '../core/log.js';
import type { HistoryReader } from '../store/run-store.js';
import { apiRoutes, type ApiReportFormat } from './api.js';
import { readiness, type SchedulerHealth } from './health.js';
import { startHttpServer, type ListenOptions, type RunningServer } from './http-server.js';
import { Metrics } from './metrics.js';
import { json, route, type Route } from './routes.js';

export interface ServerOptions {
  history: HistoryReader;
  log: Logger;
  listen: ListenOptions;
  renderReport(runId: string, format: ApiReportFormat): Promise<Buffer>;
  /** The daemon's scheduler, for /readyz; absent for `complyd serve`. */
  scheduler?: SchedulerHealth;
  /** Shared with the daemon, which feeds it its scans. @default one of its own */
  metrics?: Metrics;
  now?: () => Date;
}

export function serverRoutes(o: Omit<ServerOptions, 'listen' | 'log'>): Route[] {
  const now = o.now ?? (() => new Date());
  const metrics = o.metrics ?? new Metrics(o.history, now);
  const timed = <T>(read: () => Promise<T>) => metrics.timed(read);
  return [
    route('/healthz', async () => json({ status: 'ok' })),
    route('/readyz', async () => {
      const r = await readiness(o.history, now(), o.scheduler, timed);
      return json({ status: r.ready ? 'ready' : 'not ready', checks: r.checks }, r.ready ? 200 : 503);
    }),
    route('/metrics', async () => {
      const m = await metrics.render();
      return { contentType: m.contentType, body: m.text };
    }),
    ...apiRoutes({ history: o.history, now, renderReport: o.renderReport, timed }),
  ];
}

export function startServer(o: ServerOptions): Promise<RunningServer> {
  return startHttpServer(serverRoutes(o), o.listen, o.log);
}

export { Metrics };
export { isLoopback } from './http-server.js';
export type { RunningServer, SchedulerHealth };
