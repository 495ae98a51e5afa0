import { featureGateDefault } from '../../../evaluate/control-plane-defaults.js';
import { featureGate, parseGoBool } from '../../../evaluate/flags.js';
import { defineControl } from '../../define.js';
import { CIS_ONLY, CONTROLLER_MANAGER, SECTION, eachReplica, flagPath, notOnOrOff, shown, verdict } from './common.js';

const GATE = 'RotateKubeletServerCertificate';
const EXPECTED = `--feature-gates does not set ${GATE}=false`;

export default defineControl({
  id: 'CIS-1.3.6',
  title: 'Kubelet serving-certificate rotation is not turned off',
  section: SECTION.controllerManager,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.3.6', kubescape: ['C-0149'] },
  needs: ['controlPlane'],
  rationale:
    `The ${GATE} feature gate lets kubelets request serving certificates from the cluster CA and renew them before they expire. ` +
    'It is Beta and on by default, so only an explicit false in --feature-gates fails.',
  remediation: `Remove ${GATE}=false from --feature-gates on kube-controller-manager.`,
  evaluate: (ctx) =>
    eachReplica(ctx, CONTROLLER_MANAGER, (r) => {
      const setting = r.flags.flags.get('feature-gates');
      const gate = featureGate(r.flags, GATE);
      const byDefault = featureGateDefault(GATE, r.minor);
      const observed = gate ? `${GATE}=${gate.value} in ${setting ? shown(setting) : '--feature-gates'}` : `${GATE} not set (default: ${String(byDefault ?? true)})`;
      const evidence = { path: flagPath(r, setting), observed, expected: EXPECTED };
      if (!gate) return verdict(byDefault === false ? 'fail' : 'pass', r, evidence);
      const on = parseGoBool(gate.value);
      if (on === undefined) return verdict('unknown', r, evidence, notOnOrOff(`${GATE} in --feature-gates`, gate.value, 'kube-controller-manager'));
      return verdict(on ? 'pass' : 'fail', r, evidence);
    }),
});
