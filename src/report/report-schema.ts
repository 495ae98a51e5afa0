/**
 * The JSON report's shape (complyd.report/v1) as a zod schema: `npm run schemas` publishes it
 * as JSON Schema (schemas/complyd.report.v1.schema.json), and tests validate real reports
 * against that file. The type check at the end fails the build when RunReport gains or changes
 * a field this schema does not allow.
 */
import { z } from 'zod';
import { STATUSES, SEVERITIES, type Severity, type Status } from '../core/types.js';
import type { RunReport } from './model.js';

const status = z.enum(STATUSES as [Status, ...Status[]]);
const severity = z.enum(SEVERITIES as [Severity, ...Severity[]]);
const nullableNumber = z.number().nullable();
/** The model holds some lists read-only; in JSON a list is a list. */
const strings = z.array(z.string()).readonly();
const counts = z.object(Object.fromEntries(STATUSES.map((s) => [s, z.number().int().min(0)])) as Record<Status, z.ZodNumber>).strict();
const dispositions = z.object({ open: z.number().int(), excepted: z.number().int(), expired: z.number().int() }).strict();
const gap = z.object({ evidence: z.string(), reason: z.string(), message: z.string() }).strict();
const resource = z.object({ kind: z.string(), namespace: z.string().optional(), name: z.string(), container: z.string().optional(), apiVersion: z.string().optional(), uid: z.string().optional() }).strict();
const evidence = z.object({ path: z.string(), observed: z.string(), expected: z.string() }).strict();

const finding = z
  .object({
    cluster: z.string(),
    status,
    disposition: z.enum(['open', 'excepted', 'expired']).optional(),
    exceptionId: z.string().optional(),
    severity,
    resource,
    evidence: evidence.optional(),
    message: z.string().optional(),
    fingerprint: z.string(),
    firstSeen: z.string().optional(),
    ageDays: z.number().optional(),
  })
  .strict();

const prSummary = z.object({ pass: z.number().int(), fail: z.number().int(), warn: z.number().int(), error: z.number().int(), skip: z.number().int() }).strict();
const policyReportSource = { source: z.string(), reports: z.number().int(), namespaces: z.number().int(), summary: prSummary };
const enforcementState = z.enum(['enforced', 'warned', 'audited', 'not-enforced', 'unknown']);
const admissionAction = z.enum(['Deny', 'Warn', 'Audit']);
/** A cluster's enforcement at admission (ADR 0020). */
const posture = z
  .object({
    controls: z.array(
      z
        .object({
          controlId: z.string(),
          state: enforcementState,
          by: z.array(z.enum(['policy', 'pod-security'])),
          namespaces: z.object({ denied: z.number().int(), total: z.number().int() }).strict(),
          expected: admissionAction.optional(),
          drift: z.literal(true).optional(),
          reason: z.string().optional(),
        })
        .strict(),
    ),
    counts: z.object({ enforced: z.number().int(), warned: z.number().int(), audited: z.number().int(), 'not-enforced': z.number().int(), unknown: z.number().int() }).strict(),
    expected: z.number().int(),
    drift: z.number().int(),
    engines: z.array(
      z
        .object({
          engine: z.string(),
          presence: z.union([
            z.object({ state: z.literal('installed'), policies: z.number().int() }).strict(),
            z.object({ state: z.literal('not-installed') }).strict(),
            z.object({ state: z.literal('unknown'), reason: z.string() }).strict(),
          ]),
        })
        .strict(),
    ),
    policyReports: z.array(z.object(policyReportSource).strict()).optional(),
  })
  .strict();
const fleetEnforcement = z
  .object({
    clusters: z.number().int(),
    enforced: z.number().int(),
    considered: z.number().int(),
    coverage: nullableNumber,
    drift: z.number().int(),
    policyReports: z.array(z.object({ cluster: z.string(), ...policyReportSource }).strict()),
  })
  .strict();
/** The verdict of the gates given (`report -o json` with gate flags or profile gates; ADR 0014). */
const gate = z.object({ passed: z.boolean(), reasons: z.array(z.record(z.string(), z.unknown())), thresholds: z.record(z.string(), z.unknown()), clusters: z.array(z.record(z.string(), z.unknown())).optional(), baseline: z.string().optional() }).strict();

const cluster = z
  .object({
    name: z.string(),
    labels: z.record(z.string(), z.string()),
    profile: z.string().optional(),
    frameworks: strings.optional(),
    status: z.string(),
    provider: z.string().optional(),
    serverVersion: z.string().optional(),
    objectTotal: z.number().int().min(0),
    snapshotHash: z.string().optional(),
    error: z.string().optional(),
    counts,
    passRate: nullableNumber,
    score: nullableNumber,
    scoreWithExceptions: nullableNumber,
    dispositions,
    gaps: z.array(gap),
    posture: posture.optional(),
    tlsVerified: z.literal(false).optional(),
    failingControls: z.array(z.object({ controlId: z.string(), title: z.string(), severity, failed: z.number().int() }).strict()),
  })
  .strict();

const control = z
  .object({
    id: z.string(),
    title: z.string(),
    section: z.string(),
    severity,
    frameworks: strings,
    refs: z.object({ cis: z.string().optional(), pss: z.string().optional(), nsa: z.string().optional(), kubescape: strings.optional() }).strict(),
    rationale: z.string(),
    remediation: z.string(),
    automated: z.boolean(),
    results: z.array(z.object({ cluster: z.string(), status, counts }).strict()),
    findings: z.array(finding),
  })
  .strict();

