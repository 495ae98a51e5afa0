import type { Control } from '../../define.js';

/** CIS sections 4.2 and 4.3: kubelet configuration (configz) and kube-proxy. In benchmark order. */
export const NODE_CONTROLS: readonly Control[] = [];
