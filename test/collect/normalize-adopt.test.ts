import { normalizeObject } from '../../src/collect/normalize.js';

describe('normalizeObject with adopt (the collector, on objects it has just parsed)', () => {
  const raw = () => ({
    kind: 'Service',
    metadata: { name: 's', namespace: 'x', labels: { a: 'b' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] }, conditions: [] },
  });

  it('keeps the same fields as a copying normalisation', () => {
    expect(normalizeObject(raw(), 'services', 0, { adopt: true })).toEqual(normalizeObject(raw(), 'services', 0));
  });

  it('keeps spec and status as parsed instead of copying them; metadata is still rebuilt', () => {
    const input = raw();
    const out = normalizeObject(input, 'services', 0, { adopt: true });
    expect(out.spec).toBe(input.spec);
    expect(out.status?.loadBalancer).toBe(input.status.loadBalancer);
    expect(out.metadata).not.toBe(input.metadata);
    expect(out.metadata.annotations).toBeUndefined();
  });
});
