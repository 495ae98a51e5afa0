import type { Verdict } from '../../../core/types.js';
import { defineControl } from '../../define.js';
import { notApplicable } from '../../verdicts.js';
import { KUBE_PROXY_NEEDS, fileSource, flag, kubeProxies, volumeFor, withoutKubeProxy, type KubeProxy } from '../node/kube-proxy.js';
import { WORKER_FILES } from './file-control.js';

const EXPECTED = "0600 or stricter for the file that holds kube-proxy's credentials";
/** Mode of projected ConfigMap, Secret and projected volumes when defaultMode is unset. */
const DEFAULT_PROJECTED_MODE = 0o644;

type Volume = Record<string, unknown> & { name: string };

interface VolumeView {
  words: string;
  /** Field path of the mode that applies, for a projected volume. */
  modePath?: string;
  /** The node path, for a hostPath volume. */
  hostFile?: string;
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

function describe(kp: KubeProxy, volume: Volume, mountPath: string): VolumeView {
  const at = `${kp.specPath}.volumes[${volume.name}]`;
  const host = volume.hostPath as { path?: string } | undefined;
  if (host?.path) return { words: `volume ${volume.name}: hostPath ${host.path} mounted at ${mountPath}`, hostFile: host.path };
  for (const kind of ['configMap', 'secret', 'projected'] as const) {
    const source = volume[kind] as { name?: string; secretName?: string; defaultMode?: number; items?: Array<{ path?: string; mode?: number }> } | undefined;
    if (!source) continue;
    const mode = source.defaultMode === undefined ? `<unset> (means ${octal(DEFAULT_PROJECTED_MODE)})` : octal(source.defaultMode);
    const items = (source.items ?? []).flatMap((i) => (i.mode === undefined ? [] : [`, item ${i.path ?? '?'} mode ${octal(i.mode)}`])).join('');
    const name = source.name ?? source.secretName;
    return { words: `volume ${volume.name}: ${kind}${name ? ` ${name}` : ''} mounted at ${mountPath}, defaultMode ${mode}${items}`, modePath: `${at}.${kind}.defaultMode` };
  }
  return { words: `volume ${volume.name} mounted at ${mountPath}` };
}

/** Volumes that can hold a kubeconfig when its path is not on the command line. */
function projectedMounts(kp: KubeProxy): VolumeView[] {
  const mounts = (kp.container as { volumeMounts?: Array<{ name: string; mountPath: string }> }).volumeMounts ?? [];
  return mounts.flatMap((m) => {
    const volume = kp.spec.volumes?.find((v) => v.name === m.name);
    return volume && (volume.configMap || volume.secret || volume.projected) ? [describe(kp, volume, m.mountPath)] : [];
  });
}

function advice(views: readonly VolumeView[]): string {
  const hostFile = views.find((v) => v.hostFile)?.hostFile;
  if (hostFile) return `The kubeconfig is a host file: run \`stat -c %a ${hostFile}\` on every node; expect 600 or stricter.`;
  if (views.some((v) => v.modePath)) {
    return (
      'The kubeconfig reaches kube-proxy through a volume, not a host file: the mode shown is the mode the file gets inside the pod ' +
      "(and under /var/lib/kubelet/pods/ on the node). Judge it against what the file holds; kubeadm's kubeconfig.conf holds no key, " +
      "it points at the pod's service-account token."
    );
  }
  return 'No mounted volume visibly holds the kubeconfig: check the kube-proxy configuration and the node for where it lives.';
}

function judge(kp: KubeProxy): Verdict {
  const kubeconfig = flag(kp, 'kubeconfig');
  const config = flag(kp, 'config');
  if (!kubeconfig && !config) {
    return notApplicable(kp.resource, 'kube-proxy has neither --kubeconfig nor --config: it uses its in-cluster service-account credentials, not a kubeconfig file');
  }
  let views: VolumeView[];
  let located: string;
  if (kubeconfig) {
    const found = volumeFor(kp, kubeconfig.value);
    views = found ? [describe(kp, found.volume, found.mountPath)] : [];
    located = `--kubeconfig=${kubeconfig.value}`;
  } else {
    views = projectedMounts(kp);
    located = `named inside the --config file ${config?.value ?? ''} (${config ? fileSource(kp, config.value) : ''})`;
  }
  const single = views.length === 1 ? views[0] : undefined;
  return {
    status: 'manual',
    resource: kp.resource,
    evidence: {
      path: single?.modePath ?? kubeconfig?.path ?? `${kp.specPath}.volumes`,
      observed: `kubeconfig ${located}; ${views.map((v) => v.words).join('; ') || 'no mounted volume holds it'}`,
      expected: EXPECTED,
    },
    message: advice(views),
  };
}

export default defineControl({
  id: 'CIS-4.1.3',
  refs: { cis: '4.1.3' },
  title: 'kube-proxy kubeconfig is mode 600 or stricter (when it is a host file)',
  section: WORKER_FILES,
  severity: 'medium',
  level: 'L1',
  frameworks: ['cis-1.12'],
  manual:
    "The benchmark asks for the mode of kube-proxy's kubeconfig on each node, which the API cannot show. complyd reports where the " +
    'kube-proxy DaemonSet (or static pod) takes it from: a hostPath volume is a host file, to check with `stat -c %a` on every node ' +
    '(600 or stricter); a ConfigMap or Secret volume is written by the kubelet with the volume defaultMode shown (unset means 0644). ' +
    'k3s embeds kube-proxy: check /var/lib/rancher/k3s/agent/kubeproxy.kubeconfig on the nodes.',
  needs: KUBE_PROXY_NEEDS,
  rationale: "The kubeconfig carries kube-proxy's API credentials; a readable copy lets a local user act as kube-proxy, which watches every Service and EndpointSlice.",
  remediation: 'chmod 600 on the kube-proxy kubeconfig host file on each node, or set defaultMode: 0600 (384) on the volume that projects it.',
  evaluate: (ctx) => {
    const proxies = kubeProxies(ctx);
    if (proxies.length === 0) return withoutKubeProxy(ctx, 'run `stat -c %a /var/lib/rancher/k3s/agent/kubeproxy.kubeconfig` on every node; expect 600 or stricter');
    return proxies.map(judge);
  },
});
