import type { KubeObject, Status } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { normalizeObject, RESOURCE_OF_KIND } from '../../src/collect/normalize.js';
import { NOW, snapshotOf } from './pss-helpers.js';

/**
 * The edge cases of ADR 0029: small workloads, the verdict complyd gives each one, and the
 * verdict Polaris and Kubescape reach on the same input as their rules read (Polaris's
 * checks, Kubescape's controls). Where complyd parts from a scanner, the control's rationale
 * must say so: the row names the words it must contain.
 */

type Verdict = 'pass' | 'fail' | 'n/a';
type Spec = Record<string, unknown>;

const IMAGE = 'registry.example.com/team/app:1.2.3';
const RESOURCES = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } };

function deployment(spec: Spec): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', namespace: 'team' }, spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec } } };
}
const pod = (spec: Spec): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w', namespace: 'team', labels: { app: 'w' } }, spec });
const job = (spec: Spec): KubeObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'w', namespace: 'team' }, spec: { template: { spec } } });
const limitRange: KubeObject = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'team' }, spec: { limits: [{ type: 'Container', default: { cpu: '1', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] } };
const policy = (name: string, spec: Spec): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'team' }, spec });
const app = (extra: Spec = {}): Spec => ({ name: 'app', image: IMAGE, ...extra });
const configMap = (fields: Spec): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'team' }, ...fields });

interface Row {
  name: string;
  control: string;
  objects: KubeObject[];
  complyd: Verdict;
  polaris: Verdict;
  kubescape: Verdict;
  /** Words the rationale holds, where complyd's verdict differs from a scanner's. */
  written?: string;
}

