import { fileControl, WORKER_FILES, type FileItem } from './file-control.js';

/** CIS 4.1.x items that are purely manual (4.1.3 is partial: see kube-proxy-kubeconfig.ts). */
const item = (i: FileItem) => fileControl(WORKER_FILES, i);

export const kubeletUnitMode = item({
  cis: '4.1.1',
  title: 'Kubelet systemd unit files are mode 600 or stricter',
  severity: 'medium',
  manual:
    'On every node run `systemctl cat kubelet` to list the unit and its drop-ins (kubeadm packages: ' +
    '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf, older ones /etc/systemd/system/kubelet.service.d/10-kubeadm.conf), ' +
    'then `stat -c %a` on each file; expect 600 or stricter. Unit files belong to systemd on the host; the kubelet reports none of them.',
  rationale: 'The unit and its drop-ins carry the kubelet command line: whoever changes them changes the flags, and with them the authentication of the node.',
  remediation: 'chmod 600 on the kubelet unit file and every drop-in on each node, then systemctl daemon-reload.',
});

export const kubeletUnitOwner = item({
  cis: '4.1.2',
  title: 'Kubelet systemd unit files are owned by root:root',
  severity: 'medium',
  manual:
    'On every node run `stat -c %U:%G` on each file `systemctl cat kubelet` lists; expect root:root. Host file ownership is not part of the API.',
  rationale: 'A non-root owner of the unit can start the kubelet with any flags.',
  remediation: 'chown root:root on the kubelet unit file and its drop-ins on each node.',
});

export const kubeProxyKubeconfigOwner = item({
  cis: '4.1.4',
  title: 'kube-proxy kubeconfig is owned by root:root (when it is a host file)',
  severity: 'medium',
  manual:
    'Look at the kube-proxy DaemonSet (CIS-4.1.3 reports its volumes). When the kubeconfig comes from a ConfigMap (kubeadm, EKS) the ' +
    'kubelet writes the projected file as root and this item holds unless the pod sets fsGroup. When it is a host file (a hostPath ' +
    'volume, kops, hand-built clusters; k3s: /var/lib/rancher/k3s/agent/kubeproxy.kubeconfig), run `stat -c %U:%G <file>` on every ' +
    'node; expect root:root. The API shows the volume, never the owner of a host file.',
  rationale: "A non-root owner of kube-proxy's kubeconfig can point kube-proxy at another API server or reuse its credentials.",
  remediation: 'chown root:root on the kube-proxy kubeconfig file on each node.',
});

export const kubeletKubeconfigMode = item({
  cis: '4.1.5',
  title: 'Kubelet kubeconfig is mode 600 or stricter',
  severity: 'high',
  manual:
    'On every node run `stat -c %a /etc/kubernetes/kubelet.conf` (kubeadm; elsewhere the file named by the kubelet --kubeconfig ' +
    'flag, see `ps -o args= -C kubelet`); expect 600 or stricter. --kubeconfig is a command-line flag, so configz does not show even the path.',
  rationale: "The file gives the node's identity (system:node:<name>): with it a local user can read every Secret used by pods on that node.",
  remediation: 'chmod 600 /etc/kubernetes/kubelet.conf on each node.',
});

export const kubeletKubeconfigOwner = item({
  cis: '4.1.6',
  title: 'Kubelet kubeconfig is owned by root:root',
  severity: 'high',
  manual:
    'On every node run `stat -c %U:%G /etc/kubernetes/kubelet.conf` (or the file named by the kubelet --kubeconfig flag); expect root:root. ' +
    'Neither the path nor the owner is visible through the API.',
  rationale: 'A non-root owner of the file holds the node credentials.',
  remediation: 'chown root:root /etc/kubernetes/kubelet.conf on each node.',
});

export const clientCaMode = item({
  cis: '4.1.7',
  title: 'Kubelet client CA file is mode 644 or stricter',
  severity: 'medium',
  manual:
    "The path is visible: it is authentication.x509.clientCAFile in each node's configz (CIS-4.2.3 reports it; kubeadm: " +
    '/etc/kubernetes/pki/ca.crt). Its mode is not: on every node run `stat -c %a <that file>`; expect 644 or stricter.',
  rationale: 'Whoever can rewrite the client CA bundle decides which client certificates the kubelet accepts, and can add a CA of their own.',
  remediation: "chmod 644 on the file named by the kubelet's clientCAFile on each node.",
});

export const clientCaOwner = item({
  cis: '4.1.8',
  title: 'Kubelet client CA file is owned by root:root',
  severity: 'medium',
  manual:
    "On every node run `stat -c %U:%G` on the file named by authentication.x509.clientCAFile in that node's configz (CIS-4.2.3 shows " +
    'the path); expect root:root. The owner of the file is not visible through the API.',
  rationale: 'A non-root owner of the CA bundle can make the kubelet trust certificates of their choosing.',
  remediation: "chown root:root on the file named by the kubelet's clientCAFile on each node.",
});

export const kubeletConfigMode = item({
  cis: '4.1.9',
  title: 'Kubelet config file is mode 600 or stricter',
  severity: 'medium',
  manual:
    'On every node run `stat -c %a /var/lib/kubelet/config.yaml` (kubeadm; otherwise the file named by the kubelet --config flag, see ' +
    '`ps -o args= -C kubelet`); expect 600 or stricter. configz shows the settings that file produced, not the file or its path.',
  rationale: 'The config file sets kubelet authentication, authorization and TLS; a readable copy discloses them and a writable one changes them.',
  remediation: 'chmod 600 /var/lib/kubelet/config.yaml on each node.',
});

export const kubeletConfigOwner = item({
  cis: '4.1.10',
  title: 'Kubelet config file is owned by root:root',
  severity: 'medium',
  manual:
    'On every node run `stat -c %U:%G /var/lib/kubelet/config.yaml` (or the file named by the kubelet --config flag); expect root:root. ' +
    'The --config path is a command-line flag that configz does not carry.',
  rationale: 'A non-root owner of the config file can turn off kubelet authentication at the next restart.',
  remediation: 'chown root:root /var/lib/kubelet/config.yaml on each node.',
});
