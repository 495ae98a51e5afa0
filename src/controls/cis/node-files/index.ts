import type { CatalogControl } from '../../define.js';
import { CONTROL_PLANE_FILE_CONTROLS } from './control-plane-files.js';
import kubeProxyKubeconfigMode from './kube-proxy-kubeconfig.js';
import {
  clientCaMode,
  clientCaOwner,
  kubeProxyKubeconfigOwner,
  kubeletConfigMode,
  kubeletConfigOwner,
  kubeletKubeconfigMode,
  kubeletKubeconfigOwner,
  kubeletUnitMode,
  kubeletUnitOwner,
} from './worker-files.js';

/** CIS sections 1.1 and 4.1: file modes and owners on nodes, which the API cannot show. In benchmark order. */
export const NODE_FILE_CONTROLS: readonly CatalogControl[] = [
  ...CONTROL_PLANE_FILE_CONTROLS, // 1.1.1–1.1.21
  kubeletUnitMode, // 4.1.1
  kubeletUnitOwner, // 4.1.2
  kubeProxyKubeconfigMode, // 4.1.3 (partial: kube-proxy volume modes)
  kubeProxyKubeconfigOwner, // 4.1.4
  kubeletKubeconfigMode, // 4.1.5
  kubeletKubeconfigOwner, // 4.1.6
  clientCaMode, // 4.1.7
  clientCaOwner, // 4.1.8
  kubeletConfigMode, // 4.1.9
  kubeletConfigOwner, // 4.1.10
];
