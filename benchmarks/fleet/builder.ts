/** The generator's building blocks: seeded PRNG, vocabulary, the ClusterBuilder, namespaces and app identities. */
import type { KubeObject, Provider, ResourceKind } from '../../src/core/types.js';

export type Obj = Record<string, unknown>;
export type Labels = Record<string, string>;
export type OwnerRef = NonNullable<KubeObject['metadata']['ownerReferences']>[number];

// Seeded PRNG (mulberry32) and helpers.

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
    for (let i = 0; i < 4; i++) this.next();
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  hex(n: number): string {
    return this.chars('0123456789abcdef', n);
  }

  uid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }

  /** Kubernetes' "safe" alphabet for generated name suffixes and pod-template-hash. */
  suffix(n: number): string {
    return this.chars('bcdfghjklmnpqrstvwxz2456789', n);
  }
}

// Vocabulary.

export const APP_NAMES = [
  'api', 'web', 'worker', 'gateway', 'auth', 'billing', 'payments', 'search', 'catalog', 'cart',
  'checkout', 'orders', 'inventory', 'notifications', 'mailer', 'reports', 'analytics', 'ingest',
  'scheduler', 'frontend', 'backend', 'admin', 'graphql', 'media', 'thumbnailer', 'pdf-render',
  'exporter', 'importer', 'sync', 'webhooks', 'ledger', 'pricing', 'recommendations', 'profile',
  'sessions', 'audit', 'feature-flags', 'geo', 'shipping', 'tax', 'fraud-check', 'identity',
] as const;
export const TEAMS = [
  'payments', 'checkout', 'platform', 'data', 'growth', 'identity', 'search', 'mobile', 'ml',
  'risk', 'logistics', 'support', 'marketing', 'finance', 'infra', 'core',
] as const;
export const ENVS = ['prod', 'staging', 'dev', 'qa', 'sandbox'] as const;
export const STATEFUL = [
  { name: 'postgres', image: 'docker.io/bitnami/postgresql:16.4.0-debian-12-r9', port: 5432 },
  { name: 'redis', image: 'docker.io/bitnami/redis:7.4.1-debian-12-r0', port: 6379 },
  { name: 'rabbitmq', image: 'docker.io/bitnami/rabbitmq:3.13.7-debian-12-r2', port: 5672 },
  { name: 'kafka', image: 'docker.io/bitnami/kafka:3.8.0-debian-12-r5', port: 9092 },
  { name: 'elasticsearch', image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.2', port: 9200 },
  { name: 'mongodb', image: 'docker.io/bitnami/mongodb:7.0.14-debian-12-r3', port: 27017 },
] as const;
export const JOB_NAMES = [
  'db-backup', 'report-nightly', 'cleanup', 'sync-catalog', 'rotate-keys', 'reindex', 'export-daily',
  'expire-sessions', 'send-digest', 'compact',
] as const;
export const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'] as const;
export const K8S_VERSIONS = [
  { minor: '29', patch: '10' },
  { minor: '30', patch: '6' },
  { minor: '31', patch: '4' },
  { minor: '32', patch: '1' },
] as const;
export const COLLECTED_AT_MS = Date.UTC(2026, 10, 15, 6, 0, 0);

export type Posture = 'restricted' | 'default' | 'partial' | 'root' | 'privileged';
export type LabelStyle = 'helm' | 'kustomize' | 'kubectl';

export interface AppCtx {
  ns: string;
  team: string;
  env: string;
  name: string;
  labels: Labels;
  selector: Labels;
  style: LabelStyle;
  release: string;
  image: string;
  port: number;
}

export interface NsCtx {
  name: string;
  team: string;
  env: string;
  style: LabelStyle;
  istio: boolean;
  apps: string[];
  serviceAccounts: string[];
}

// The builder.

export class ClusterBuilder {
  readonly rng: Rng;
  readonly objects: Partial<Record<ResourceKind, KubeObject[]>> = {};
  count = 0;
  readonly nodes: string[] = [];
  readonly controlPlaneNodes: string[] = [];
  readonly namespaces: NsCtx[] = [];
  private readonly usedNames = new Set<string>();

  constructor(
    readonly cluster: string,
    readonly budget: number,
    seed: number,
    readonly provider: Provider,
  ) {
    this.rng = new Rng(seed);
  }

  get remaining(): number {
    return this.budget - this.count;
  }

  add(kind: ResourceKind, obj: KubeObject): KubeObject {
    (this.objects[kind] ??= []).push(obj);
    this.count++;
    return obj;
  }

  /** A name not used yet in this scope (`base`, then `base-2`, `base-3`...). */
  unique(scope: string, base: string): string {
    let name = base;
    for (let i = 2; this.usedNames.has(`${scope}/${name}`); i++) name = `${base}-${i}`;
    this.usedNames.add(`${scope}/${name}`);
    return name;
  }

  /** ISO timestamp some time before collection; `maxDays` bounds how far back. */
  timestamp(maxDays: number, minDays = 0): string {
    const ms = COLLECTED_AT_MS - Math.floor((minDays + this.rng.next() * (maxDays - minDays)) * 86_400_000);
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  meta(
    name: string,
    namespace: string | undefined,
    opts: { labels?: Labels; annotations?: Labels; owner?: KubeObject; maxDays?: number } = {},
  ): KubeObject['metadata'] {
    const m: KubeObject['metadata'] = { name };
    if (namespace !== undefined) m.namespace = namespace;
    m.uid = this.rng.uid();
    m.creationTimestamp = this.timestamp(opts.maxDays ?? 400);
    if (opts.labels && Object.keys(opts.labels).length > 0) m.labels = opts.labels;
    if (opts.annotations && Object.keys(opts.annotations).length > 0) m.annotations = opts.annotations;
    if (opts.owner) m.ownerReferences = [ownerRef(opts.owner)];
    return m;
  }
}

export function ownerRef(owner: KubeObject): OwnerRef {
  const ref: OwnerRef = { apiVersion: owner.apiVersion ?? 'v1', kind: owner.kind, name: owner.metadata.name, controller: true };
  if (owner.metadata.uid) ref.uid = owner.metadata.uid;
  return ref;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}


export function addNamespace(b: ClusterBuilder, name: string, team: string, env: string, opts: { system?: boolean } = {}): NsCtx {
  const r = b.rng;
  const labels: Labels = { 'kubernetes.io/metadata.name': name };
  const istio = !opts.system && r.chance(0.15);
  if (!opts.system) {
    labels.team = team;
    labels.env = env;
    if (r.chance(0.3)) {
      const level = r.pick(['restricted', 'baseline', 'baseline', 'privileged']);
      labels['pod-security.kubernetes.io/enforce'] = level;
      labels['pod-security.kubernetes.io/enforce-version'] = 'latest';
      if (r.chance(0.5)) labels['pod-security.kubernetes.io/warn'] = 'restricted';
    }
    if (istio) labels['istio-injection'] = 'enabled';
  }
  const annotations: Labels = {};
  if (!opts.system && r.chance(0.3)) annotations['argocd.argoproj.io/sync-wave'] = '-1';
  if (!opts.system && r.chance(0.4)) annotations['scheduler.alpha.kubernetes.io/node-selector'] = 'node-pool=general';
  b.add('namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: b.meta(name, undefined, { labels, annotations }),
    spec: { finalizers: ['kubernetes'] },
  });
  const style = r.weighted<LabelStyle>([
    ['helm', 60],
    ['kustomize', 25],
    ['kubectl', 15],
  ]);
  const ns: NsCtx = { name, team, env, style, istio, apps: [], serviceAccounts: ['default'] };
  b.add('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: b.meta('default', name) });
  b.namespaces.push(ns);
  return ns;
}

export function appCtx(b: ClusterBuilder, ns: NsCtx, component: string): AppCtx {
  const r = b.rng;
  const name = b.unique(`app/${ns.name}`, component);
  const version = `${r.int(0, 4)}.${r.int(0, 30)}.${r.int(0, 20)}`;
  const release = ns.style === 'helm' ? name : `${ns.team}-${name}`;
  const selector: Labels =
    ns.style === 'helm'
      ? { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': release }
      : { app: name };
  const labels: Labels =
    ns.style === 'helm'
      ? {
          ...selector,
          'app.kubernetes.io/version': version,
          'app.kubernetes.io/component': r.pick(['server', 'worker', 'api', 'frontend']),
          'app.kubernetes.io/part-of': ns.team,
          'app.kubernetes.io/managed-by': 'Helm',
          'helm.sh/chart': `${name}-${r.int(0, 3)}.${r.int(0, 20)}.${r.int(0, 9)}`,
        }
      : { ...selector, team: ns.team, tier: r.pick(['backend', 'frontend', 'worker']), version };
  const registry = r.pick(['registry.example.com', 'ghcr.io/example', '123456789012.dkr.ecr.eu-west-1.amazonaws.com']);
  const image = r.chance(0.3)
    ? `${registry}/${ns.team}/${name}@sha256:${r.hex(64)}`
    : r.chance(0.04)
      ? `${registry}/${ns.team}/${name}:latest`
      : `${registry}/${ns.team}/${name}:${version}`;
  ns.apps.push(name);
  return { ns: ns.name, team: ns.team, env: ns.env, name, labels, selector, style: ns.style, release, image, port: r.pick([8080, 8080, 3000, 8000, 9000, 5000]) };
}

export function workloadAnnotations(b: ClusterBuilder, app: AppCtx): Labels {
  const a: Labels = {};
  if (app.style === 'helm') {
    a['meta.helm.sh/release-name'] = app.release;
    a['meta.helm.sh/release-namespace'] = app.ns;
  } else if (app.style === 'kustomize') {
    a['argocd.argoproj.io/tracking-id'] = `${app.release}:apps/Deployment:${app.ns}/${app.name}`;
  }
  if (b.rng.chance(0.1)) a['reloader.stakater.com/auto'] = 'true';
  return a;
}

export function probe(path: string, port: string | number, initialDelay: number): Obj {
  return {
    httpGet: { path, port, scheme: 'HTTP' },
    initialDelaySeconds: initialDelay,
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

export function baseContainer(name: string, image: string): Obj {
  return {
    name,
    image,
    imagePullPolicy: image.endsWith(':latest') ? 'Always' : 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}
