import type { KubeObject, Verdict } from '../../../core/types.js';
import { defineControl } from '../../define.js';
import { KUBELET_SECTION, nodeRef } from './configz.js';

const LABEL = 'kubernetes.io/hostname';
const PATH = `metadata.name, metadata.labels[${LABEL}], status.addresses[Hostname]`;
const EXPECTED = 'the same name in all three; a difference hints at --hostname-override or cloud-provider naming';

function hostnameAddress(node: KubeObject): string | undefined {
  const addresses = node.status?.addresses;
  if (!Array.isArray(addresses)) return undefined;
  const found = (addresses as Array<{ type?: unknown; address?: unknown }>).find((a) => a.type === 'Hostname');
  return typeof found?.address === 'string' ? found.address : undefined;
}

/** Evidence for a person: the names a node carries, and whether they agree. */
function names(node: KubeObject): Verdict {
  const name = node.metadata.name;
  const label = node.metadata.labels?.[LABEL];
  const hostname = hostnameAddress(node);
  const differing = [label, hostname].filter((n): n is string => n !== undefined && n !== name);
  const message =
    differing.length > 0
      ? `Suspect: node ${name} is also known as ${[...new Set(differing)].join(', ')}. Either the kubelet runs with ` +
        '--hostname-override or a cloud provider names the node; check the kubelet command line on the node.'
      : `No sign of an override on node ${name}, but the API cannot rule one out (an overridden name propagates to the label ` +
        'and the Hostname address); check the kubelet command line on the node.';
  return {
    status: 'manual',
    resource: nodeRef(name),
    evidence: { path: PATH, observed: `${name}, ${label ?? '<unset>'}, ${hostname ?? '<none>'}`, expected: EXPECTED },
    message,
  };
}

export default defineControl({
  id: 'CIS-4.2.7',
  refs: { cis: '4.2.7', kubescape: ['C-0179'] },
  title: 'Kubelet keeps the host name it was given by the OS',
  section: KUBELET_SECTION,
  severity: 'low',
  level: 'L1',
  frameworks: ['cis-1.12'],
  manual:
    '--hostname-override is a kubelet command-line flag, not a configuration field, so configz does not carry it. complyd ' +
    'compares each Node name with its kubernetes.io/hostname label and Hostname address and flags a mismatch as suspect; ' +
    'agreement proves nothing, because the kubelet labels and addresses the node with the overridden name too. On each node ' +
    'run `systemctl cat kubelet` (or `ps -o args= -C kubelet`) and look for --hostname-override. Cloud setups (EKS, for ' +
    'one) set it on purpose to the instance DNS name; that is acceptable when the cloud provider requires it.',
  needs: ['nodes'],
  rationale:
    'An overridden host name can make TLS between the API server and the kubelet fail or push operators into turning ' +
    'verification off, and it breaks the link between a Node object and the machine it describes.',
  remediation: 'Remove --hostname-override from the kubelet command line (systemd drop-in or KUBELET_EXTRA_ARGS) unless the cloud provider requires it, and restart the kubelet.',
  evaluate: (ctx) => ctx.objects('nodes').map(names),
});
