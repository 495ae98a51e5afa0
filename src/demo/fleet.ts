/**
 * The bundled demo fleet: one fake API server per cluster directory of
 * `config/demo-fleet/`, and the kubeconfig files to reach them.
 *
 * Each cluster directory holds API-object YAML files and a `fleet.yaml` describing the
 * cluster (see {@link fleetFileSchema}). Clusters whose fleet.yaml names the same
 * `kubeconfig.file` share one kubeconfig file, one context each.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';
import { createCertificateAuthority, createServerPki } from './certs.js';
import {
  renderKubeconfig,
  startFakeApiServer,
  type ApiObject,
  type FakeApiServer,
  type Fault,
  type KubeconfigEntry,
  type KubeletBehaviour,
} from './fake-apiserver.js';
import { loadFixtureDir } from './fixtures.js';
import { objectsOnDay, type Timeline } from './timeline.js';

export interface DemoCluster {
  name: string;
  kubeconfigPath: string;
  /** Set when the kubeconfig file holds several contexts; otherwise its current-context applies. */
  context?: string;
  labels: Record<string, string>;
  /** The server URL the kubeconfig points at (a closed port for an unreachable cluster). */
  url: string;
  unreachable: boolean;
}

export interface DemoFleet {
  clusters: DemoCluster[];
  /** Running servers by cluster name (unreachable clusters have none). */
  servers: Map<string, FakeApiServer>;
  /** Each running cluster's objects as its fixtures define them (before any timeline event). */
  fixtures: Map<string, ApiObject[]>;
  stop(): Promise<void>;
}

const faultSchema = z
  .object({
    forbidden: z.boolean().optional(),
    delayMs: z.number().int().nonnegative().optional(),
    broken: z.enum(['status500', 'malformed', 'reset']).optional(),
    expireContinue: z.boolean().optional(),
    users: z.array(z.string()).optional(),
  })
  .strict();

const record = z.record(z.string(), z.unknown());

/** The format of `<cluster>/fleet.yaml`. */
export const fleetFileSchema = z
  .object({
    /** Cluster name; defaults to the directory name. */
    name: z.string().min(1).optional(),
    labels: z.record(z.string(), z.string()).default({}),
    /** `GET /version` answer (fields not given take the fake server's defaults). */
    version: z
      .object({
        major: z.string(),
        minor: z.string(),
        gitVersion: z.string(),
        gitCommit: z.string(),
        gitTreeState: z.string(),
        buildDate: z.string(),
        goVersion: z.string(),
        compiler: z.string(),
        platform: z.string(),
      })
      .partial()
      .strict()
      .optional(),
    /** How the scanner authenticates: a bearer token (random per start) or a client certificate. */
    auth: z
      .object({
        mode: z.enum(['token', 'client-cert']),
        user: z.string().min(1),
        groups: z.array(z.string()).optional(),
      })
      .strict(),
    kubeconfig: z
      .object({
        /** File name under `<workDir>/kubeconfigs/`; default `<cluster>.yaml`. */
        file: z.string().regex(/^[\w.-]+\.ya?ml$/).optional(),
        /** Context name; default the cluster name. */
        context: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    maxPageSize: z.number().int().positive().optional(),
    faults: z.record(z.string(), faultSchema).optional(),
    kubelet: z
      .object({
        /** The kubeletconfig every node answers on /configz. */
        config: record.optional(),
        /** Per node: `disabled` (405), `unreachable` (503), or fields merged over `config` (null removes one). */
        nodes: z.record(z.string(), z.union([z.enum(['disabled', 'unreachable']), record])).optional(),
      })
      .strict()
      .optional(),
    /** No server: the kubeconfig points at a port nothing listens on. */
    unreachable: z.boolean().optional(),
  })
  .strict();

export type FleetFile = z.infer<typeof fleetFileSchema>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k];
    // null removes a field: what the kubelet omits (omitempty) when it is false or empty.
    if (v === null) delete out[k];
    else out[k] = isRecord(cur) && isRecord(v) ? deepMerge(cur, v) : structuredClone(v);
  }
  return out;
}

