/** The fake API server's public types: its options, faults, request log and handle. */
import type { KeyPairPem, ServerPki } from '../certs.js';

/** An API-shaped object as given in a fixture (apiVersion, kind, metadata, spec...). */
export type ApiObject = Record<string, unknown>;

/** `GET /version`, as kube-apiserver answers it. */
export interface ServerVersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/**
 * What to do to requests that match a fault key. Several matching faults are merged
 * (later keys win). `users` narrows a fault to those user names.
 */
export interface Fault {
  /** 403 Forbidden, with the RBAC authorizer's message. */
  forbidden?: boolean;
  /** Wait this long before answering (the answer is then whatever it would have been). */
  delayMs?: number;
  /**
   * status500: InternalError Status; malformed: 200 with invalid JSON (cut in half); reset:
   * socket destroyed mid-body; html: 200 `text/html` (a login portal or a proxy's page);
   * contentType: the right JSON sent as `text/plain`; wrongKind: 200 JSON of another kind
   * (a `Table`) where a list was asked.
   */
  broken?: 'status500' | 'malformed' | 'reset' | 'html' | 'contentType' | 'wrongKind';
  /** Any request carrying a continue token answers 410 Expired. */
  expireContinue?: boolean;
  /** Lists answer full objects even when metadata only is asked for (a non-conforming server or proxy). */
  fullObjects?: boolean;
  /** Every list page carries a continue token that starts the list again: it never ends. */
  endlessContinue?: boolean;
  /**
   * A 200 list answer of this many bytes (or more), padded with filler items and sent in
   * chunks without Content-Length, as a huge list would be.
   */
  oversizeBytes?: number;
  /** 429 Too Many Requests, as priority and fairness answers, with this Retry-After header (seconds or an HTTP date). */
  throttle?: { retryAfter?: string };
  /** Answer with this 5xx status (a Status body; 503 with Retry-After: 1). */
  serverError?: 500 | 502 | 503 | 504;
  /** The fault applies to the first `times` matching requests only, then is spent (a burst, a storm that passes). */
  times?: number;
  /** Only for these users (all users when absent). */
  users?: readonly string[];
  /**
   * Only for requests of these verbs (`get`, `list`, `patch`; all when absent): a forbidden
   * fault with `verbs: ['patch']` is an RBAC role that reads but does not write.
   */
  verbs?: readonly string[];
}

/**
 * How a node's kubelet answers `/configz` through the API server proxy:
 * an object is the `kubeletconfig` it returns; 'disabled' is a kubelet with
 * `enableDebuggingHandlers: false` (405 `Debug endpoints are disabled.`);
 * 'unreachable' is an API server that cannot dial the kubelet (503).
 */
export type KubeletBehaviour = Record<string, unknown> | 'disabled' | 'unreachable';

export interface TokenIdentity {
  user: string;
  groups?: readonly string[];
}

export interface FakeApiServerOptions {
  /** The objects to serve. Kinds must be in {@link RESOURCE_TYPES}. */
  objects: readonly ApiObject[];
  /** Overrides of the default version info (v1.31.4, linux/amd64). */
  version?: Partial<ServerVersionInfo>;
  /** Bearer token -> user name (or user and groups). */
  tokens?: Readonly<Record<string, string | TokenIdentity>>;
  /** Reuse a CA + serving certificate (generating keys takes ~100 ms). */
  pki?: ServerPki;
  /** Port to listen on; 0 (default) picks a free one. Always 127.0.0.1. */
  port?: number;
  /** The server never returns more items than this in one list page, even without `limit`. */
  maxPageSize?: number;
  /**
   * Faults by key. A key is a resource name (`secrets`), a qualified one
   * (`deployments.apps`), a subresource (`nodes/proxy`), `*` for every request, or a
   * path fragment starting with `/` (`/api/v1/namespaces/payments/`).
   */
  faults?: Readonly<Record<string, Fault>>;
  /** Per-node kubelet `/configz` behaviour; nodes not named get a default config. */
  kubelets?: Readonly<Record<string, KubeletBehaviour>>;
  /** Seed for the deterministic uids filled in where fixtures lack one (e.g. the cluster name). */
  uidSeed?: string;
  /** creationTimestamp filled in where fixtures lack one. Default 2024-09-02T08:00:00Z. */
  baseTime?: string;
  /**
   * API groups of the CustomResourceDefinitions installed (`cilium.io`). A CRD resource is served
   * only when its group is installed, or when objects of it are given; else its paths are 404,
   * as on a cluster without it.
   */
  crds?: readonly string[];
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  accept?: string;
  /** The authenticated user, when authentication succeeded. */
  user?: string;
  /** The HTTP status sent (0 when the socket was reset before one was sent). */
  status: number;
}

export interface KubeconfigOptions {
  /** The identity to authenticate as. */
  user: string;
  /** Bearer token; when neither token nor clientCert is given, a token registered for `user` is used. */
  token?: string;
  /** true: a fresh client certificate for `user`/`groups`, signed by the server's CA; or the PEM pair to use. */
  clientCert?: boolean | KeyPairPem;
  groups?: readonly string[];
  contextName?: string;
  clusterName?: string;
  /** Name of the kubeconfig `users[]` entry; defaults to `user`. */
  authInfoName?: string;
  namespace?: string;
  /** Server URL override (e.g. a closed port). */
  server?: string;
  /** CA override; null leaves certificate-authority-data out. */
  caPem?: string | null;
  insecureSkipTlsVerify?: boolean;
}

/** One cluster + user + context triple, to merge several into one kubeconfig file. */
export interface KubeconfigEntry {
  cluster: { name: string; cluster: Record<string, unknown> };
  user: { name: string; user: Record<string, unknown> };
  context: { name: string; context: Record<string, unknown> };
}

export interface FakeApiServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The CA that signed the serving certificate (and the client certificates it accepts). */
  readonly caPem: string;
  readonly pki: ServerPki;
  /** Every request received, in order. Tokens are never recorded. */
  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
  readonly faults: ReadonlyMap<string, Fault>;
  /** Set (or with undefined, remove) the fault for a key. */
  setFault(key: string, fault: Fault | undefined): void;
  clearFaults(): void;
  /** Change how a node's kubelet answers `/configz` (undefined: default config). */
  setKubelet(node: string, behaviour: KubeletBehaviour | undefined): void;
  /** Register another bearer token. */
  addToken(token: string, identity: string | TokenIdentity): void;
  /**
   * Serve these objects from now on (validated like the initial ones), as if the cluster had
   * changed: the revision moves on and continue tokens issued before answer 410.
   */
  replaceObjects(objects: readonly ApiObject[]): void;
  /** Simulate an etcd compaction: every continue token issued so far answers 410. */
  compact(): void;
  /** A client certificate signed by this server's CA. */
  clientCertificate(user: string, groups?: readonly string[]): KeyPairPem;
  kubeconfigEntry(opts: KubeconfigOptions): KubeconfigEntry;
  /** A kubeconfig YAML with one cluster, user and context (the current one). */
  kubeconfig(opts: KubeconfigOptions): string;
  /** How many objects are served for a resource (e.g. `pods`), or in all. */
  objectCount(resource?: string): number;
  close(): Promise<void>;
}
