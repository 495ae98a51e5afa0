import { LazyJsonArray, prettyJsonChunks } from './json-chunks.js';
import type { Severity } from '../core/types.js';
import { controlHelpUri } from './catalog-links.js';
import type { ClusterSection, ControlSection, ReportFinding, RunReport } from './model.js';
import { resourceLabel, resourcePath } from './resource-path.js';

/**
 * SARIF 2.1.0 for code-scanning tools (GitHub and others).
 *
 * - One run per cluster, so GitHub's per-run limits (25,000 results) apply to a cluster, and
 *   each run's `automationDetails.id` names its scope (framework and cluster): uploads of
 *   other scopes have other categories and never close each other's alerts.
 * - One rule per control in the report; one result per failing resource (status `fail`) only,
 *   so every alert is something to fix. Unknown, manual and not-applicable findings are left
 *   out (they are in the JSON and CSV reports); `error` findings (a control that threw) and
 *   evidence gaps are tool problems, so they become toolExecutionNotifications.
 * - Kubernetes resources are not files: each result has a logicalLocation naming the
 *   resource, and, because GitHub rejects results without one, a physicalLocation whose uri
 *   is the made-up path `k8s/<cluster>/<namespace or _>/<Kind>/<name>`.
 */

/** GitHub reads `security-severity` as a CVSS-like score: >= 9 critical, >= 7 high, >= 4 medium. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

export interface SarifOptions {
  /** Where the tool is described; left out when unknown. */
  informationUri?: string;
  /** Absolute address of the published docs/controls.md, for each rule's helpUri. */
  catalogUrl?: string;
}

type Json = Record<string, unknown>;

/** A path segment that stays one segment and a valid uri-reference whatever the name holds. */
const seg = (s: string) => encodeURIComponent(s);

export function sarifUri(cluster: string, f: Pick<ReportFinding, 'resource'>): string {
  const r = f.resource;
  return ['k8s', cluster, r.namespace ?? '_', r.kind, r.name].map(seg).join('/');
}

function ruleName(title: string): string {
  // SARIF wants a non-localised identifier-like name: the title in PascalCase.
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
}

function rule(c: ControlSection, catalogUrl: string | undefined): Json {
  const remediation = c.remediation || c.title;
  const helpUri = controlHelpUri(c.section, catalogUrl);
  return {
    id: c.id,
    name: ruleName(c.title) || c.id,
    shortDescription: { text: c.title },
    fullDescription: { text: c.rationale || c.title },
    help: { text: remediation, markdown: `**${c.id}** ${c.title}\n\n${remediation}${helpUri ? `\n\n[${c.id} in the control catalog](${helpUri})` : ''}` },
    ...(helpUri && { helpUri }),
    defaultConfiguration: { level: LEVEL[c.severity] },
    properties: {
      // GitHub files alerts tagged `security` under security findings.
      tags: ['security', ...c.frameworks],
      'security-severity': SECURITY_SEVERITY[c.severity],
      // Automated controls read the field itself; the others are guidance for a person.
      precision: c.automated ? 'high' : 'medium',
      severity: c.severity,
      ...(c.section ? { section: c.section } : {}),
    },
  };
}

function resultMessage(f: ReportFinding): string {
  const parts = [`${resourceLabel(f.resource)} in cluster ${f.cluster} fails.`];
  if (f.evidence) parts.push(`${f.evidence.path}: observed ${f.evidence.observed}, expected ${f.evidence.expected}.`);
  if (f.message) parts.push(f.message);
  return parts.join(' ');
}

/** What the register says of an exception, for a suppression's justification. */
function justification(report: RunReport, id: string): string {
  const e = report.period.exceptions.find((x) => x.id === id);
  if (!e) return `excepted by ${id}`;
  return [`excepted by ${id}: ${e.reason}`, `owner ${e.owner}`, e.ticket && `ticket ${e.ticket}`, e.expires && `until ${e.expires.slice(0, 10)}`].filter(Boolean).join('; ');
}

/**
 * An excepted result carries an accepted external suppression, so code-scanning tools hide it
 * while the result stays in the log; a lapsed exception suppresses nothing and says so.
 */
function suppressionOf(report: RunReport, f: ReportFinding): Json {
  if (f.disposition !== 'excepted' || !f.exceptionId) return {};
  return { suppressions: [{ kind: 'external', status: 'accepted', justification: justification(report, f.exceptionId), properties: { exceptionId: f.exceptionId } }] };
}

