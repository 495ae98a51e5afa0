import type { ReportProfile } from './model.js';

/** One line naming a profile for the reader: the group, how its clusters are chosen, what they are held to. */
export function profileLine(p: ReportProfile): string {
  const floor = p.severityFloor && p.severityFloor !== 'info' ? `; controls below ${p.severityFloor} severity not evaluated` : '';
  return `${p.name}: the clusters labelled ${p.selector}, held to ${p.frameworks.join(', ')}${floor}`;
}
