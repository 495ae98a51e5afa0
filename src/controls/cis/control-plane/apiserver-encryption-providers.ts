import { defineControl } from '../../define.js';
import { CIS_AND_NSA, NSA, SECTION } from './common.js';

export default defineControl({
  id: 'CIS-1.2.28',
  title: 'The encryption configuration uses real ciphers',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.28', nsa: NSA.encryption, kubescape: ['C-0142'] },
  needs: [],
  manual:
    'The providers are in the EncryptionConfiguration file named by --encryption-provider-config (see CIS 1.2.27 for the path); the API does not show its content. ' +
    'On a control-plane host, check that for secrets the first provider is kms, aescbc or secretbox, and not identity.',
  rationale:
    'A configuration whose first provider is identity writes Secrets in plain text while looking, from the flags, as if encryption were on. ' +
    'aesgcm is only safe with automated key rotation, which is why the benchmark leaves it out.',
  remediation:
    'Put a kms (v2), aescbc or secretbox provider first for secrets in the EncryptionConfiguration, keep identity only last for reading old data, ' +
    'restart the API servers and rewrite existing Secrets.',
});
