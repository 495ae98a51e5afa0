/**
 * The passes of one cluster's scan, kept compactly. A pass carries nothing the store keeps
 * beyond its counts and, when it closes an open episode, its identity; on a cluster of
 * 200,000 pods passes are millions of verdicts, and keeping each as a Finding (with its
 * evidence strings) dominated the memory of a scan. Here a pass costs four bytes: the index of
 * its resource among the scan's distinct resources, in its control's list. Counts per control
 * and per namespace are tallied as passes are added. See ADR 0013.
 */
import { matchKeyOfPart, resourcePart } from './fingerprint.js';
import type { Finding, PassCount, Passes, ResourceRef, Severity } from './types.js';

interface ControlPasses {
  controlId: string;
  severity: Severity;
  /** Indices into the resource parts, in the order the passes were added. */
  parts: Uint32Array;
  length: number;
  /** The rare pass with a discriminator (several verdicts of a control on one resource), by position. */
  discriminators?: Map<number, string>;
}

export class PassSet implements Passes {
  private readonly controls = new Map<string, ControlPasses>();
  private readonly partIndex = new Map<string, number>();
  private readonly parts: string[] = [];
  /** Per namespace and severity, in the order first seen (byNamespace keeps it). */
  private readonly namespaces = new Map<string, Map<Severity, PassCount>>();
  private readonly namespaceCounts: PassCount[] = [];
  private total = 0;
  private conflict: string | undefined;

  get size(): number {
    return this.total;
  }

  /** Adds one pass (throws for another status: only passes may be kept this way). */
  add(f: Pick<Finding, 'status' | 'controlId' | 'severity' | 'resource' | 'discriminator'>): void {
    if (f.status !== 'pass') throw new Error(`a ${f.status} verdict of ${f.controlId} is not a pass`);
    this.addPass(f.controlId, f.severity, f.resource, f.discriminator);
  }

  /** Adds one pass from its parts, for a caller that never built a Finding for it. */
  addPass(controlId: string, severity: Severity, resource: ResourceRef, discriminator: string | undefined): void {
    let c = this.controls.get(controlId);
    if (!c) this.controls.set(controlId, (c = { controlId, severity, parts: new Uint32Array(16), length: 0 }));
    else if (c.severity !== severity) this.conflict ??= `control ${controlId} has passes of several severities: ${c.severity}, ${severity}`;
    const part = resourcePart(resource);
    let index = this.partIndex.get(part);
    if (index === undefined) {
      index = this.parts.length;
      this.parts.push(part);
      this.partIndex.set(part, index);
    }
    if (c.length === c.parts.length) {
      const grown = new Uint32Array(c.parts.length * 2);
      grown.set(c.parts);
      c.parts = grown;
    }
    if (discriminator !== undefined) (c.discriminators ??= new Map()).set(c.length, discriminator);
    c.parts[c.length++] = index;
    this.total += 1;
    const ns = resource.namespace;
    if (ns !== undefined) {
      let bySeverity = this.namespaces.get(ns);
      if (!bySeverity) this.namespaces.set(ns, (bySeverity = new Map()));
      const entry = bySeverity.get(severity);
      if (entry) entry.count += 1;
      else {
        const count: PassCount = { key: ns, severity, count: 1 };
        bySeverity.set(severity, count);
        this.namespaceCounts.push(count);
      }
    }
  }

  /** Set when a control's passes came with different severities (the store refuses such a scan). */
  get severityConflict(): string | undefined {
    return this.conflict;
  }

  byControl(): PassCount[] {
    return [...this.controls.values()].map((c) => ({ key: c.controlId, severity: c.severity, count: c.length }));
  }

  byNamespace(): PassCount[] {
    return this.namespaceCounts.map((n) => ({ ...n }));
  }

  /** Calls `fn` with the match key (core/fingerprint.ts matchKey) of every pass; the keys are built one at a time. */
  forEachKey(fn: (key: string, controlId: string, severity: Severity, resourcePart: string) => void): void {
    for (const c of this.controls.values()) {
      for (let i = 0; i < c.length; i++) {
        const part = this.parts[c.parts[i] as number] as string;
        fn(matchKeyOfPart(c.controlId, part, c.discriminators?.get(i)), c.controlId, c.severity, part);
      }
    }
  }
}
