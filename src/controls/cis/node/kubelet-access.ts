import { kubeletControl, NSA_KUBELET, judgeField } from './configz.js';

/**
 * CIS 4.2.1–4.2.4: who may talk to the kubelet API. These are the settings whose defaults
 * differ between a kubelet started with a config file (safe) and one started from flags alone
 * (legacy: anonymous on, AlwaysAllow, read-only port 10255); configz shows the effective value.
 */

const anonymous = judgeField({
  path: 'authentication.anonymous.enabled',
  absent: 'always-reported',
  ok: (v) => v === false,
  expected: 'false (anonymous requests rejected)',
});

export const anonymousAuth = kubeletControl({
  id: 'CIS-4.2.1',
  refs: { cis: '4.2.1', nsa: NSA_KUBELET, kubescape: ['C-0172', 'C-0069'] },
  title: 'Kubelet refuses anonymous requests',
  severity: 'high',
  level: 'L1',
  frameworks: ['cis-1.12', 'nsa'],
  rationale:
    'With anonymous authentication on, any client that reaches port 10250 is served as system:anonymous, and only the ' +
    'authorization mode stands between it and pod logs, exec and port-forward on that node. ' +
    'complyd judges the effective value in configz: a config file that leaves the key out gets the safe default (false) and passes, ' +
    'where kube-bench, reading the file and the command line, fails the missing key.',
  remediation:
    'Set authentication.anonymous.enabled: false in the kubelet config file (or pass --anonymous-auth=false) and restart the ' +
    'kubelet. A kubelet started from flags alone, without --config, has anonymous access on by default.',
  judge: anonymous,
});

const authzMode = judgeField({
  path: 'authorization.mode',
  absent: 'always-reported',
  ok: (v) => typeof v === 'string' && v !== '' && v !== 'AlwaysAllow',
  expected: 'Webhook (any mode but AlwaysAllow)',
});

export const authorizationMode = kubeletControl({
  id: 'CIS-4.2.2',
  refs: { cis: '4.2.2', nsa: NSA_KUBELET, kubescape: ['C-0173'] },
  title: 'Kubelet authorizes requests instead of allowing all',
  severity: 'critical',
  level: 'L1',
  frameworks: ['cis-1.12', 'nsa'],
  rationale:
    'AlwaysAllow lets every authenticated caller (and every anonymous one, if anonymous access is on) run commands in any ' +
    'container of the node. Webhook mode asks the API server, so RBAC on nodes/proxy and friends decides. ' +
    'Judged from the effective value in configz: a config file without the key gets Webhook and passes (kube-bench fails the missing key).',
  remediation:
    'Set authorization.mode: Webhook and authentication.webhook.enabled: true in the kubelet config file (or --authorization-mode=Webhook) ' +
    'and restart the kubelet. A kubelet started from flags alone defaults to AlwaysAllow.',
  judge: authzMode,
});

const clientCa = judgeField({
  path: 'authentication.x509.clientCAFile',
  absent: { means: '', words: 'no client CA: client certificates are not checked' },
  ok: (v) => typeof v === 'string' && v.trim() !== '',
  expected: 'the path of the CA bundle that signs the API server client certificate',
});

export const clientCaFile = kubeletControl({
  id: 'CIS-4.2.3',
  refs: { cis: '4.2.3', nsa: NSA_KUBELET, kubescape: ['C-0174', 'C-0070'] },
  title: 'Kubelet verifies client certificates against a CA',
  severity: 'high',
  level: 'L1',
  frameworks: ['cis-1.12', 'nsa'],
  rationale:
    'Without a client CA the kubelet cannot authenticate the API server (or anyone else) by certificate; callers then have to ' +
    'be anonymous or bring a bearer token, and the link between API server and kubelet is not mutually authenticated.',
  remediation:
    'Set authentication.x509.clientCAFile to the cluster CA bundle (kubeadm: /etc/kubernetes/pki/ca.crt), or --client-ca-file, ' +
    'and restart the kubelet. Configure the API server with --kubelet-client-certificate and --kubelet-client-key to match.',
  judge: clientCa,
});

const readOnly = judgeField({
  path: 'readOnlyPort',
  absent: { means: 0, words: 'means 0: port closed' },
  ok: (v) => v === 0,
  expected: '0 (read-only port closed)',
});

export const readOnlyPort = kubeletControl({
  id: 'CIS-4.2.4',
  refs: { cis: '4.2.4', nsa: NSA_KUBELET, kubescape: ['C-0175'] },
  title: 'Kubelet read-only port is closed',
  severity: 'medium',
  level: 'L1',
  frameworks: ['cis-1.12', 'nsa'],
  rationale:
    'The read-only port (10255) answers without authentication or authorization: pod specs, with their environment variables, ' +
    'and node metrics are readable by anything that can reach the node.',
  remediation:
    'Set readOnlyPort: 0 in the kubelet config file (or --read-only-port=0) and restart the kubelet; scrape metrics from the ' +
    'authenticated port 10250 instead. A kubelet started from flags alone opens 10255 by default.',
  judge: readOnly,
});
