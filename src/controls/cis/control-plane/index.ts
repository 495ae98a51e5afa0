import type { Control } from '../../define.js';

/** CIS sections 1.2-1.4, 2 and 3: API server, controller manager, scheduler, etcd, control-plane configuration. In benchmark order. */
export const CONTROL_PLANE_CONTROLS: readonly Control[] = [];
