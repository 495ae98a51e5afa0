/** Discovery: `/version`, `/api`, `/apis` and the APIResourceList of each group version. */
import type { ServerVersionInfo } from './types.js';
import { RESOURCE_TYPES } from './resources.js';

export const DEFAULT_VERSION: ServerVersionInfo = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.4',
  gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b',
  gitTreeState: 'clean',
  buildDate: '2024-12-10T11:37:56Z',
  goVersion: 'go1.22.10',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const VERBS = ['get', 'list'];

export function resourceListBody(group: string, version: string): Record<string, unknown> {
  const resources = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version).map((t) => ({
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: VERBS,
    ...(t.shortNames ? { shortNames: t.shortNames } : {}),
  }));
  if (group === '' && version === 'v1') resources.push({ name: 'nodes/proxy', singularName: '', namespaced: false, kind: 'NodeProxyOptions', verbs: ['get'] });
  const groupVersion = group ? `${group}/${version}` : version;
  return group
    ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources }
    : { kind: 'APIResourceList', groupVersion, resources };
}

export function groupBody(group: string): Record<string, unknown> {
  const versions = [...new Set(RESOURCE_TYPES.filter((t) => t.group === group).map((t) => t.version))].map((v) => ({
    groupVersion: `${group}/${v}`,
    version: v,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}
