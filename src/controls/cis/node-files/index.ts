import type { Control } from '../../define.js';

/** CIS sections 1.1 and 4.1: file modes and owners on nodes, which the API cannot show. In benchmark order. */
export const NODE_FILE_CONTROLS: readonly Control[] = [];
