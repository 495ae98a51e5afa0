/**
 * The new episodes of a scan as columns (store/lifecycle.ts): folded per fingerprint by the
 * rule the open keys are folded by, kept in the order the scan gave them, with an index in
 * fingerprint order for the results hash. Pure: no database.
 */
import { createHash } from 'node:crypto';
import { fingerprint, findingKey } from '../../src/core/fingerprint.js';
import { PassSet } from '../../src/core/passes.js';
import type { Finding, ResourceRef } from '../../src/core/types.js';
import { observeScan, planLifecycle } from '../../src/store/lifecycle.js';
import { f, privileged } from './history-fixtures.js';

const pod = (name: string): ResourceRef => ({ kind: 'Pod', namespace: 'apps', name, container: 'app' });

describe('new episodes as columns', () => {
  it('fingerprints are the first 32 hex characters of the SHA-256 of the finding key', () => {
    const finding = f('c1', 'cis-5.2.1', 'fail', pod('a'));
    const expected = createHash('sha256').update(findingKey(finding)).digest('hex').slice(0, 32);
    expect(fingerprint(finding)).toBe(expected);
  });

  it('folds repeats of a key (worst status, first among equals), keeps the given order and indexes it by fingerprint', () => {
    const names = Array.from({ length: 40 }, (_, i) => `pod-${String(i).padStart(2, '0')}`);
    const findings: Finding[] = names.map((n) => f('c1', 'cis-5.2.1', 'unknown', pod(n), { message: `first ${n}` }));
    // Repeats: a worse status wins; an equal one does not replace the first.
    const worse = f('c1', 'cis-5.2.1', 'fail', pod('pod-07'), privileged('true'));
    const equal = f('c1', 'cis-5.2.1', 'unknown', pod('pod-09'), { message: 'second' });
    findings.push(worse, equal);
    const plan = planLifecycle([], observeScan('c1', findings, ['cis-5.2.1'], new Set()));
    const created = plan.created;
    expect(created.findings.map((x) => x.resource.name)).toEqual(names);
    expect(created.findings[7]).toBe(worse);
    expect(created.findings[9]?.message).toBe('first pod-09');
    expect(created.fingerprints).toEqual(created.findings.map((x) => fingerprint(x)));
    expect(created.states[7]?.status).toBe('fail');
    const sorted = [...created.byFingerprint].map((i) => created.fingerprints[i]);
    expect(sorted).toEqual([...created.fingerprints].sort());
    expect(new Set(created.byFingerprint).size).toBe(names.length);
  });

  it('shares one state among findings with the same evidence, status, severity and message', () => {
    const evidence = privileged('true').evidence;
    const findings = ['a', 'b', 'c'].map((n) => f('c1', 'cis-5.2.1', 'fail', pod(n), { ...(evidence ? { evidence } : {}) }));
    findings.push(f('c1', 'cis-5.2.1', 'fail', pod('d'), privileged('true')));
    const { states } = planLifecycle([], observeScan('c1', findings, ['cis-5.2.1'], new Set())).created;
    expect(states[0]).toBe(states[1]);
    expect(states[1]).toBe(states[2]);
    // Another evidence object with equal text: an equal state (the same hash), not necessarily the same object.
    expect(states[3]?.evidenceHash).toBe(states[0]?.evidenceHash);
  });

  it('a not-applicable opens an episode unless a pass of the same key outranks it', () => {
    const passes = new PassSet();
    passes.add(f('c1', 'cis-5.2.1', 'pass', pod('covered')));
    const findings = [f('c1', 'cis-5.2.1', 'not-applicable', pod('covered')), f('c1', 'cis-5.2.1', 'not-applicable', pod('alone'))];
    const viaPassSet = planLifecycle([], observeScan('c1', findings, ['cis-5.2.1'], new Set(), passes)).created;
    expect(viaPassSet.findings.map((x) => x.resource.name)).toEqual(['alone']);
    const inFindings = [f('c1', 'cis-5.2.1', 'pass', pod('covered')), ...findings];
    const viaFindings = planLifecycle([], observeScan('c1', inFindings, ['cis-5.2.1'], new Set())).created;
    expect(viaFindings.findings.map((x) => x.resource.name)).toEqual(['alone']);
    expect([...viaFindings.byFingerprint]).toEqual([0]);
  });
});
