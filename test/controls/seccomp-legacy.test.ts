import type { Snapshot } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { NOW, SECCOMP_POD, container, pod, snapshotOf } from './pss-helpers.js';

/** The seccomp annotations count on clusters before 1.27 (and in manifests), not on 1.27 and later. */

const atVersion = (snapshot: Snapshot, gitVersion: string): Snapshot => ({
  ...snapshot,
  source: 'cluster',
  serverVersion: { major: '1', minor: gitVersion.split('.')[1] ?? '', gitVersion },
});

const judge = (id: string, snapshot: Snapshot) =>
  evaluate(snapshot, CONTROLS.filter((c) => c.id === id), NOW).map((f) => [f.status, f.evidence?.path]);

describe('seccomp annotations by cluster version', () => {
  const unconfined = snapshotOf([pod({ containers: [container('app')] }, { [SECCOMP_POD]: 'unconfined' })]);
  const runtimeDefault = snapshotOf([pod({ containers: [container('app')] }, { [SECCOMP_POD]: 'runtime/default' })]);
  const annotation = `metadata.annotations[${SECCOMP_POD}]`;

  it('a 1.26 cluster applies them: unconfined fails baseline, runtime/default passes restricted', () => {
    expect(judge('PSS-seccomp-baseline', atVersion(unconfined, 'v1.26.15'))).toEqual([['fail', annotation]]);
    expect(judge('PSS-seccomp-restricted', atVersion(runtimeDefault, 'v1.26.15'))).toEqual([['pass', undefined]]);
  });

  it('a 1.30 cluster ignores them: no profile applies', () => {
    expect(judge('PSS-seccomp-baseline', atVersion(unconfined, 'v1.30.2'))).toEqual([['pass', undefined]]);
    expect(judge('PSS-seccomp-restricted', atVersion(runtimeDefault, 'v1.30.2'))).toEqual([['fail', 'spec.containers[app].securityContext.seccompProfile.type']]);
  });

  it('CIS 5.6.2 reads them the same way', () => {
    expect(judge('CIS-5.6.2', runtimeDefault)).toEqual([['pass', undefined]]);
    expect(judge('CIS-5.6.2', unconfined)).toEqual([['fail', annotation]]);
  });
});
