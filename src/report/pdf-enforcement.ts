/** The PDF's enforcement posture (ADR 0020): a fleet table in the summary, a section per cluster. */
import { enforcementCoverage, type ClusterPosture } from '../core/admission.js';
import type { RunReport } from './model.js';
import { callout, FONT, type Layout } from './pdf-layout.js';
import { fmtInt } from './pdf-cells.js';
import { byText, enginesLine, namespaceCoverage, orderedControls, percent, postureSummary, STATE_LABEL } from './enforcement-text.js';

/** Fleet summary part: coverage per cluster, drift, other engines, and the PolicyReports of other tools. */
export function fleetEnforcement(L: Layout, report: RunReport): void {
  const e = report.enforcement;
  if (!e) return;
  const body = L.style(FONT.regular, 9.5);
  L.heading('Enforcement at admission', 2);
  L.paragraph(
    `Coverage ${percent(e.coverage)}: ${fmtInt(e.enforced)} of ${fmtInt(e.considered)} control checks are denied at admission in every non-system namespace (by complyd's ValidatingAdmissionPolicies or Pod Security admission), over ${e.clusters} cluster(s). ${e.drift === 0 ? 'No drift from what the profiles expect.' : `${e.drift} control(s) are weaker than their cluster's profile expects.`}`,
    body,
  );
  const rows = report.clusters.flatMap((c) => (c.posture ? [[c.name, c.posture] as const] : []));
  L.table(
    [
      { header: 'Cluster', width: 15 },
      { header: 'Deny', width: 7, align: 'right' },
      { header: 'Warn', width: 7, align: 'right' },
      { header: 'Audit', width: 7, align: 'right' },
      { header: 'None', width: 7, align: 'right' },
      { header: 'Unknown', width: 11, align: 'right' },
      { header: 'Coverage', width: 12, align: 'right' },
      { header: 'Drift', width: 8, align: 'right' },
      { header: 'Other engines', width: 26 },
    ],
    rows.map(([name, p]) => [
      { text: name, font: FONT.bold },
      fmtInt(p.counts.enforced),
      fmtInt(p.counts.warned),
      fmtInt(p.counts.audited),
      fmtInt(p.counts['not-enforced']),
      { text: fmtInt(p.counts.unknown), color: p.counts.unknown > 0 ? L.c.status.unknown : L.c.text },
      { text: percent(enforcementCoverage(p)), font: FONT.bold },
      { text: fmtInt(p.drift), color: p.drift > 0 ? L.c.status.fail : L.c.text, font: p.drift > 0 ? FONT.bold : FONT.regular },
      enginesText(p),
    ]),
    { size: 8, caption: 'Enforcement at admission per cluster' },
  );
  if (e.policyReports.length > 0) {
    L.heading('PolicyReports found in the clusters', 3);
    L.paragraph('As their producers judged them (Kyverno, trivy-operator, kube-bench adapters...): complyd keeps them under their source and does not re-judge them.', body);
    L.table(
      [
        { header: 'Cluster', width: 18 },
        { header: 'Source', width: 20 },
        { header: 'Reports', width: 9, align: 'right' },
        { header: 'Pass', width: 9, align: 'right' },
        { header: 'Fail', width: 9, align: 'right' },
        { header: 'Warn', width: 9, align: 'right' },
        { header: 'Error', width: 9, align: 'right' },
        { header: 'Skip', width: 9, align: 'right' },
      ],
      e.policyReports.map((r) => [{ text: r.cluster, font: FONT.bold }, r.source, fmtInt(r.reports), fmtInt(r.summary.pass), fmtInt(r.summary.fail), fmtInt(r.summary.warn), fmtInt(r.summary.error), fmtInt(r.summary.skip)]),
      { size: 8, caption: 'PolicyReports found in the clusters' },
    );
  }
}

function enginesText(p: ClusterPosture): string {
  const installed = p.engines.filter((x) => x.presence.state !== 'not-installed');
  return installed.length === 0 ? 'none' : enginesLine({ ...p, engines: installed });
}

/** A cluster's section part: its summary line, drift first, then the table of controls. */
export function clusterEnforcement(L: Layout, name: string, p: ClusterPosture | undefined): void {
  if (!p) return;
  L.heading(`Enforcement at admission on ${name}`, 3);
  L.paragraph(`${postureSummary(p)}. Other engines (named, not judged): ${enginesLine(p)}.`, L.style(FONT.regular, 9));
  if (p.drift > 0) callout(L, `Drift on ${name}: ${driftText(p)}`, L.c.status.fail);
  L.table(
    [
      { header: 'Control', width: 24 },
      { header: 'State', width: 14 },
      { header: 'By', width: 18 },
      { header: 'Namespaces', width: 11, align: 'right' },
      { header: 'Expected', width: 9 },
      { header: 'Drift', width: 8 },
    ],
    orderedControls(p).map((c) => [
      { text: c.controlId, font: FONT.bold },
      { text: STATE_LABEL[c.state], color: c.state === 'enforced' ? L.c.status.pass : c.state === 'unknown' ? L.c.status.unknown : L.c.text },
      byText(c),
      namespaceCoverage(c),
      c.expected ?? '-',
      c.drift ? { text: 'drift', color: L.c.status.fail, font: FONT.bold } : '-',
    ]),
    { size: 8, caption: `Enforcement at admission on ${name}` },
  );
}

/** Drifting controls grouped by why: one cause (a relabelled namespace) often touches every control of a level. */
function driftText(p: ClusterPosture): string {
  const byReason = new Map<string, string[]>();
  for (const c of p.controls.filter((x) => x.drift)) {
    const why = c.reason ?? 'weaker than expected';
    byReason.set(why, [...(byReason.get(why) ?? []), c.controlId]);
  }
  return [...byReason].map(([why, ids]) => `${ids.length === 1 ? ids[0] : `${ids.length} controls (${ids.slice(0, 4).join(', ')}${ids.length > 4 ? ', ...' : ''})`}: ${why}`).join('; ');
}
