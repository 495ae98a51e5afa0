import { Writable } from 'node:stream';
import { jsonDocument, textTable, writeAll } from '../../src/cli/evaluate-output.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { table } from '../../src/cli/format.js';
import type { Finding } from '../../src/core/types.js';

function finding(i: number): Finding {
  return {
    status: i % 2 ? 'fail' : 'unknown',
    resource: { kind: 'Pod', namespace: 'shop', name: `pod-${i}`, container: 'app' },
    cluster: 'manifests',
    controlId: 'PSS-privileged',
    severity: 'high',
    ...(i % 2 ? { evidence: { path: 'spec.containers[app].securityContext.privileged', observed: 'true', expected: 'false or unset' } } : { message: 'no evidence' }),
  };
}

/** A slow sink: a tiny buffer, so every write past it must wait for 'drain'. */
function sink(): { stream: Writable; text: () => string; maxBuffered: () => number } {
  const chunks: string[] = [];
  let max = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      setImmediate(done);
    },
  });
  const origWrite = stream.write.bind(stream);
  stream.write = ((chunk: string) => {
    const ok = origWrite(chunk);
    max = Math.max(max, stream.writableLength);
    return ok;
  }) as typeof stream.write;
  return { stream, text: () => chunks.join(''), maxBuffered: () => max };
}

describe('evaluate output for large inputs', () => {
  it('prints a table of 300,000 findings (a spread over the column overflowed the stack)', () => {
    const findings = Array.from({ length: 300_000 }, (_, i) => finding(i));
    let lines = 0;
    let width = 0;
    for (const line of textTable(findings)) {
      lines++;
      if (lines === 2) width = line.indexOf('PSS-privileged');
    }
    expect(lines).toBe(300_001);
    expect(width).toBe('Pod shop/pod-299999 [app]'.length + 2);
    const rows = findings.map((f) => [f.resource.name, f.status]);
    expect(table(['NAME', 'STATUS'], rows).split('\n')).toHaveLength(300_001);
  });

  it('marks a latent RBAC failure before its evidence, and nothing else', () => {
    const latent: Finding = {
      status: 'fail',
      resource: { kind: 'ClusterRole', name: 'god-mode' },
      cluster: 'manifests',
      controlId: 'CIS-5.1.1',
      severity: 'high',
      evidence: { path: 'rules[0]', observed: '{"verbs":["*"]}', expected: 'no cluster-admin' },
      message: 'latent: no binding read references ClusterRole god-mode; whoever it is bound to can do everything cluster-admin can',
    };
    const [, row, plain] = [...textTable([latent, finding(1)])];
    expect(row).toContain('latent (no binding read references it): rules[0] = {"verbs":["*"]} (expected no cluster-admin)');
    expect(plain).not.toContain('latent');
  });

  it('pads like the shared table', () => {
    const findings = [{ ...finding(1), source: { file: 'deploy/pods.yaml', document: 2, line: 7 }, disposition: { kind: 'excepted' as const, exceptionId: 'e-1' } }, finding(22)];
    expect([...textTable(findings)].join('')).toBe(
      `${table(['RESOURCE', 'CONTROL', 'STATUS', 'WHERE', 'EVIDENCE'], [
        ['Pod shop/pod-1 [app]', 'PSS-privileged', 'fail (excepted: e-1)', 'deploy/pods.yaml:7 (document 2)', 'spec.containers[app].securityContext.privileged = true (expected false or unset)'],
        ['Pod shop/pod-22 [app]', 'PSS-privileged', 'unknown', '', 'no evidence'],
      ])}\n`,
    );
  });

  it.each([0, 1, 3])('writes the JSON of %i findings exactly as one JSON.stringify would', (n) => {
    const findings = Array.from({ length: n }, (_, i) => finding(i));
    const rest = { counts: { fail: 1 }, skipped: [], unreadable: [{ file: 'a.yaml', message: 'a.yaml: bad' }] };
    const whole = {
      findings: findings.map((f) => ({ resource: f.resource, controlId: f.controlId, severity: f.severity, status: f.status, evidence: f.evidence, message: f.message, fingerprint: fingerprint(f) })),
      ...rest,
    };
    expect([...jsonDocument(findings, rest)].join('')).toBe(`${JSON.stringify(whole, null, 2)}\n`);
  });

  it('waits for a slow stream to drain instead of buffering everything', async () => {
    const { stream, text, maxBuffered } = sink();
    const pieces = Array.from({ length: 5000 }, (_, i) => `${'x'.repeat(99)}${i % 10}`);
    await writeAll(stream, pieces);
    expect(text()).toBe(pieces.join(''));
    // About one batch (64 KiB and the piece that crossed it), not the 500 KB written.
    expect(maxBuffered()).toBeLessThan(70_000);
  });
});