const ROWS: Row[] = [
  // Resources: Polaris's four Missing checks, Kubescape C-0004/C-0050 (and C-0270/C-0271 in its NSA framework).
  { name: 'a LimitRange default only', control: 'HARD-memory-requests-limits', objects: [deployment({ containers: [app()] }), limitRange], complyd: 'pass', polaris: 'fail', kubescape: 'fail', written: 'relying on a LimitRange' },
  { name: 'pod-level resources only', control: 'HARD-cpu-requests-limits', objects: [deployment({ resources: RESOURCES, containers: [app()] })], complyd: 'pass', polaris: 'fail', kubescape: 'fail', written: 'pod-level resources (spec.resources, 1.32+)' },
  { name: 'a limit only', control: 'HARD-cpu-requests-limits', objects: [deployment({ containers: [app({ resources: { limits: { cpu: '1' } } })] })], complyd: 'pass', polaris: 'fail', kubescape: 'fail', written: 'fail a container with only a limit' },
  { name: 'an init container without resources', control: 'HARD-memory-requests-limits', objects: [deployment({ containers: [app({ resources: RESOURCES })], initContainers: [app({ name: 'init' })] })], complyd: 'fail', polaris: 'pass', kubescape: 'pass', written: 'Polaris and Kubescape judge regular containers only' },
  { name: 'zero quantities', control: 'HARD-memory-requests-limits', objects: [deployment({ containers: [app({ resources: { requests: { memory: '0' }, limits: { memory: '0' } } })] })], complyd: 'fail', polaris: 'pass', kubescape: 'pass', written: 'A zero quantity counts as unset' },
  { name: 'both set', control: 'HARD-cpu-requests-limits', objects: [deployment({ containers: [app({ resources: RESOURCES })] })], complyd: 'pass', polaris: 'pass', kubescape: 'pass' },
  // Probes: Polaris livenessProbeMissing/readinessProbeMissing, Kubescape C-0056/C-0018.
  { name: 'a Job without probes', control: 'REL-liveness-probe', objects: [job({ restartPolicy: 'Never', containers: [app()] })], complyd: 'n/a', polaris: 'n/a', kubescape: 'fail', written: 'which judge Jobs and CronJobs too' },
  { name: 'a bare pod with restartPolicy Never', control: 'REL-readiness-probe', objects: [pod({ restartPolicy: 'Never', containers: [app()] })], complyd: 'n/a', polaris: 'fail', kubescape: 'fail', written: 'restartPolicy is Never or OnFailure' },
  { name: 'a native sidecar without probes', control: 'REL-liveness-probe', objects: [deployment({ containers: [app({ livenessProbe: { tcpSocket: { port: 80 } } })], initContainers: [app({ name: 'proxy', restartPolicy: 'Always' })] })], complyd: 'fail', polaris: 'pass', kubescape: 'pass', written: 'Polaris skips every init container, sidecars included, and Kubescape reads regular containers only' },
  { name: 'a startupProbe only', control: 'REL-readiness-probe', objects: [deployment({ containers: [app({ startupProbe: { tcpSocket: { port: 80 } } })] })], complyd: 'fail', polaris: 'fail', kubescape: 'fail' },
  { name: 'a plain init container without probes', control: 'REL-readiness-probe', objects: [deployment({ containers: [app({ readinessProbe: { tcpSocket: { port: 80 } } })], initContainers: [app({ name: 'migrate' })] })], complyd: 'pass', polaris: 'pass', kubescape: 'pass' },
  // Image tag: Polaris tagNotSpecified (Kubescape C-0075 only with a pull policy, next block).
  { name: 'a registry port and no tag', control: 'HARD-image-tag', objects: [deployment({ containers: [app({ image: 'registry:5000/team/app' })] })], complyd: 'fail', polaris: 'pass', kubescape: 'n/a', written: 'the colon belongs to the registry port' },
  { name: 'latest', control: 'HARD-image-tag', objects: [deployment({ containers: [app({ image: 'nginx:latest' })] })], complyd: 'fail', polaris: 'fail', kubescape: 'n/a' },
  { name: 'a digest without a tag', control: 'HARD-image-tag', objects: [deployment({ containers: [app({ image: 'nginx@sha256:0123abcd' })] })], complyd: 'pass', polaris: 'pass', kubescape: 'n/a' },
  { name: 'an upper-case LATEST tag', control: 'HARD-image-tag', objects: [deployment({ containers: [app({ image: 'nginx:LATEST' })] })], complyd: 'pass', polaris: 'pass', kubescape: 'n/a' },
  // Pull policy: Polaris pullPolicyNotAlways, Kubescape C-0075.
  { name: 'latest pinned by digest, IfNotPresent', control: 'HARD-image-pull-policy', objects: [deployment({ containers: [app({ image: 'nginx:latest@sha256:0123abcd', imagePullPolicy: 'IfNotPresent' })] })], complyd: 'pass', polaris: 'fail', kubescape: 'fail', written: 'where Kubescape C-0075 fails it' },
  { name: 'a version tag, policy unset', control: 'HARD-image-pull-policy', objects: [deployment({ containers: [app()] })], complyd: 'pass', polaris: 'fail', kubescape: 'pass', written: 'Polaris (pullPolicyNotAlways) asks for Always on every image' },
  { name: 'no tag, IfNotPresent', control: 'HARD-image-pull-policy', objects: [deployment({ containers: [app({ image: 'nginx', imagePullPolicy: 'IfNotPresent' })] })], complyd: 'fail', polaris: 'fail', kubescape: 'fail' },
  // Read-only root filesystem: Polaris notReadOnlyRootFilesystem, Kubescape C-0017.
  { name: 'readOnlyRootFilesystem on the pod only', control: 'HARD-read-only-root-filesystem', objects: [deployment({ securityContext: { readOnlyRootFilesystem: true }, containers: [app()] })], complyd: 'fail', polaris: 'pass', kubescape: 'fail', written: 'Polaris (notReadOnlyRootFilesystem) accepts it on the pod' },
  { name: 'an ephemeral container of a bare pod', control: 'HARD-read-only-root-filesystem', objects: [pod({ containers: [app({ securityContext: { readOnlyRootFilesystem: true } })], ephemeralContainers: [app({ name: 'debug' })] })], complyd: 'fail', polaris: 'pass', kubescape: 'fail', written: 'Polaris no ephemeral ones' },
  // Literal credentials: Polaris sensitiveContainerEnvVar, Kubescape C-0012.
  { name: 'TOKEN_TTL as a literal', control: 'HARD-env-literal-credentials', objects: [deployment({ containers: [app({ env: [{ name: 'TOKEN_TTL', value: '1h' }] })] })], complyd: 'pass', polaris: 'fail', kubescape: 'fail', written: 'TOKEN_TTL and PASSWORD_FILE included, which complyd reads as settings' },
  { name: 'MYSQL_PWD as a literal', control: 'HARD-env-literal-credentials', objects: [deployment({ containers: [app({ env: [{ name: 'MYSQL_PWD', value: 'pw' }] })] })], complyd: 'fail', polaris: 'pass', kubescape: 'fail', written: 'passes pwd (MYSQL_PWD)' },
  { name: 'DB_PASSWORD from a Secret', control: 'HARD-env-literal-credentials', objects: [deployment({ containers: [app({ env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } }] })] })], complyd: 'pass', polaris: 'pass', kubescape: 'pass' },
  // ConfigMap credentials: Polaris sensitiveConfigmapContent, Kubescape C-0012.
  { name: 'a password key in binaryData', control: 'HARD-configmap-literal-credentials', objects: [configMap({ binaryData: { db_password: Buffer.from('pw').toString('base64') } })], complyd: 'fail', polaris: 'pass', kubescape: 'pass', written: 'read key names in data only, never binaryData' },
  { name: 'a TOKEN_TTL setting', control: 'HARD-configmap-literal-credentials', objects: [configMap({ data: { TOKEN_TTL: '1h' } })], complyd: 'pass', polaris: 'fail', kubescape: 'fail', written: 'TOKEN_TTL fails there' },
  // NetworkPolicy: Polaris missingNetworkPolicy, Kubescape C-0260.
  { name: 'an Egress policy only', control: 'HARD-network-ingress-isolation', objects: [deployment({ containers: [app()] }), policy('egress', { podSelector: { matchLabels: { app: 'w' } }, policyTypes: ['Egress'] })], complyd: 'fail', polaris: 'fail', kubescape: 'pass', written: 'a workload selected only by an Egress policy passes there' },
  { name: 'a namespace default deny', control: 'HARD-network-ingress-isolation', objects: [deployment({ containers: [app()] }), policy('deny', { podSelector: {}, policyTypes: ['Ingress'] })], complyd: 'pass', polaris: 'fail', kubescape: 'pass', written: 'fails pods isolated by a namespace default deny' },
  { name: 'a podSelector of matchExpressions that selects the pods', control: 'HARD-network-ingress-isolation', objects: [deployment({ containers: [app()] }), policy('web', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['w'] }] }, policyTypes: ['Ingress'] })], complyd: 'pass', polaris: 'fail', kubescape: 'fail', written: 'a policy selecting by matchExpressions alone selects no workload there' },
  { name: 'a podSelector of matchExpressions that selects nothing', control: 'HARD-network-ingress-isolation', objects: [deployment({ containers: [app()] }), policy('db', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] }, policyTypes: ['Ingress'] })], complyd: 'fail', polaris: 'fail', kubescape: 'fail' },
];

