/** The fake API server itself: its state, request handling, and {@link startFakeApiServer}. */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createClientCertificate, createServerPki, type KeyPairPem } from '../certs.js';
import type {
  ApiObject,
  FakeApiServer,
  FakeApiServerOptions,
  Fault,
  KubeconfigEntry,
  KubeconfigOptions,
  KubeletBehaviour,
  RequestLogEntry,
  ServerVersionInfo,
  TokenIdentity,
} from './types.js';
import { groupVersionOf, RESOURCE_TYPES } from './resources.js';
import { authenticate } from './auth.js';
import { DEFAULT_VERSION, groupBody, resourceListBody } from './discovery.js';
import { faultAnswer, faultFor, sleep } from './faults.js';
import { nodeProxy } from './kubelet.js';
import { buildKubeconfigEntry, renderKubeconfig } from './kubeconfig.js';
import { negotiate, notAcceptable } from './negotiation.js';
import { ObjectStore } from './object-store.js';
import { APPLIABLE, applyAnswer, readBody } from './apply-route.js';
import { continuation, listPage, restartToken } from './paging.js';
import { writeAnswer, type Answer } from './respond.js';
import { route, routeTarget, type GetRoute, type ListRoute, type Route } from './routing.js';
import { parseFieldSelector, parseLabelSelector, type FieldReq, type LabelReq } from './selectors.js';
import { badRequest, forbiddenStatus, METHOD_NOT_ALLOWED, NOT_FOUND_PATH, notFoundObject, status, UNAUTHORIZED } from './status.js';

function stripTypeMeta(obj: ApiObject): ApiObject {
  const item: ApiObject = { ...obj };
  delete item.kind;
  delete item.apiVersion;
  return item;
}

class FakeApiServerImpl {
  store: ObjectStore;
  readonly version: ServerVersionInfo;
  readonly tokens = new Map<string, TokenIdentity>();
  readonly faults: Map<string, Fault>;
  readonly kubelets: Map<string, KubeletBehaviour>;
  readonly requests: RequestLogEntry[] = [];
  readonly sockets = new Set<Socket>();
  readonly timers = new Set<NodeJS.Timeout>();
  /** How many requests each fault was applied to (for `times`). */
  readonly faultUses = new WeakMap<Fault, number>();
  compactedRevision = 0;
  /** API groups of the CRDs this cluster has: configured, or implied by objects given. */
  readonly installedCrds: ReadonlySet<string>;
  closed = false;
  port = 0;

  constructor(private readonly opts: FakeApiServerOptions) {
    this.store = new ObjectStore(opts.objects, opts.uidSeed ?? 'fake-apiserver', opts.baseTime ?? '2024-09-02T08:00:00Z');
    this.version = { ...DEFAULT_VERSION, ...(opts.version ?? {}) };
    for (const [tok, id] of Object.entries(opts.tokens ?? {})) this.tokens.set(tok, typeof id === 'string' ? { user: id } : id);
    this.faults = new Map(Object.entries(opts.faults ?? {}));
    this.kubelets = new Map(Object.entries(opts.kubelets ?? {}));
    const crdKinds = new Map(RESOURCE_TYPES.filter((t) => t.crd).map((t) => [t.kind, t.group]));
    this.installedCrds = new Set([...(opts.crds ?? []), ...opts.objects.flatMap((o) => crdKinds.get(String(o.kind)) ?? [])]);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    const accept = req.headers.accept;
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: url.pathname, query, status: 0, ...(accept ? { accept } : {}) };
    this.requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    const identity = authenticate(req, this.tokens);
    if (!identity) return writeAnswer(req, res, { code: 401, body: UNAUTHORIZED() }, {});
    entry.user = identity.user;
    const r = route(url.pathname);
    if (req.method === 'PATCH' && r.kind === 'get' && APPLIABLE.has(r.type.resource)) return this.patch(req, res, r, url, identity.user);
    if (req.method !== 'GET') return writeAnswer(req, res, { code: 405, body: METHOD_NOT_ALLOWED() }, {});
    if (r.kind === 'notFound') return writeAnswer(req, res, { code: 404, body: NOT_FOUND_PATH() }, {});

