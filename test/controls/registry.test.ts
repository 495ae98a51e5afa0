import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESOURCE_KINDS, SEVERITIES, type EvidenceKind, type Finding, type Snapshot } from '../../src/core/types.js';
import { FRAMEWORKS, modeOf } from '../../src/core/control.js';
import { CONTROLS, controlsFor } from '../../src/controls/index.js';
import { evaluateIn } from '../../src/evaluate/evaluate.js';
import { EvalContext } from '../../src/evaluate/context.js';
import type { HardeningPolicy } from '../../src/core/hardening-policy.js';
import { loadManifests } from '../../src/collect/manifests.js';

/**
 * Every control has its metadata; every automated control has fixtures under
 * test/fixtures/controls/<id>/ (YAML/JSON manifests, or `*.snapshot.json` for a whole
 * Snapshot when the evidence is not a manifest: kubelet configz, gaps, provider...):
 * - `pass*`: judged, and nothing but pass or not-applicable;
 * - `fail*`: at least one failure naming its field and the expected value;
 * - `unknown*`: at least one `unknown` and never a pass (missing evidence is never a pass);
 * - `na*`: not-applicable, never pass or fail (e.g. a managed control plane).
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/controls/', import.meta.url));
const EVIDENCE_KINDS: ReadonlySet<EvidenceKind> = new Set([...RESOURCE_KINDS, 'controlPlane', 'kubelets', 'kubeProxyConfig', 'serverVersion']);
const NOW = new Date('2026-11-01T00:00:00Z');

async function snapshotOf(file: string): Promise<Snapshot> {
  if (file.endsWith('.snapshot.json')) return JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  return (await loadManifests([file], { collectedAt: NOW })).snapshot;
}

/** A control's fixtures judged under `hardening-policy.json` of its directory, when there is one (the configuration's image policy). */
function evaluate(snapshot: Snapshot, controls: Parameters<typeof evaluateIn>[1], now: Date): Finding[] {
  const file = join(FIXTURES, controls[0]?.id ?? '', 'hardening-policy.json');
  const policy = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HardeningPolicy) : undefined;
  return evaluateIn(new EvalContext(snapshot, now, policy), controls);
}

function fixturesOf(id: string): Record<'pass' | 'fail' | 'unknown' | 'na', string[]> {
  const dir = join(FIXTURES, id);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)) : [];
  const starting = (prefix: string) => files.filter((f) => f.startsWith(prefix)).map((f) => join(dir, f));
  return { pass: starting('pass'), fail: starting('fail'), unknown: starting('unknown'), na: starting('na') };
}

describe('control registry', () => {
  it('has unique ids', () => {
    const ids = CONTROLS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists the Pod Security Standards controls in the order of the standard', () => {
    expect(CONTROLS.filter((c) => c.id.startsWith('PSS-')).map((c) => c.id)).toEqual([
      'PSS-host-network',
      'PSS-host-pid',
      'PSS-host-ipc',
      'PSS-privileged',
      'PSS-capabilities-baseline',
      'PSS-host-path-volumes',
      'PSS-host-ports',
      'PSS-windows-host-process',
      'PSS-apparmor',
      'PSS-selinux',
      'PSS-proc-mount',
      'PSS-seccomp-baseline',
      'PSS-sysctls',
      'PSS-host-probes',
      'PSS-restricted-volumes',
      'PSS-allow-privilege-escalation',
      'PSS-run-as-non-root',
      'PSS-run-as-user',
      'PSS-seccomp-restricted',
      'PSS-capabilities-restricted',
      'PSS-proc-mount-restricted',
    ]);
  });

  it('puts every baseline check in restricted too, and restricted checks only in restricted', () => {
    for (const c of controlsFor('pss-baseline')) expect(c.frameworks).toContain('pss-restricted');
    for (const c of CONTROLS.filter((x) => x.section === 'Pod Security Standards: restricted')) {
      expect(c.frameworks).not.toContain('pss-baseline');
    }
  });

  describe.each(CONTROLS.map((c) => [c.id, c] as const))('%s', (id, control) => {
    it('has its metadata', () => {
      expect(control.title.trim()).not.toBe('');
      expect(control.section.trim()).not.toBe('');
      expect(control.rationale.trim()).not.toBe('');
      expect(control.remediation.trim()).not.toBe('');
      expect(control.frameworks.length).toBeGreaterThan(0);
      for (const f of control.frameworks) expect(FRAMEWORKS).toContain(f);
      expect(SEVERITIES).toContain(control.severity);
    });

    it('needs only evidence the collector gathers', () => {
      for (const need of [...control.needs, ...(control.alsoReads ?? [])]) expect(EVIDENCE_KINDS.has(need)).toBe(true);
    });

    if (modeOf(control) === 'manual') {
      it('says why a person must judge it', () => expect(control.manual?.trim() || control.remediation).toBeTruthy());
      return;
    }
    const { pass, fail, unknown, na } = fixturesOf(id);

    if (modeOf(control) === 'automated') {
      it('has a pass and a fail fixture', () => {
        expect(pass.length).toBeGreaterThan(0);
        expect(fail.length).toBeGreaterThan(0);
      });
    }

    const own = (findings: Finding[]): Finding[] => findings.filter((f) => f.controlId === id);

    if (pass.length > 0) it.each(pass.map((f) => [f.slice(FIXTURES.length)]))('passes %s', async (rel) => {
      const findings = own(evaluate(await snapshotOf(join(FIXTURES, rel)), [control], NOW));
      // Judged (not silently empty), and nothing failed, errored or went unknown.
      expect(findings.length).toBeGreaterThan(0);
      expect(findings.filter((f) => f.status !== 'pass' && f.status !== 'not-applicable')).toEqual([]);
    });

    if (fail.length > 0) it.each(fail.map((f) => [f.slice(FIXTURES.length)]))('fails %s', async (rel) => {
      const failures = own(evaluate(await snapshotOf(join(FIXTURES, rel)), [control], NOW)).filter((f) => f.status === 'fail');
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        expect(f.evidence?.path).toMatch(/\S/);
        expect(f.evidence?.expected).toMatch(/\S/);
      }
    });

    if (unknown.length > 0) it.each(unknown.map((f) => [f.slice(FIXTURES.length)]))('is unknown, never pass, on %s', async (rel) => {
      const findings = own(evaluate(await snapshotOf(join(FIXTURES, rel)), [control], NOW));
      expect(findings.filter((f) => f.status === 'unknown').length).toBeGreaterThan(0);
      expect(findings.filter((f) => f.status === 'pass')).toEqual([]);
    });

    if (na.length > 0) it.each(na.map((f) => [f.slice(FIXTURES.length)]))('is not applicable on %s', async (rel) => {
      const findings = own(evaluate(await snapshotOf(join(FIXTURES, rel)), [control], NOW));
      expect(findings.filter((f) => f.status === 'not-applicable').length).toBeGreaterThan(0);
      expect(findings.filter((f) => f.status === 'pass' || f.status === 'fail')).toEqual([]);
    });
  });
});