/** One verdict per input, as the scanners report per workload: any failure fails it. */
function complydVerdict(control: string, objects: KubeObject[]): Verdict {
  const c = CONTROLS.find((x) => x.id === control);
  if (!c) throw new Error(control);
  const normal = objects.map((o) => {
    const resource = RESOURCE_OF_KIND[o.kind];
    if (!resource) throw new Error(o.kind);
    return normalizeObject(o, resource);
  });
  const statuses = new Set<Status>(evaluate(snapshotOf(normal), [c], NOW).map((f) => f.status));
  if (statuses.has('fail')) return 'fail';
  if (statuses.has('pass')) return 'pass';
  if (statuses.size === 1 && statuses.has('not-applicable')) return 'n/a';
  throw new Error(`${control}: ${[...statuses].join(', ')}`);
}

describe('hardening verdicts beside Polaris and Kubescape (ADR 0029)', () => {
  it.each(ROWS)('$control on $name', (row) => {
    expect(complydVerdict(row.control, row.objects)).toBe(row.complyd);
    const differs = (row.polaris !== 'n/a' && row.polaris !== row.complyd) || (row.kubescape !== 'n/a' && row.kubescape !== row.complyd);
    const rationale = CONTROLS.find((c) => c.id === row.control)?.rationale ?? '';
    if (differs) {
      expect(row.written).toBeDefined();
      expect(rationale).toContain(row.written);
    }
  });
});