    const fault = faultFor(this.faults, identity.user, url.pathname, r, this.faultUses, r.kind === 'list' ? 'list' : 'get');
    // Authorization comes before the resource is looked up, as in Kubernetes: without the
    // permission the answer is 403 even for a resource the cluster does not serve.
    if (!this.serves(r) && !fault.forbidden) return writeAnswer(req, res, { code: 404, body: NOT_FOUND_PATH() }, {});
    if (fault.delayMs && fault.delayMs > 0) {
      await sleep(fault.delayMs, this.timers);
      if (this.closed || res.destroyed || req.socket.destroyed) return;
    }
    return writeAnswer(req, res, this.answer(r, url, identity.user, accept, fault), fault);
  }

  /** Server-side apply of one object: RBAC (faults with the verb `patch`) first, then the apply. */
  async patch(req: IncomingMessage, res: ServerResponse, r: GetRoute, url: URL, user: string): Promise<void> {
    const fault = faultFor(this.faults, user, url.pathname, r, this.faultUses, 'patch');
    const body = await readBody(req);
    if (fault.forbidden) {
      return writeAnswer(req, res, { code: 403, body: forbiddenStatus(user, 'patch', r.type, undefined, undefined, r.name, url.pathname) }, {});
    }
    const answer =
      faultAnswer(fault) ??
      applyAnswer(this.store, { type: r.type, name: r.name, contentType: req.headers['content-type'], query: url.searchParams, body, now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
    return writeAnswer(req, res, answer, fault);
  }

  answer(r: Route, url: URL, user: string, accept: string | undefined, fault: Fault): Answer {
    if (fault.forbidden) {
      const t = routeTarget(r);
      const verb = r.kind === 'list' ? 'list' : 'get';
      return { code: 403, body: forbiddenStatus(user, verb, t.type, t.subresource, t.namespace, t.name, url.pathname) };
    }
    const spoiled = faultAnswer(fault);
    if (spoiled) return spoiled;
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') {
      return { code: 400, body: badRequest('watch is not supported by this fake API server') };
    }
    switch (r.kind) {
      case 'version':
        return { code: 200, body: this.version };
      case 'api':
        return {
          code: 200,
          body: {
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }],
          },
        };
      case 'apis': {
        const groups = [...new Set(RESOURCE_TYPES.filter((t) => t.group && (!t.crd || this.installedCrds.has(t.group))).map((t) => t.group))];
        return { code: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupBody) } };
      }
      case 'group':
        return { code: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...groupBody(r.group) } };
      case 'resourceList':
        return { code: 200, body: resourceListBody(r.group, r.version) };
      case 'list':
        return this.list(r, url.searchParams, accept, fault);
      case 'get':
        return this.get(r, accept);
      case 'nodeProxy':
        return nodeProxy(r, this.store, this.kubelets);
      default:
        return { code: 404, body: NOT_FOUND_PATH() };
    }
  }

  /** Is this route served here? Paths of a custom resource whose CRD is not installed are not. */
  serves(r: Route): boolean {
    const installed = this.installedCrds;
    if (r.kind === 'group' || r.kind === 'resourceList') return !RESOURCE_TYPES.some((t) => t.group === r.group && t.crd) || installed.has(r.group);
    if (r.kind === 'list' || r.kind === 'get') return !r.type.crd || installed.has(r.type.group);
    return true;
  }

  get(r: GetRoute, accept: string | undefined): Answer {
    const rep = negotiate(accept, false);
    if (!rep) return notAcceptable();
    const found = this.store.get(r.type, r.namespace, r.name);
    if (!found) return { code: 404, body: notFoundObject(r.type, r.name) };
    if (rep === 'full') return { code: 200, body: found.obj };
    return {
      code: 200,
      contentType: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
      body: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: found.obj.metadata },
    };
  }

  list(r: ListRoute, query: URLSearchParams, accept: string | undefined, fault: Fault): Answer {
    const rep = negotiate(accept, true);
    if (!rep) return notAcceptable();
    let labelReqs: LabelReq[];
    let fieldReqs: FieldReq[];
    try {
      labelReqs = parseLabelSelector(query.get('labelSelector') ?? '');
      fieldReqs = parseFieldSelector(query.get('fieldSelector') ?? '', r.type);
    } catch (err) {
      return { code: 400, body: badRequest((err as Error).message) };
    }
    const start = continuation(query, fault, this.store.revision, this.compactedRevision);
    if ('code' in start) return start;
    const page = listPage(this.store.list(r.type, r.namespace), start, labelReqs, fieldReqs, query.get('limit'), this.opts.maxPageSize);
    if (fault.endlessContinue) page.metadata.continue = restartToken(start.rv);
    if (fault.broken === 'wrongKind') {
      return { code: 200, body: { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: page.metadata, columnDefinitions: [{ name: 'Name', type: 'string' }], rows: [] } };
    }
    if (rep === 'partial' && !fault.fullObjects) {
      return {
        code: 200,
        contentType: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
        body: {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: page.metadata,
          items: page.items.map((s) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: s.obj.metadata })),
        },
      };
    }
    return {
      code: 200,
      body: {
        kind: `${r.type.kind}List`,
        apiVersion: groupVersionOf(r.type),
        metadata: page.metadata,
        // Typed lists omit kind/apiVersion on their items.
        items: page.items.map((s) => stripTypeMeta(s.obj)),
      },
    };
  }
}

