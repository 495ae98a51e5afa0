/**
 * The OpenAPI 3.0 document of the HTTP server, served at /api/v1/openapi.json. Tests hold it
 * and the routes together: every documented path answers, every route is documented, and
 * representative answers validate against the schemas below.
 */
import { REPORT_FORMATS, REPORT_MEDIA } from '../core/report-formats.js';

const str = { type: 'string' };
const num = { type: 'number' };
const int = { type: 'integer' };
const nullableNum = { type: 'number', nullable: true };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({ type: 'object', properties, required });
const arrayOf = (items: unknown) => ({ type: 'array', items });
const jsonAnswer = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });
const errors = { '400': { $ref: '#/components/responses/BadRequest' }, '401': { $ref: '#/components/responses/Unauthorized' } };
const notFound = { '404': { $ref: '#/components/responses/NotFound' } };
const query = (name: string, description: string, schema: unknown = str) => ({ name, in: 'query', required: false, description, schema });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: str });
const runParam = pathParam('run', 'a run id, or `latest` (the newest complete or partial run)');

const SEVERITY = { type: 'string', enum: ['critical', 'high', 'medium', 'low', 'info'] };
const STATUS = { type: 'string', enum: ['pass', 'fail', 'manual', 'not-applicable', 'unknown', 'error'] };
const FRAMEWORK = { type: 'string', enum: ['cis-1.12', 'pss-baseline', 'pss-restricted', 'nsa', 'hardening', 'reliability'] };