const scoreChange = {
  score: nullableNumber,
  first: nullableNumber,
  risk: nullableNumber,
  firstRisk: nullableNumber,
  riskWithExceptions: nullableNumber,
};
const trendPoint = z.object({ runId: z.string(), at: z.string(), score: nullableNumber, risk: nullableNumber }).strict();
const ageBuckets = z.object({ '0-7': z.number(), '8-30': z.number(), '31-90': z.number(), '>90': z.number() }).strict();

const period = z
  .object({
    from: z.string(),
    to: z.string(),
    runs: z.number().int(),
    firstRunId: z.string().optional(),
    fleet: z.object(scoreChange).strict(),
    clusters: z.array(z.object({ cluster: z.string(), ...scoreChange }).strict()),
    trend: z.object({ fleet: z.array(trendPoint), clusters: z.array(z.object({ cluster: z.string(), points: z.array(trendPoint) }).strict()) }).strict(),
    changes: z.object({ new: z.number().int(), reopened: z.number().int(), resolved: z.number().int(), stillOpen: z.number().int(), compared: z.boolean() }).strict(),
    remediation: z
      .object({
        resolved: z.number().int(),
        fixed: z.number().int(),
        resourceGone: z.number().int(),
        meanDays: nullableNumber,
        medianDays: nullableNumber,
        bySeverity: z.array(z.object({ severity: z.string(), resolved: z.number().int(), medianDays: nullableNumber }).strict()),
        open: ageBuckets,
      })
      .strict(),
    topRisks: z.array(
      z
        .object({
          cluster: z.string(),
          resource,
          severity: z.number(),
          failing: z.number().int(),
          factors: z.array(z.object({ factor: z.string(), contribution: z.number(), reason: z.string() }).strict()),
          exposure: z.number(),
          risk: z.number(),
        })
        .strict(),
    ),
    integrity: z
      .object({
        chain: z.array(z.object({ cluster: z.string(), runId: z.string(), seq: z.number().int(), snapshotHash: z.string().optional(), resultsHash: z.string(), prevChainHash: z.string(), chainHash: z.string() }).strict()),
        runIds: z.array(z.string()),
      })
      .strict(),
    network: z
      .array(
        z
          .object({
            cluster: z.string(),
            since: z.string(),
            added: z.number().int(),
            removed: z.number().int(),
            changed: z.number().int(),
            newExposure: z.array(z.object({ direction: z.enum(['ingress', 'egress', 'service']), workload: z.string(), peer: z.string(), conn: z.string() }).strict()),
            newExposureCount: z.number().int(),
          })
          .strict(),
      )
      .optional(),
    exceptions: z.array(
      z
        .object({
          id: z.string(),
          controls: z.array(z.string()),
          scope: z.string(),
          owner: z.string(),
          reason: z.string(),
          ticket: z.string().optional(),
          created: z.string().optional(),
          expires: z.string().optional(),
          state: z.enum(['active', 'expiring', 'expired', 'pending', 'undeclared']),
          expired: z.boolean(),
          matched: z.number().int(),
          lapsed: z.number().int(),
        })
        .strict(),
    ),
  })
  .strict();

const connectionLine = z.object({ src: z.string(), dst: z.string(), conn: z.string() }).strict();
const exposureLine = z.object({ workload: z.string(), peer: z.string(), conn: z.string() }).strict();
/** A cluster's connectivity at the run (core/network) and its changes over the period. */
const clusterNetwork = z
  .object({
    cluster: z.string(),
    analysis: z
      .object({
        connections: z.array(connectionLine).readonly(),
        exposure: z
          .object({ egress: z.array(exposureLine).readonly(), ingress: z.array(exposureLine).readonly(), unprotected: strings, services: z.array(exposureLine).readonly() })
          .strict()
          .optional(),
        workloads: z.number().int(),
        policies: z.number().int(),
        classes: z.number().int(),
        problems: strings,
        pairsCapped: z.number().int().optional(),
      })
      .strict(),
    changes: z
      .object({
        added: z.array(connectionLine).readonly(),
        removed: z.array(connectionLine).readonly(),
        changed: z.array(z.object({ src: z.string(), dst: z.string(), before: z.string(), after: z.string() }).strict()).readonly(),
      })
      .strict()
      .optional(),
    since: z.string().optional(),
  })
  .strict();

export const REPORT_SCHEMA_ID = 'https://complyd.dev/schemas/complyd.report.v1.schema.json';

export const reportSchema = z
  .object({
    schema: z.literal('complyd.report/v1'),
    generatedAt: z.string(),
    framework: z.string().optional(),
    profile: z.object({ name: z.string(), selector: z.string(), frameworks: strings, severityFloor: severity.optional() }).strict().optional(),
    selection: z.string().optional(),
    complydVersion: z.string(),
    catalogVersion: z.string(),
    run: z.object({ id: z.string(), startedAt: z.string(), finishedAt: z.string().optional(), status: z.string(), trigger: z.string() }).strict(),
    fleet: z
      .object({ clusters: z.number().int(), assessed: z.number().int(), counts, passRate: nullableNumber, score: nullableNumber, scoreWithExceptions: nullableNumber, dispositions })
      .strict(),
    exceptions: z.object({ runDigest: z.string().optional(), filesDigest: z.string().optional() }).strict(),
    clusters: z.array(cluster),
    enforcement: fleetEnforcement.optional(),
    controls: z.array(control),
    period,
    network: z.array(clusterNetwork).readonly().optional(),
    gate: gate.optional(),
  })
  .strict();

/** Fails to compile when a RunReport could hold something the schema refuses (a new field, a wider type). */
export const reportFitsSchema = (r: RunReport): z.input<typeof reportSchema> => r;
