import { parseExceptionsFile } from '../../src/config/load-exceptions.js';
import { CONTROLS } from '../../src/controls/index.js';
import { demoExceptionsYaml } from '../../src/demo/exceptions.js';
import { exceptionState } from '../../src/report/exceptions-register.js';

describe("the demo fleet's exceptions file", () => {
  it('is valid against the catalog and, on any day, has one active, one expiring soon and one expired', () => {
    for (const today of [new Date('2026-12-06T11:00:00Z'), new Date('2030-02-28T23:59:00Z')]) {
      const list = parseExceptionsFile(demoExceptionsYaml(today), 'exceptions.yaml', { maxLifetimeMs: 180 * 86_400_000, knownControls: CONTROLS.map((c) => c.id) });
      expect(list.map((e) => [e.id, exceptionState(e, today.getTime())])).toEqual([
        ['prod-node-exporter-host-access', 'active'],
        ['eks-node-agents-privileged', 'expiring'],
        ['staging-debug-toolbox', 'expired'],
        // Matches nothing in the demo fleet (dev-k3s has no namespace "legacy"): `complyd exceptions` lists it as unused.
        ['dev-legacy-wildcard-roles', 'active'],
      ]);
      // The expired one lapsed inside the 30 simulated days, after it was created: excepted first, expired after.
      const lapsed = list[2];
      expect(today.getTime() - Date.parse(lapsed?.expires ?? '')).toBeLessThan(29 * 86_400_000);
      expect(today.getTime() - Date.parse(lapsed?.created ?? '')).toBeGreaterThan(30 * 86_400_000);
    }
  });
});
