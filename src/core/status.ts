import type { Status } from './types.js';

/** Status order used when several findings fold into one: the worst wins. */
const SEVERITY_OF_STATUS: Record<Status, number> = {
  fail: 5,
  error: 4,
  unknown: 3,
  manual: 2,
  pass: 1,
  'not-applicable': 0,
};

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'not-applicable';
  for (const s of statuses) if (SEVERITY_OF_STATUS[s] > SEVERITY_OF_STATUS[worst]) worst = s;
  return worst;
}

export type StatusCounts = Record<Status, number>;

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, manual: 0, 'not-applicable': 0, unknown: 0, error: 0 };
}

export function countStatuses(findings: Iterable<{ status: Status }>): StatusCounts {
  const counts = emptyCounts();
  for (const f of findings) counts[f.status]++;
  return counts;
}