export async function startFakeApiServer(opts: FakeApiServerOptions): Promise<FakeApiServer> {
  const pki = opts.pki ?? createServerPki();
  const impl = new FakeApiServerImpl(opts);

  const server = https.createServer(
    {
      key: pki.server.keyPem,
      cert: pki.server.certPem,
      ca: [pki.ca.certPem],
      requestCert: true,
      // We answer 401 ourselves, like kube-apiserver, instead of failing the handshake.
      rejectUnauthorized: false,
    },
    (req, res) => {
      impl.handle(req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        writeAnswer(req, res, { code: 500, body: status(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`) }, {});
      });
    },
  );
  server.on('connection', (s: Socket) => {
    impl.sockets.add(s);
    s.on('close', () => impl.sockets.delete(s));
  });
  server.on('tlsClientError', () => {
    /* a client that gave up during the handshake (e.g. it rejected our CA) */
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  impl.port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${impl.port}`;

  const clientCertificate = (user: string, groups?: readonly string[]): KeyPairPem =>
    createClientCertificate(pki.ca, { user, ...(groups ? { groups } : {}) });
  const kubeconfigEntry = (k: KubeconfigOptions): KubeconfigEntry => buildKubeconfigEntry(k, url, pki, impl.tokens, clientCertificate);

  return {
    url,
    port: impl.port,
    caPem: pki.ca.certPem,
    pki,
    requests: impl.requests,
    clearRequests: () => {
      impl.requests.length = 0;
    },
    faults: impl.faults,
    setFault: (key, fault) => {
      if (fault) impl.faults.set(key, fault);
      else impl.faults.delete(key);
    },
    clearFaults: () => impl.faults.clear(),
    setKubelet: (node, behaviour) => {
      if (behaviour === undefined) impl.kubelets.delete(node);
      else impl.kubelets.set(node, behaviour);
    },
    addToken: (token, identity) => {
      impl.tokens.set(token, typeof identity === 'string' ? { user: identity } : identity);
    },
    replaceObjects: (objects) => {
      const next = new ObjectStore(objects, opts.uidSeed ?? 'fake-apiserver', opts.baseTime ?? '2024-09-02T08:00:00Z');
      // Like a write to etcd: the revision moves on and continue tokens of older lists expire.
      next.revision = Math.max(next.revision, impl.store.revision + 1);
      impl.compactedRevision = impl.store.revision;
      impl.store = next;
    },
    compact: () => {
      impl.compactedRevision = impl.store.revision;
      impl.store.revision += 1;
    },
    clientCertificate,
    kubeconfigEntry,
    kubeconfig: (k) => {
      const e = kubeconfigEntry(k);
      return renderKubeconfig([e], e.context.name);
    },
    objectCount: (resource) => impl.store.count(resource),
    close: async () => {
      if (impl.closed) return;
      impl.closed = true;
      for (const t of impl.timers) clearTimeout(t);
      impl.timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of impl.sockets) s.destroy();
      await done;
    },
  };
}
