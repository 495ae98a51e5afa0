import { readFileSync } from 'node:fs';
import { CONTROLS, controlsFor } from '../../src/controls/index.js';
import { modeOf } from '../../src/core/control.js';

interface CisItem {
  id: string;
  level: 'L1' | 'L2';
  benchmark: 'automated' | 'manual';
}

/** The 131 items of the CIS Kubernetes Benchmark v1.12, with their profile level. */
const ITEMS = JSON.parse(readFileSync('test/fixtures/cis-1.12-ids.json', 'utf8')) as CisItem[];

describe('CIS Kubernetes Benchmark v1.12 coverage', () => {
  const cis = controlsFor('cis-1.12');

  it('lists every one of the 131 items exactly once', () => {
    expect(ITEMS).toHaveLength(131);
    const ids = cis.map((c) => c.refs.cis);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ITEMS.map((i) => i.id).sort());
  });

  it('gives each item its profile level', () => {
    const level = new Map(ITEMS.map((i) => [i.id, i.level]));
    for (const c of cis) expect([c.refs.cis, c.level]).toEqual([c.refs.cis, level.get(c.refs.cis ?? '')]);
  });

  it('automates at least 80 items; the rest say why a person must judge them', () => {
    const automated = cis.filter((c) => modeOf(c) === 'automated');
    expect(automated.length).toBeGreaterThanOrEqual(80);
    for (const c of cis.filter((x) => modeOf(x) !== 'automated')) expect(c.manual?.trim()).toBeTruthy();
  });

  it('keeps a CIS reference only on controls that belong to the CIS framework', () => {
    for (const c of CONTROLS.filter((x) => x.refs.cis)) expect(c.frameworks).toContain('cis-1.12');
  });

  it('has the full Pod Security Standards baseline and restricted sets', () => {
    expect(controlsFor('pss-baseline').map((c) => c.refs.pss).sort()).toEqual(
      ['hostNamespaces', 'hostNamespaces', 'hostNamespaces', 'privileged', 'capabilities_baseline', 'hostPathVolumes', 'hostPorts', 'windowsHostProcess', 'appArmorProfile', 'seLinuxOptions', 'procMount', 'seccompProfile_baseline', 'sysctls', 'hostProbesAndHostLifecycle'].sort(),
    );
    expect(controlsFor('pss-restricted').length).toBe(controlsFor('pss-baseline').length + 7);
  });
});
