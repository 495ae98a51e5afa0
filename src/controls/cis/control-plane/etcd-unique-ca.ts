import { posix } from 'node:path';
import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, ETCD, NSA, SECTION, eachReplica, flagPath, replicasOf, shown, verdict } from './common.js';

const EXPECTED = "etcd's --trusted-ca-file is a CA of its own, not the API server's --client-ca-file";

export default defineControl({
  id: 'CIS-2.7',
  title: 'etcd trusts a CA of its own',
  section: SECTION.etcd,
  severity: 'medium',
  level: 'L2',
  frameworks: CIS_AND_NSA,
  refs: { cis: '2.7', nsa: NSA.controlPlane, kubescape: ['C-0159'] },
  needs: ['controlPlane'],
  manual:
    'Only file paths are visible through the API. complyd fails the control when etcd\'s --trusted-ca-file is unset or is the very path of the API server\'s --client-ca-file; ' +
    'when the paths differ, compare the two certificates on a control-plane host (for example their SHA-256 fingerprints with openssl x509 -noout -fingerprint -sha256), ' +
    'since the same CA can sit in two files.',
  rationale:
    'If etcd trusts the cluster CA, every certificate that CA ever signed (kubelets, administrators, controllers) is accepted by etcd, ' +
    'which then hands over the whole datastore without Kubernetes authorization. A CA used only for etcd limits that to the API server.',
  remediation:
    'Create a separate CA for etcd (kubeadm does: /etc/kubernetes/pki/etcd/ca.crt), issue the etcd server, peer and API-server client certificates from it, ' +
    'and point etcd\'s --trusted-ca-file and the API server\'s --etcd-cafile at it.',
  evaluate: (ctx) => {
    const clientCas = replicasOf(ctx, APISERVER).flatMap((r) => {
      const s = r.flags.flags.get('client-ca-file');
      return s && s.value !== '' ? [{ pod: r.resource.name, setting: s }] : [];
    });
    return eachReplica(ctx, ETCD, (r) => {
      const trusted = r.flags.flags.get('trusted-ca-file');
      const apiSide = clientCas.map((c) => `${c.pod}: ${shown(c.setting)}`).join('; ') || 'kube-apiserver --client-ca-file: not visible';
      const evidence = { path: flagPath(r, trusted), observed: `${trusted ? shown(trusted) : '--trusted-ca-file: <unset>'}; ${apiSide}`, expected: EXPECTED };
      if (!trusted || trusted.value === '') return verdict('fail', r, evidence, 'etcd has no client CA at all');
      const same = clientCas.filter((c) => posix.normalize(c.setting.value) === posix.normalize(trusted.value));
      if (same.length > 0) return verdict('fail', r, evidence, "etcd trusts the same CA file as the API server's client authentication");
      if (clientCas.length === 0) return verdict('manual', r, evidence, "the API server's --client-ca-file is not visible: compare etcd's CA with the cluster CA on a control-plane host");
      return verdict('manual', r, evidence, 'the paths differ; compare the certificates on a control-plane host to rule out the same CA under two names');
    });
  },
});