/** Read and validate one cluster's fleet.yaml. */
export function readFleetFile(file: string): FleetFile {
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const parsed = fleetFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${file}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** The kubelet behaviour of every Node object, from fleet.yaml's `kubelet` section. */
function kubeletBehaviours(fleet: FleetFile, objects: readonly Record<string, unknown>[]): Record<string, KubeletBehaviour> {
  const out: Record<string, KubeletBehaviour> = {};
  const base = fleet.kubelet?.config;
  const perNode = fleet.kubelet?.nodes ?? {};
  const nodeNames = objects
    .filter((o) => o.kind === 'Node' && isRecord(o.metadata))
    .map((o) => String((o.metadata as Record<string, unknown>).name));
  for (const name of Object.keys(perNode)) {
    if (!nodeNames.includes(name)) throw new Error(`fleet.yaml kubelet.nodes.${name}: no Node of that name`);
  }
  for (const node of nodeNames) {
    const o = perNode[node];
    if (o === 'disabled' || o === 'unreachable') out[node] = o;
    else if (base || o) out[node] = deepMerge(base ?? {}, o ?? {});
  }
  return out;
}

/** A 127.0.0.1 port that was free a moment ago and that nothing listens on now. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res, rej) => {
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => res());
  });
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 1;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

/** The cluster directories of a fixtures dir: those with a fleet.yaml, in name order. */
export function listFleetClusters(fixturesDir: string): string[] {
  return readdirSync(fixturesDir)
    .filter((d) => statSync(join(fixturesDir, d)).isDirectory() && existsSync(join(fixturesDir, d, 'fleet.yaml')))
    .sort();
}

interface StartedCluster {
  entry: KubeconfigEntry;
  url: string;
  server?: FakeApiServer;
  objects?: ApiObject[];
}

/** Start one cluster's server (or, for an unreachable one, only pick a closed port). */
async function startCluster(fleet: FleetFile, name: string, clusterDir: string): Promise<StartedCluster> {
  const contextName = fleet.kubeconfig?.context ?? name;
  const authInfoName = `${fleet.auth.user}@${name}`;
  const groups = fleet.auth.groups ? { groups: fleet.auth.groups } : {};
  const token = randomBytes(24).toString('base64url');
  if (fleet.unreachable) {
    // A kubeconfig as a real server would have it, pointing at a port nothing listens on.
    const url = `https://127.0.0.1:${await closedPort()}`;
    const ca = createCertificateAuthority(`${name}-ca`);
    return {
      url,
      entry: {
        cluster: { name, cluster: { server: url, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } },
        user: { name: authInfoName, user: { token } },
        context: { name: contextName, context: { cluster: name, user: authInfoName } },
      },
    };
  }
  const objects = loadFixtureDir(clusterDir);
  const server = await startFakeApiServer({
    objects,
    pki: createServerPki(`${name}-ca`),
    uidSeed: name,
    tokens: { [token]: { user: fleet.auth.user, ...groups } },
    kubelets: kubeletBehaviours(fleet, objects),
    ...(fleet.version ? { version: fleet.version } : {}),
    ...(fleet.maxPageSize ? { maxPageSize: fleet.maxPageSize } : {}),
    ...(fleet.faults ? { faults: fleet.faults as Record<string, Fault> } : {}),
  });
  const entry = server.kubeconfigEntry({
    user: fleet.auth.user,
    ...groups,
    ...(fleet.auth.mode === 'client-cert' ? { clientCert: true } : { token }),
    clusterName: name,
    contextName,
    authInfoName,
  });
  return { url: server.url, server, entry, objects };
}

export async function startDemoFleet(opts: { fixturesDir: string; workDir: string }): Promise<DemoFleet> {
  const dirs = listFleetClusters(opts.fixturesDir);
  if (dirs.length === 0) throw new Error(`${opts.fixturesDir}: no cluster directory with a fleet.yaml`);
  const kubeconfigDir = join(resolve(opts.workDir), 'kubeconfigs');
  await mkdir(kubeconfigDir, { recursive: true });

  const servers = new Map<string, FakeApiServer>();
  const fixtures = new Map<string, ApiObject[]>();
  const files = new Map<string, Array<{ cluster: DemoCluster; entry: KubeconfigEntry }>>();
  const clusters: DemoCluster[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all([...servers.values()].map((s) => s.close()));
  };

  try {
    for (const dir of dirs) {
      const fleetPath = join(opts.fixturesDir, dir, 'fleet.yaml');
      const fleet = readFleetFile(fleetPath);
      const name = fleet.name ?? dir;
      if (clusters.some((c) => c.name === name)) throw new Error(`${fleetPath}: cluster ${name} is defined twice`);
      const started = await startCluster(fleet, name, join(opts.fixturesDir, dir));
      if (started.server) servers.set(name, started.server);
      if (started.objects) fixtures.set(name, started.objects);
      const file = fleet.kubeconfig?.file ?? `${name}.yaml`;
      const cluster: DemoCluster = {
        name,
        kubeconfigPath: join(kubeconfigDir, file),
        labels: { ...fleet.labels },
        url: started.url,
        unreachable: fleet.unreachable === true,
      };
      clusters.push(cluster);
      files.set(file, [...(files.get(file) ?? []), { cluster, entry: started.entry }]);
    }
    for (const [file, list] of files) {
      const path = join(kubeconfigDir, file);
      await writeFile(path, renderKubeconfig(list.map((l) => l.entry), list[0]?.entry.context.name), { mode: 0o600 });
      await chmod(path, 0o600);
      // Several contexts in one file: each cluster names its own.
      if (list.length > 1) for (const l of list) l.cluster.context = l.entry.context.name;
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return { clusters, servers, fixtures, stop };
}

/** `config/demo-fleet` of the complyd package, from `src/` (tests) or `dist/src/` (built). */
export function demoFixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string };
        if (parsed.name === 'complyd') return join(dir, 'config', 'demo-fleet');
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the complyd package root (package.json named complyd)');
    dir = parent;
  }
}

/** Serve every running cluster's objects as they are on `day` of the timeline. */
export function applyTimelineDay(fleet: DemoFleet, timeline: Timeline, day: number): void {
  for (const [name, server] of fleet.servers) {
    server.replaceObjects(objectsOnDay(fleet.fixtures.get(name) ?? [], timeline, name, day));
  }
}
