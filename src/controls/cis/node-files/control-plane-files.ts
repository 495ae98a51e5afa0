import type { CatalogControl } from '../../define.js';
import { CONTROL_PLANE_FILES, fileControl, type FileItem } from './file-control.js';

/**
 * CIS 1.1.1–1.1.21, in benchmark order. Paths are kubeadm's; other installers keep the same
 * files elsewhere, and the texts say which API object reveals the path where one does.
 */
const ITEMS: readonly FileItem[] = [
  {
    cis: '1.1.1',
    title: 'API server static pod manifest is mode 600 or stricter',
    severity: 'medium',
    manual:
      'On every control-plane node run `stat -c %a /etc/kubernetes/manifests/kube-apiserver.yaml`; expect 600 or stricter. The ' +
      "directory is the kubelet's staticPodPath, which that node's configz shows, and the mirror pod kube-system/kube-apiserver-<node> " +
      'proves the file exists, but no API object carries a file mode.',
    rationale:
      "Whoever can rewrite this manifest chooses the API server's flags, image and mounts at the kubelet's next sync; a world-readable copy also discloses them.",
    remediation: 'chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml on each control-plane node.',
  },
  {
    cis: '1.1.2',
    title: 'API server static pod manifest is owned by root:root',
    severity: 'medium',
    manual:
      'On every control-plane node run `stat -c %U:%G /etc/kubernetes/manifests/kube-apiserver.yaml`; expect root:root. The API shows ' +
      "the manifest directory (staticPodPath in the node's configz), never who owns the file.",
    rationale: 'A non-root owner can change the manifest, and with it how the API server runs, without any further privilege.',
    remediation: 'chown root:root /etc/kubernetes/manifests/kube-apiserver.yaml on each control-plane node.',
  },
  {
    cis: '1.1.3',
    title: 'Controller manager static pod manifest is mode 600 or stricter',
    severity: 'medium',
    manual:
      'On every control-plane node run `stat -c %a /etc/kubernetes/manifests/kube-controller-manager.yaml`; expect 600 or stricter. ' +
      'The mirror pod kube-system/kube-controller-manager-<node> shows the resulting flags, not the mode of the file they come from.',
    rationale:
      "The controller manager holds the service-account signing key and the cluster CA key; editing its manifest hands them to whoever edits it.",
    remediation: 'chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml on each control-plane node.',
  },
  {
    cis: '1.1.4',
    title: 'Controller manager static pod manifest is owned by root:root',
    severity: 'medium',
    manual:
      'On every control-plane node run `stat -c %U:%G /etc/kubernetes/manifests/kube-controller-manager.yaml`; expect root:root. File ' +
      'ownership on a node appears in no API object.',
    rationale: 'A non-root owner of the manifest can change the flags, image and mounts of the controller manager.',
    remediation: 'chown root:root /etc/kubernetes/manifests/kube-controller-manager.yaml on each control-plane node.',
  },
  {
    cis: '1.1.5',
    title: 'Scheduler static pod manifest is mode 600 or stricter',
    severity: 'medium',
    manual:
      'On every control-plane node run `stat -c %a /etc/kubernetes/manifests/kube-scheduler.yaml`; expect 600 or stricter. The mirror ' +
      'pod kube-system/kube-scheduler-<node> reveals the flags, not the file mode.',
    rationale: 'Changing the scheduler manifest lets a local user run an altered scheduler that places pods where it likes.',
    remediation: 'chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml on each control-plane node.',
  },
  {
    cis: '1.1.6',
    title: 'Scheduler static pod manifest is owned by root:root',
    severity: 'medium',
    manual:
      'On every control-plane node run `stat -c %U:%G /etc/kubernetes/manifests/kube-scheduler.yaml`; expect root:root. The API has no ' +
      'field for the owner of a file on a node.',
    rationale: 'A non-root owner of the manifest controls how the scheduler runs.',
    remediation: 'chown root:root /etc/kubernetes/manifests/kube-scheduler.yaml on each control-plane node.',
  },
  {
    cis: '1.1.7',
    title: 'etcd static pod manifest is mode 600 or stricter',
    severity: 'medium',
    manual:
      'On every control-plane node that runs stacked etcd run `stat -c %a /etc/kubernetes/manifests/etcd.yaml`; expect 600 or ' +
      'stricter. With external etcd, check its systemd unit or manifest on the etcd hosts instead. The mirror pod ' +
      'kube-system/etcd-<node> shows the flags only.',
    rationale: 'etcd holds every object of the cluster, Secrets included; its manifest decides its TLS settings and data directory.',
    remediation: 'chmod 600 /etc/kubernetes/manifests/etcd.yaml on each control-plane node.',
  },
  {
    cis: '1.1.8',
    title: 'etcd static pod manifest is owned by root:root',
    severity: 'medium',
    manual:
      'On every control-plane node that runs stacked etcd run `stat -c %U:%G /etc/kubernetes/manifests/etcd.yaml`; expect root:root ' +
      '(external etcd: its unit file on the etcd hosts). Owners of node files are not visible through the API.',
    rationale: 'A non-root owner of the etcd manifest can change how the cluster datastore runs and where it keeps its data.',
    remediation: 'chown root:root /etc/kubernetes/manifests/etcd.yaml on each control-plane node.',
  },
  {
    cis: '1.1.9',
    title: 'CNI configuration files are mode 600 or stricter',
    severity: 'medium',
    manual:
      'On every control-plane node run `find /etc/cni/net.d /var/lib/cni/networks -type f -perm /177`; it must print nothing. The ' +
      "CNI directory is a container runtime setting (containerd: conf_dir of the CRI plugin) that the API does not show; the CNI " +
      "plugin's DaemonSet hostPath volumes name the directories it writes, but not the modes of the files.",
    rationale: 'The CNI configuration decides how every pod is attached to the network; a local user who can change it can reroute or observe pod traffic.',
    remediation: 'chmod 600 on the files under /etc/cni/net.d and /var/lib/cni/networks on each control-plane node.',
  },
  {
    cis: '1.1.10',
    title: 'CNI configuration files are owned by root:root',
    severity: 'medium',
    manual:
      'On every control-plane node run `find /etc/cni/net.d /var/lib/cni/networks \\( ! -user root -o ! -group root \\)`; it must print ' +
      'nothing. File ownership on nodes is outside what the API exposes.',
    rationale: 'A non-root owner of the CNI files can change pod networking on the node.',
    remediation: 'chown root:root on the files under /etc/cni/net.d and /var/lib/cni/networks on each control-plane node.',
  },
  {
    cis: '1.1.11',
    title: 'etcd data directory is mode 700 or stricter',
    severity: 'high',
    manual:
      "The path is visible through the API: it is the --data-dir flag (or ETCD_DATA_DIR) of the etcd mirror pod kube-system/etcd-<node>, " +
      'kubeadm: /var/lib/etcd. Its mode is not. On every etcd member run `stat -c %a <data-dir>`; expect 700 or stricter.',
    rationale: 'The data directory holds the whole cluster state, Secrets included (in clear text unless encryption at rest is on); any local user who can read it can read them.',
    remediation: 'chmod 700 on the etcd data directory of each etcd member.',
  },
  {
    cis: '1.1.12',
    title: 'etcd data directory is owned by etcd:etcd',
    severity: 'medium',
    manual:
      'On every etcd member run `stat -c %U:%G <data-dir>` (the --data-dir flag of the etcd mirror pod shows the path); expect ' +
      'etcd:etcd. kubeadm runs stacked etcd as root and leaves the directory owned by root, so this item needs a dedicated etcd ' +
      'user that owns the directory.',
    rationale: 'A dedicated owner keeps the datastore apart from other services and accounts on the host.',
    remediation: 'Create an etcd system user and group, then chown -R etcd:etcd on the data directory of each etcd member.',
  },
  {
    cis: '1.1.13',
    title: 'Admin kubeconfig files are mode 600 or stricter',
    severity: 'high',
    manual:
      'On every control-plane node run `stat -c %a /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf` (super-admin.conf ' +
      'exists since kubeadm 1.29); expect 600 or stricter. These kubeconfigs are used by people and kubeadm, not by any pod, so ' +
      'no API object even names them.',
    rationale:
      'admin.conf carries a client certificate bound to cluster-admin, and super-admin.conf one in system:masters, which RBAC cannot restrict: reading either file is owning the cluster.',
    remediation: 'chmod 600 /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf on each control-plane node.',
  },
  {
    cis: '1.1.14',
    title: 'Admin kubeconfig files are owned by root:root',
    severity: 'high',
    manual:
      'On every control-plane node run `stat -c %U:%G /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf`; expect root:root. ' +
      'The API knows nothing about these files.',
    rationale: 'A non-root owner of an admin kubeconfig holds cluster-admin credentials.',
    remediation: 'chown root:root /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf on each control-plane node.',
  },
  {
    cis: '1.1.15',
    title: 'Scheduler kubeconfig is mode 600 or stricter',
    severity: 'medium',
    manual:
      'The path is visible: it is the --kubeconfig flag of the mirror pod kube-system/kube-scheduler-<node> (kubeadm: ' +
      '/etc/kubernetes/scheduler.conf). Its mode is not: on every control-plane node run `stat -c %a` on it; expect 600 or stricter.',
    rationale: "The file holds the scheduler's client credentials, which can bind any pod to any node.",
    remediation: 'chmod 600 /etc/kubernetes/scheduler.conf on each control-plane node.',
  },
  {
    cis: '1.1.16',
    title: 'Scheduler kubeconfig is owned by root:root',
    severity: 'medium',
    manual:
      'On every control-plane node run `stat -c %U:%G` on the file named by the scheduler mirror pod\'s --kubeconfig flag (kubeadm: ' +
      '/etc/kubernetes/scheduler.conf); expect root:root.',
    rationale: "A non-root owner of the file holds the scheduler's credentials.",
    remediation: 'chown root:root /etc/kubernetes/scheduler.conf on each control-plane node.',
  },
  {
    cis: '1.1.17',
    title: 'Controller manager kubeconfig is mode 600 or stricter',
    severity: 'high',
    manual:
      'The path is visible: it is the --kubeconfig flag of the mirror pod kube-system/kube-controller-manager-<node> (kubeadm: ' +
      '/etc/kubernetes/controller-manager.conf). Its mode is not: on every control-plane node run `stat -c %a` on it; expect 600 or stricter.',
    rationale:
      "The file holds the controller manager's client credentials; that identity can obtain tokens for the controllers' service accounts, which together hold most rights in the cluster.",
    remediation: 'chmod 600 /etc/kubernetes/controller-manager.conf on each control-plane node.',
  },
  {
    cis: '1.1.18',
    title: 'Controller manager kubeconfig is owned by root:root',
    severity: 'high',
    manual:
      "On every control-plane node run `stat -c %U:%G` on the file named by the controller manager mirror pod's --kubeconfig flag " +
      '(kubeadm: /etc/kubernetes/controller-manager.conf); expect root:root.',
    rationale: "A non-root owner of the file holds the controller manager's credentials.",
    remediation: 'chown root:root /etc/kubernetes/controller-manager.conf on each control-plane node.',
  },
  {
    cis: '1.1.19',
    title: 'Kubernetes PKI directory and files are owned by root:root',
    severity: 'high',
    manual:
      'On every control-plane node run `find /etc/kubernetes/pki \\( ! -user root -o ! -group root \\)`; it must print nothing. The ' +
      "API server mirror pod's flags (--client-ca-file, --tls-cert-file, --etcd-cafile...) show where the PKI lives; ownership is not visible.",
    rationale: 'The directory holds the cluster, etcd and front-proxy CAs and their keys; its owner can mint credentials for any identity.',
    remediation: 'chown -R root:root /etc/kubernetes/pki/ on each control-plane node.',
  },
  {
    cis: '1.1.20',
    title: 'Kubernetes PKI certificates are mode 644 or stricter',
    severity: 'low',
    manual:
      "On every control-plane node run `find /etc/kubernetes/pki -name '*.crt' -perm /133`; it must print nothing. The paths appear in " +
      'the control-plane mirror pod flags, the modes nowhere in the API.',
    rationale: 'Certificates are public, but a writable one can be swapped for a certificate of an attacker-controlled CA.',
    remediation: 'chmod 644 (or stricter) on /etc/kubernetes/pki/*.crt and /etc/kubernetes/pki/etcd/*.crt on each control-plane node.',
  },
  {
    cis: '1.1.21',
    title: 'Kubernetes PKI private keys are mode 600 or stricter',
    severity: 'high',
    manual:
      "On every control-plane node run `find /etc/kubernetes/pki -name '*.key' -perm /177`; it must print nothing. Key paths appear " +
      'in the control-plane mirror pod flags (--tls-private-key-file, --service-account-signing-key-file...), never their modes.',
    rationale: 'Whoever reads the CA or service-account signing key can forge certificates and tokens for any identity, cluster-admin included.',
    remediation: 'chmod 600 on /etc/kubernetes/pki/*.key and /etc/kubernetes/pki/etcd/*.key on each control-plane node.',
  },
];

export const CONTROL_PLANE_FILE_CONTROLS: readonly CatalogControl[] = ITEMS.map((item) => fileControl(CONTROL_PLANE_FILES, item));