function result(report: RunReport, c: ControlSection, ruleIndex: number, f: ReportFinding): Json {
  return {
    ruleId: c.id,
    ruleIndex,
    kind: 'fail',
    level: LEVEL[c.severity],
    message: { text: f.disposition === 'expired' && f.exceptionId ? `${resultMessage(f)} Its exception ${f.exceptionId} has expired.` : resultMessage(f) },
    locations: [
      {
        // GitHub requires a region; the made-up file has one line per resource.
        physicalLocation: { artifactLocation: { uri: sarifUri(f.cluster, f) }, region: { startLine: 1 } },
        logicalLocations: [{ name: f.resource.name, fullyQualifiedName: resourcePath(f.cluster, f.resource), kind: 'resource' }],
      },
    ],
    partialFingerprints: { 'complydFingerprint/v1': f.fingerprint },
    ...suppressionOf(report, f),
    properties: {
      cluster: f.cluster,
      severity: f.severity,
      ...(f.disposition !== undefined && { disposition: f.disposition }),
      ...(f.exceptionId !== undefined && { exceptionId: f.exceptionId }),
      ...(f.resource.apiVersion !== undefined && { apiVersion: f.resource.apiVersion }),
      ...(f.resource.uid !== undefined && { uid: f.resource.uid }),
      ...(f.firstSeen !== undefined && { firstSeen: f.firstSeen, ageDays: f.ageDays }),
      ...(f.evidence ? { evidence: { ...f.evidence } } : {}),
    },
  };
}

/** One cluster's tool problems: not assessed, evidence gaps, controls that threw. */
function notifications(report: RunReport, cluster: ClusterSection): Json[] {
  const out: Json[] = [];
  if (cluster.status === 'failed')
    out.push({
      level: 'error',
      message: { text: `cluster ${cluster.name} was not assessed: ${cluster.error ?? 'unknown error'}` },
      descriptor: { id: 'cluster-not-assessed' },
      properties: { cluster: cluster.name },
    });
  for (const g of cluster.gaps)
    out.push({
      level: 'warning',
      message: { text: `cluster ${cluster.name}: evidence "${g.evidence}" could not be read (${g.reason}): ${g.message}` },
      descriptor: { id: 'evidence-gap' },
      properties: { cluster: cluster.name, evidence: g.evidence, reason: g.reason },
    });
  report.controls.forEach((c, ruleIndex) => {
    for (const f of c.findings.filter((x) => x.status === 'error' && x.cluster === cluster.name))
      out.push({
        level: 'error',
        message: { text: `control ${c.id} could not be evaluated on cluster ${f.cluster}${f.message ? `: ${f.message}` : ''}` },
        descriptor: { id: 'control-error' },
        associatedRule: { id: c.id, index: ruleIndex },
        properties: { cluster: f.cluster },
      });
  });
  return out;
}

/** GitHub takes what is before the last "/" as the analysis category: the scope, then the run. */
export function automationId(report: Pick<RunReport, 'framework' | 'run'>, cluster: string): string {
  return `complyd/${encodeURIComponent(report.framework ?? 'all')}/${encodeURIComponent(cluster)}/${report.run.id}`;
}

function clusterRun(report: RunReport, cluster: ClusterSection, driver: Json): Json {
  const notes = notifications(report, cluster);
  return {
    tool: { driver },
    automationDetails: { id: automationId(report, cluster.name), description: { text: `complyd run ${report.run.id}, cluster ${cluster.name}, ${report.framework ?? 'every framework'}` } },
    invocations: [
      {
        // Successful when the cluster was assessed and no control threw; gaps alone do not count.
        executionSuccessful: !notes.some((n) => n['level'] === 'error') && cluster.status !== 'failed',
        startTimeUtc: report.run.startedAt,
        ...(report.run.finishedAt ? { endTimeUtc: report.run.finishedAt } : {}),
        toolExecutionNotifications: notes,
      },
    ],
    // Built one at a time as they are written: a large cluster has hundreds of thousands.
    results: new LazyJsonArray(function* () {
      for (const [i, c] of report.controls.entries()) for (const f of c.findings) if (f.status === 'fail' && f.cluster === cluster.name) yield result(report, c, i, f);
    }),
    properties: {
      runId: report.run.id,
      runStatus: report.run.status,
      trigger: report.run.trigger,
      catalogVersion: report.catalogVersion,
      generatedAt: report.generatedAt,
      ...(report.framework ? { framework: report.framework } : {}),
      ...(report.selection ? { selection: report.selection } : {}),
      cluster: cluster.name,
      ...(cluster.profile !== undefined ? { profile: cluster.profile } : {}),
      ...(cluster.frameworks ? { frameworks: cluster.frameworks } : {}),
      clusterStatus: cluster.status,
      ...(cluster.snapshotHash ? { snapshotHash: cluster.snapshotHash } : {}),
    },
  };
}

export function renderSarif(report: RunReport, options: SarifOptions = {}): string {
  return [...renderSarifChunks(report, options)].join('');
}

/** renderSarif's text in pieces (log → runs → [i] → results → [j]: one result each), for large reports. */
export function* renderSarifChunks(report: RunReport, options: SarifOptions = {}): Generator<string> {
  const driver = {
    name: 'complyd',
    version: report.complydVersion,
    ...(options.informationUri ? { informationUri: options.informationUri } : {}),
    rules: report.controls.map((c) => rule(c, options.catalogUrl)),
  };
  const runs = new LazyJsonArray(function* () {
    for (const c of report.clusters) yield clusterRun(report, c, driver);
  });
  const log = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs };
  yield* prettyJsonChunks(log, 4);
  yield '\n';
}
