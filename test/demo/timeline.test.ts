import { join } from 'node:path';
import { demoFixturesDir, listFleetClusters } from '../../src/demo/fleet.js';
import { loadFixtureDir } from '../../src/demo/fixtures.js';
import { objectsOnDay, readTimeline, setPath, timelineSchema } from '../../src/demo/timeline.js';

type Obj = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string; ownerReferences?: Array<{ kind: string; name: string }> } };

const BASE: Obj[] = [
  { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'api', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'app', image: 'a' }] } } } },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', metadata: { name: 'api-1', namespace: 'shop', ownerReferences: [{ kind: 'Deployment', name: 'api' }] } },
  { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'api-1-x', namespace: 'shop', ownerReferences: [{ kind: 'ReplicaSet', name: 'api-1' }] } },
  { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'other', namespace: 'shop' } },
];

const timeline = timelineSchema.parse({
  days: 10,
  events: [
    { day: 2, cluster: 'c', why: 'harden', set: { object: 'Deployment shop/api', values: { 'spec.template.spec.containers[name=app].securityContext': { privileged: false } } } },
    { day: 5, cluster: 'c', why: 'rollback', revert: 'Deployment shop/api' },
    { day: 7, cluster: 'c', why: 'delete', delete: 'Deployment shop/api' },
    { day: 8, cluster: 'other', why: 'elsewhere', delete: 'Pod shop/other' },
  ],
});

const names = (objs: readonly Record<string, unknown>[]) => objs.map((o) => (o['metadata'] as { name: string }).name);
const container = (objs: readonly Record<string, unknown>[]) => (objs[0] as Obj & { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }).spec.template.spec.containers[0];

describe('demo timeline', () => {
  it('applies the events of a cluster up to a day, in order, without touching the fixtures', () => {
    expect(container(objectsOnDay(BASE, timeline, 'c', 1))).toEqual({ name: 'app', image: 'a' });
    expect(container(objectsOnDay(BASE, timeline, 'c', 2))).toEqual({ name: 'app', image: 'a', securityContext: { privileged: false } });
    expect(container(objectsOnDay(BASE, timeline, 'c', 5))).toEqual({ name: 'app', image: 'a' });
    expect(container(BASE)).toEqual({ name: 'app', image: 'a' });
  });

  it('deletes a workload with what it owns, as the garbage collector would', () => {
    expect(names(objectsOnDay(BASE, timeline, 'c', 7))).toEqual(['other']);
    expect(names(objectsOnDay(BASE, timeline, 'other', 9))).toEqual(['api', 'api-1', 'api-1-x']);
  });

  it('names the event and the object when an event does not fit the fixtures', () => {
    const bad = timelineSchema.parse({ days: 3, events: [{ day: 1, cluster: 'c', why: 'x', delete: 'Deployment shop/missing' }] });
    expect(() => objectsOnDay(BASE, bad, 'c', 2)).toThrow('timeline event on day 1 for c: no object Deployment shop/missing');
    expect(() => setPath({ spec: { containers: [] } }, 'spec.containers[name=app].image', 'b')).toThrow('no item named app in containers');
    expect(timelineSchema.safeParse({ days: 3, events: [{ day: 1, cluster: 'c', why: 'x', delete: 'Pod a', revert: 'Pod a' }] }).success).toBe(false);
  });

  it('the bundled timeline applies cleanly to the bundled fleet on every day', () => {
    const dir = demoFixturesDir();
    const t = readTimeline(join(dir, 'timeline.yaml'));
    expect(t.events.length).toBeGreaterThan(5);
    for (const cluster of listFleetClusters(dir)) {
      if (!t.events.some((e) => e.cluster === cluster)) continue;
      const base = loadFixtureDir(join(dir, cluster));
      for (let day = 0; day < t.days; day++) expect(() => objectsOnDay(base, t, cluster, day)).not.toThrow();
    }
  });
});
