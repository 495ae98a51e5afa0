import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESOURCE_KINDS, SEVERITIES, type EvidenceKind, type Finding, type Snapshot } from '../../src/core/types.js';
import { FRAMEWORKS } from '../../src/controls/define.js';
import { CONTROLS, controlsFor } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { loadManifests } from '../../src/evaluate/manifests.js';

/**
 * Every control has its metadata and a pass and a fail fixture under
 * test/fixtures/controls/<id>/: `pass*.yaml` must yield no failure of that control,
 * `fail*.yaml` at least one failure that names its field. A fixture named
 * `*.snapshot.json` is a whole Snapshot, for evidence manifests cannot carry (kubelets...).
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/controls/', import.meta.url));
const EVIDENCE_KINDS: ReadonlySet<EvidenceKind> = new Set([...RESOURCE_KINDS, 'controlPlane', 'kubelets', 'serverVersion']);
const NOW = new Date('2026-11-01T00:00:00Z');

async function snapshotOf(file: string): Promise<Snapshot> {
  if (file.endsWith('.snapshot.json')) return JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  return (await loadManifests([file], { collectedAt: NOW })).snapshot;
}

function fixturesOf(id: string): { pass: string[]; fail: string[] } {
  const dir = join(FIXTURES, id);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)) : [];
  return {
    pass: files.filter((f) => f.startsWith('pass')).map((f) => join(dir, f)),
    fail: files.filter((f) => f.startsWith('fail')).map((f) => join(dir, f)),
  };
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
      for (const need of control.needs) expect(EVIDENCE_KINDS.has(need)).toBe(true);
    });

    if (!control.evaluate) return;
    const { pass, fail } = fixturesOf(id);

    it('has a pass and a fail fixture', () => {
      expect(pass.map((f) => f.slice(f.lastIndexOf('/') + 1))).toContain('pass.yaml');
      expect(fail.map((f) => f.slice(f.lastIndexOf('/') + 1))).toContain('fail.yaml');
    });

    const own = (findings: Finding[]): Finding[] => findings.filter((f) => f.controlId === id);

    it.each(pass.map((f) => [f.slice(FIXTURES.length)]))('passes %s', async (rel) => {
      const findings = own(evaluate(await snapshotOf(join(FIXTURES, rel)), [control], NOW));
      // Judged (not silently empty), and nothing failed, errored or went unknown.
      expect(findings.length).toBeGreaterThan(0);
      expect(findings.filter((f) => f.status !== 'pass' && f.status !== 'not-applicable')).toEqual([]);
    });

    it.each(fail.map((f) => [f.slice(FIXTURES.length)]))('fails %s', async (rel) => {
      const failures = own(evaluate(await snapshotOf(join(FIXTURES, rel)), [control], NOW)).filter((f) => f.status === 'fail');
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        expect(f.evidence?.path).toMatch(/^(spec|metadata|status)\b/);
        expect(f.evidence?.expected).not.toBe('');
      }
    });
  });
});
