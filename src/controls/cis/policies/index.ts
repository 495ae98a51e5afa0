import type { Control } from '../../define.js';

/** CIS section 5: RBAC and service accounts, pod security admission, network policies, secrets, admission, general policies. In benchmark order. */
export const POLICY_CONTROLS: readonly Control[] = [];
