import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { loadCustomControls, parseCustomControl } from '../../src/config/custom-controls.js';
import { ConfigError } from '../../src/core/errors.js';
import { withCustomControls } from '../../src/controls/custom.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { loadManifests } from '../../src/collect/manifests.js';

const SHIPPED = 'config/controls.d';
const NOW = new Date('2026-11-01T00:00:00Z');

const control = (validations: string, extra = ''): string => `id: T-one
title: A test control
severity: low
frameworks: [hardening]
${extra}validations:
${validations}
rationale: r
remediation: m
`;

function problems(text: string): readonly string[] {
  try {
    parseCustomControl(text, 'controls.d/t.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('custom controls', () => {
  it('compiles the shipped examples', () => {
    const loaded = loadCustomControls([SHIPPED]);
    expect(loaded.map((c) => c.id).sort()).toEqual(['ACME-approved-registries', 'ACME-cronjob-concurrency', 'ACME-owner-label']);
  });

  it('names the file, the key path and the position of a CEL syntax error', () => {
    expect(problems(control('  - expression: "object.spec.("\n    message: m'))).toEqual([
      'controls.d/t.yaml: validations[0].expression: line 1, column 13: Expected IDENTIFIER, got LPAREN',
    ]);
  });

  it('refuses type errors, unknown variables, non-boolean validations and a string message that is not a string', () => {
    expect(problems(control("  - expression: \"1 + 'a' == 2\"\n    message: m"))).toEqual(['controls.d/t.yaml: validations[0].expression: line 1, column 1: no such overload: int + string']);
    expect(problems(control('  - expression: "request.name == \'x\'"\n    message: m'))).toEqual(['controls.d/t.yaml: validations[0].expression: line 1, column 1: Unknown variable: request']);
    expect(problems(control('  - expression: "\'x\' + \'y\'"\n    message: m'))).toEqual(['controls.d/t.yaml: validations[0].expression: must be a bool, not string']);
    expect(problems(control('  - expression: "true"\n    messageExpression: "1 + 2"'))).toEqual(['controls.d/t.yaml: validations[0].messageExpression: must be a string, not int']);
  });

  it('refuses a validation without a message and unknown keys, with their key paths', () => {
    expect(problems(control('  - expression: "true"', 'match:\n  kinds: [Service]\n'))).toEqual([
      expect.stringMatching(/^controls\.d\/t\.yaml: match\.kinds\[0\]: /),
      'controls.d/t.yaml: validations[0]: needs message or messageExpression',
    ]);
  });

  it('loads through the configuration, relative to its file, and refuses a duplicate or catalog id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-custom-'));
    writeFileSync(join(dir, 'a.yaml'), control('  - expression: "true"\n    message: m'));
    const config = parseConfig(`clusters: [{ name: a, kubeconfig: ./kc }]\ncontrols: { dirs: [.] }\n`, join(dir, 'complyd.yaml'));
    expect(config.customControls.map((c) => c.id)).toEqual(['T-one']);
    writeFileSync(join(dir, 'b.yaml'), control('  - expression: "true"\n    message: m'));
    expect(() => loadCustomControls([dir])).toThrow(/b\.yaml: id: T-one is also declared in .*a\.yaml/);
    expect(() => withCustomControls([{ ...config.customControls[0]!, id: 'pss-privileged' }])).toThrow(/is a control of the catalog/);
    expect(() => parseConfig(`clusters: [{ name: a, kubeconfig: ./kc }]\ncontrols: { dirs: [./missing] }\n`, join(dir, 'complyd.yaml'))).toThrow(/controls directory not found/);
  });

  it('judges the demo fleet like a catalog control: fails, passes, and exclusions hold', async () => {
    const catalog = withCustomControls(loadCustomControls([SHIPPED]));
    expect(catalog.slice(0, CONTROLS.length)).toEqual(CONTROLS);
    const custom = catalog.slice(CONTROLS.length);
    const { snapshot } = await loadManifests(['config/demo-fleet/prod-eu'], { collectedAt: NOW });
    const findings = evaluate(snapshot, custom, NOW);
    const of = (id: string, status: string) => findings.filter((f) => f.controlId === id && f.status === status).map((f) => `${f.resource.kind}/${f.resource.namespace}/${f.resource.name}`);
    // payments-api is labelled and pulled from the organisation's registry; postgres has no team label.
    expect(of('ACME-owner-label', 'pass')).toContain('Deployment/payments/payments-api');
    expect(of('ACME-owner-label', 'fail')).toContain('StatefulSet/payments/postgres');
    expect(of('ACME-owner-label', 'fail').filter((r) => r.includes('/kube-system/'))).toEqual([]);
    expect(of('ACME-approved-registries', 'pass')).toContain('Deployment/payments/payments-api');
    expect(of('ACME-approved-registries', 'fail').length).toBeGreaterThan(0);
    expect(findings.filter((f) => f.status === 'error')).toEqual([]);
    const failed = findings.find((f) => f.controlId === 'ACME-owner-label' && f.status === 'fail' && f.resource.name === 'postgres');
    expect(failed?.evidence?.observed).toBe('workload postgres has no team label');
  });
});
