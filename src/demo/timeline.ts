/**
 * The demo's simulated history: a fleet that changes from day to day (workloads hardened,
 * rolled back, deleted, added), so trends and time to remediate have something to show.
 * Read from `timeline.yaml` beside the fleet's cluster directories. Pure apart from reading
 * the file: `objectsOnDay` derives a cluster's objects on a day from its fixtures.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { ApiObject } from './apiserver/types.js';

/** `Kind namespace/name` or `Kind name` (cluster-scoped). */
const objectRef = z.string().regex(/^[A-Z][A-Za-z]+ ([a-z0-9.-]+\/)?[a-z0-9.:-]+$/, 'use "Kind namespace/name" or "Kind name"');

const eventSchema = z
  .object({
    day: z.number().int().min(0),
    cluster: z.string().min(1),
    /** What happened, in words (shown by the demo). */
    why: z.string().min(1),
    /** Set fields of an object: dotted paths; `[name=x]` picks a list item by name, `[0]` by index. */
    set: z.object({ object: objectRef, values: z.record(z.string(), z.unknown()) }).strict().optional(),
    /** Put an object back as the fixtures have it (a rollback). */
    revert: objectRef.optional(),
    delete: objectRef.optional(),
    add: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .strict()
  .refine((e) => [e.set, e.revert, e.delete, e.add].filter((x) => x !== undefined).length === 1, 'give exactly one of set, revert, delete, add');

export const timelineSchema = z
  .object({
    /** Days of history; the last one is today. */
    days: z.number().int().min(1).max(3650),
    events: z.array(eventSchema).default([]),
  })
  .strict();

export type Timeline = z.infer<typeof timelineSchema>;
export type TimelineEvent = Timeline['events'][number];

export function readTimeline(file: string): Timeline {
  const parsed = timelineSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new Error(`${file}: invalid timeline:\n  ${issues.join('\n  ')}`);
  }
  for (const [i, e] of parsed.data.events.entries()) {
    if (e.day >= parsed.data.days) throw new Error(`${file}: events[${i}].day: ${e.day} is past the last day (${parsed.data.days - 1})`);
  }
  return parsed.data;
}

function refOf(obj: ApiObject): string {
  const md = (obj['metadata'] ?? {}) as { name?: string; namespace?: string };
  return `${String(obj['kind'])} ${md.namespace ? `${md.namespace}/` : ''}${md.name ?? ''}`;
}

/** Objects without a namespace in the fixtures live in `default`, as the fake server puts them. */
function matches(obj: ApiObject, ref: string): boolean {
  if (refOf(obj) === ref) return true;
  const md = (obj['metadata'] ?? {}) as { namespace?: string };
  return md.namespace === undefined && ref === `${String(obj['kind'])} default/${String((obj['metadata'] as { name?: string } | undefined)?.name)}`;
}

type Step = { key: string } | { key: string; name: string } | { key: string; index: number };

function parsePath(path: string): Step[] {
  return path.split('.').map((part) => {
    const m = /^([^[\]]+)(?:\[(?:name=([^\]]+)|(\d+))\])?$/.exec(part);
    if (!m?.[1]) throw new Error(`bad path segment "${part}" in "${path}"`);
    if (m[2] !== undefined) return { key: m[1], name: m[2] };
    if (m[3] !== undefined) return { key: m[1], index: Number(m[3]) };
    return { key: m[1] };
  });
}

/** Set one field, creating objects on the way; a list item must exist. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const steps = parsePath(path);
  let cur: Record<string, unknown> = obj;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    if ('name' in step || 'index' in step) {
      const list = cur[step.key];
      if (!Array.isArray(list)) throw new Error(`${path}: ${step.key} is not a list`);
      const item = ('name' in step ? list.find((x: { name?: string }) => x?.name === step.name) : list[step.index]) as Record<string, unknown> | undefined;
      if (!item) throw new Error(`${path}: no item ${'name' in step ? `named ${step.name}` : String(step.index)} in ${step.key}`);
      if (last) Object.assign(item, structuredClone(value));
      else cur = item;
      return;
    }
    if (last) {
      cur[step.key] = structuredClone(value);
      return;
    }
    const next = cur[step.key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[step.key] = {};
    cur = cur[step.key] as Record<string, unknown>;
  });
}

interface OwnerRef {
  kind?: string;
  name?: string;
}

/** Remove objects[index] and, like the garbage collector, everything it owns (ReplicaSets, Pods...). */
function withDependents(objects: readonly ApiObject[], index: number): ApiObject[] {
  const gone = new Set([index]);
  const owned = (o: ApiObject, by: ApiObject): boolean => {
    const md = (o['metadata'] ?? {}) as { namespace?: string; ownerReferences?: OwnerRef[] };
    const owner = (by['metadata'] ?? {}) as { namespace?: string; name?: string };
    return md.namespace === owner.namespace && (md.ownerReferences ?? []).some((r) => r.kind === by['kind'] && r.name === owner.name);
  };
  for (let grew = true; grew; ) {
    grew = false;
    objects.forEach((o, i) => {
      if (gone.has(i)) return;
      if ([...gone].some((g) => { const by = objects[g]; return by !== undefined && owned(o, by); })) {
        gone.add(i);
        grew = true;
      }
    });
  }
  return objects.filter((_, i) => !gone.has(i));
}

/** A cluster's objects on a day: its fixtures with every event of that cluster up to that day applied in order. */
export function objectsOnDay(base: readonly ApiObject[], timeline: Timeline, cluster: string, day: number): ApiObject[] {
  let objects = [...base];
  const events = timeline.events.filter((e) => e.cluster === cluster && e.day <= day).sort((a, b) => a.day - b.day);
  for (const e of events) {
    const where = `timeline event on day ${e.day} for ${cluster}`;
    const ref = e.set?.object ?? e.revert ?? e.delete;
    const index = ref === undefined ? -1 : objects.findIndex((o) => matches(o, ref));
    if (ref !== undefined && index < 0 && !e.revert) throw new Error(`${where}: no object ${ref}`);
    if (e.set) {
      const copy = structuredClone(objects[index]) as Record<string, unknown>;
      for (const [path, value] of Object.entries(e.set.values)) setPath(copy, path, value);
      objects[index] = copy;
    } else if (e.revert) {
      const original = base.find((o) => matches(o, e.revert ?? ''));
      if (!original) throw new Error(`${where}: ${e.revert} is not in the fixtures`);
      if (index >= 0) objects[index] = original;
      else objects.push(original);
    } else if (e.delete) {
      objects = withDependents(objects, index);
    } else if (e.add) {
      for (const o of e.add) {
        if (objects.some((x) => refOf(x) === refOf(o))) throw new Error(`${where}: ${refOf(o)} exists already`);
        objects.push(o);
      }
    }
  }
  return objects;
}

/** The events of one day, for progress output. */
export function eventsOn(timeline: Timeline, day: number): TimelineEvent[] {
  return timeline.events.filter((e) => e.day === day);
}