export const OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'complyd API',
    version: '1',
    description: 'Read-only access to the runs complyd stored: clusters, runs, findings, trends, time to remediate, risk and reports; plus health and Prometheus metrics.',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Required when the server listens on an address other than loopback (server.tokens, COMPLYD_API_TOKENS).' } },
    responses: {
      BadRequest: jsonAnswer('a query parameter is wrong; the message says which', ref('Error')),
      Unauthorized: jsonAnswer('a bearer token is required and was missing or wrong', ref('Error')),
      NotFound: jsonAnswer('no such run, or no finished run yet', ref('Error')),
    },
    schemas: {
      Error: obj({ error: str }),
      Readiness: obj({ status: { type: 'string', enum: ['ready', 'not ready'] }, checks: arrayOf(obj({ name: str, ok: { type: 'boolean' }, message: str })) }),
      Counts: obj({ pass: int, fail: int, manual: int, 'not-applicable': int, unknown: int, error: int }),
      Run: obj(
        { id: str, seq: int, startedAt: str, finishedAt: str, status: { type: 'string', enum: ['running', 'complete', 'partial', 'failed', 'interrupted'] }, trigger: str, catalogVersion: str, complydVersion: str, clusterCount: int, owner: str, heartbeatAt: str, exceptionsDigest: str },
        ['id', 'seq', 'startedAt', 'status', 'trigger', 'clusterCount'],
      ),
      Cluster: obj(
        { name: str, status: { type: 'string', enum: ['complete', 'partial', 'failed'] }, labels: { type: 'object', additionalProperties: str }, provider: str, serverVersion: str, profile: str, error: str, scannedAt: str, objectTotal: int, counts: ref('Counts'), score: nullableNum, risk: num },
        ['name', 'status', 'labels', 'scannedAt', 'objectTotal', 'counts', 'score', 'risk'],
      ),
      Finding: obj(
        {
          fingerprint: str,
          cluster: str,
          controlId: str,
          severity: SEVERITY,
          status: STATUS,
          disposition: { type: 'string', enum: ['open', 'excepted', 'expired'] },
          exceptionId: str,
          resource: obj({ kind: str, name: str, namespace: str, container: str, apiVersion: str, uid: str }, ['kind', 'name']),
          evidence: obj({ path: str, observed: str, expected: str }, ['path']),
          message: str,
          episode: int,
          firstSeenAt: str,
          frameworks: arrayOf(str),
        },
        ['fingerprint', 'cluster', 'controlId', 'severity', 'status', 'disposition', 'resource', 'episode', 'firstSeenAt', 'frameworks'],
      ),
      ScorePoint: { type: 'object', properties: { runId: str, at: str, score: nullableNum, counts: ref('Counts') }, required: ['runId', 'at', 'score'] },
      RiskPoint: obj({ runId: str, at: str, risk: num, workloads: int, clusters: int }),
      RemediationStat: { type: 'object', properties: { key: str, resolved: int, meanDays: nullableNum, medianDays: nullableNum } },
    },
  },
  security: [{}, { bearer: [] }],
  paths: {
    '/healthz': { get: { summary: 'the process answers', security: [], responses: { '200': jsonAnswer('alive', obj({ status: { type: 'string', enum: ['ok'] } })) } } },
    '/readyz': {
      get: {
        summary: 'the store answers; in a daemon, the scheduler runs and the last successful scan is recent',
        security: [],
        responses: {
          '200': jsonAnswer('ready', ref('Readiness')),
          '503': jsonAnswer('not ready: the failing checks say why', ref('Readiness')),
        },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics (text exposition format)', responses: { '200': { description: 'metrics', content: { 'text/plain': { schema: str } } }, ...errors } } },
    '/api/v1/openapi.json': { get: { summary: 'this document', responses: { '200': jsonAnswer('the OpenAPI document', { type: 'object' }) } } },
    '/api/v1/clusters': {
      get: { summary: 'each cluster of the latest finished run, with its status, score, counts and risk', responses: { '200': jsonAnswer('clusters', obj({ runId: { type: 'string', nullable: true }, at: { type: 'string', nullable: true }, clusters: arrayOf(ref('Cluster')) })), ...errors } },
    },
    '/api/v1/runs': {
      get: {
        summary: 'the most recent runs of any status, newest first, with fleet score, counts and risk',
        parameters: [query('limit', 'how many runs (1 to 200, default 20)', int)],
        responses: { '200': jsonAnswer('runs', obj({ runs: arrayOf({ allOf: [ref('Run'), obj({ score: nullableNum, counts: ref('Counts'), assessed: int, risk: nullableNum })] }) })), ...errors },
      },
    },
    '/api/v1/runs/{run}': {
      get: {
        summary: 'one run with its clusters and gaps',
        parameters: [runParam],
        responses: { '200': jsonAnswer('the run', obj({ run: ref('Run'), clusters: arrayOf({ type: 'object' }), gaps: arrayOf(obj({ cluster: str, evidence: str, reason: str, message: str })) })), ...errors, ...notFound },
      },
    },
    '/api/v1/runs/{run}/findings': {
      get: {
        summary: 'the findings of a run that are not passes, filtered, a page at a time',
        parameters: [
          runParam,
          query('cluster', 'only this cluster'),
          query('control', 'only this control id'),
          query('status', 'only this status', STATUS),
          query('severity', 'only this severity', SEVERITY),
          query('namespace', 'only resources of this namespace'),
          query('framework', 'only controls of this framework', FRAMEWORK),
          query('disposition', 'only failures with this disposition (open: no exception applies)', { type: 'string', enum: ['open', 'excepted', 'expired'] }),
          query('limit', 'page size (1 to 500, default 100)', int),
          query('cursor', 'nextCursor of the previous page'),
        ],
        responses: { '200': jsonAnswer('a page of findings', obj({ runId: str, total: int, items: arrayOf(ref('Finding')), nextCursor: str }, ['runId', 'total', 'items'])), ...errors, ...notFound },
      },
    },
    '/api/v1/runs/{run}/reports/{format}': {
      get: {
        summary: 'the run\'s report in one format, as `complyd report` renders it (a download)',
        parameters: [runParam, { name: 'format', in: 'path', required: true, schema: { type: 'string', enum: [...REPORT_FORMATS] } }],
        responses: {
          '200': {
            description: 'the report',
            content: Object.fromEntries(REPORT_FORMATS.map((f) => [REPORT_MEDIA[f].type.split(';')[0], {}])),
          },
          ...errors,
          ...notFound,
        },
      },
    },
    '/api/v1/trend': {
      get: {
        summary: 'compliance score and risk per run over a period, fleet and per cluster, with the top regressions',
        parameters: [query('since', 'the period, e.g. 30d or 12h (default 30d)'), query('cluster', 'only this cluster'), query('framework', 'only this framework', FRAMEWORK)],
        responses: { '200': jsonAnswer('the trend', obj({ from: str, to: str, score: arrayOf(ref('ScorePoint')), risk: arrayOf(ref('RiskPoint')), clusters: arrayOf({ type: 'object' }), regressions: arrayOf({ type: 'object' }) })), ...errors },
      },
    },
    '/api/v1/mttr': {
      get: {
        summary: 'time to remediate failing findings resolved in a period, and the open ones by age',
        parameters: [query('since', 'the period (default 90d)'), query('cluster', 'only this cluster'), query('framework', 'only this framework', FRAMEWORK)],
        responses: { '200': jsonAnswer('time to remediate', obj({ from: str, to: str, all: ref('RemediationStat'), bySeverity: arrayOf(ref('RemediationStat')), byCluster: arrayOf(ref('RemediationStat')), byControl: arrayOf(ref('RemediationStat')), open: { type: 'object' } })), ...errors },
      },
    },
    '/api/v1/risk': {
      get: {
        summary: 'workload risk at a run: the riskiest workloads with their factors, and totals per cluster',
        parameters: [query('run', 'a run id or latest (default)'), query('cluster', 'only this cluster'), query('limit', 'workloads listed (1 to 1000, default 100)', int)],
        responses: {
          '200': jsonAnswer('risk', obj({ runId: str, total: num, clusters: arrayOf(obj({ cluster: str, risk: num })), workloads: arrayOf(obj({ cluster: str, resource: { type: 'object' }, risk: num, exposure: num, failing: int, factors: arrayOf({ type: 'object' }) }, ['cluster', 'resource', 'risk'])), workloadCount: int })),
          ...errors,
          ...notFound,
        },
      },
    },
  },
} as const;
