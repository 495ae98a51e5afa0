import { defineControl } from '../../define.js';
import { CIS_AND_NSA, ETCD, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-2.1',
  title: 'etcd serves clients over TLS with a given certificate',
  section: SECTION.etcd,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '2.1', nsa: NSA.controlPlane, kubescape: ['C-0153'] },
  needs: ['controlPlane'],
  rationale:
    'Without --cert-file and --key-file etcd talks to its clients in plain HTTP, so anyone on the path reads every object of the cluster, Secrets included. ' +
    'ETCD_CERT_FILE and ETCD_KEY_FILE count as the flags; with --config-file the settings are in a file the API does not show (unknown).',
  remediation: 'Set --cert-file and --key-file on etcd to a server certificate from the etcd CA, and use https:// in --listen-client-urls and --advertise-client-urls.',
  evaluate: (ctx) => eachReplica(ctx, ETCD, (r) => judgeSet(r, ['cert-file', 'key-file'], '--cert-file and --key-file both set')),
});
