import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { ENDPOINTS } from '../../src/collect/resources.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const docs = parseAllDocuments(readFileSync('deploy/kubernetes/rbac.yaml', 'utf8')).map(
  (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[]; roleRef?: { kind: string; name: string } },
);
const role = docs.find((d) => d.kind === 'ClusterRole');

const grants = (group: string, resource: string, verb: string) =>
  (role?.rules ?? []).some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

describe('the shipped scanner ClusterRole', () => {
  it.each(ENDPOINTS.map((e) => [e.resource, e.path]))('lets the collector list %s (%s)', (resource, path) => {
    const group = path.startsWith('/api/v1/') ? '' : (path.split('/')[2] ?? '');
    expect(grants(group, resource, 'list')).toBe(true);
  });

  it('grants kubelet configz through nodes/proxy, and never a write verb', () => {
    expect(grants('', 'nodes/proxy', 'get')).toBe(true);
    const verbs = new Set((role?.rules ?? []).flatMap((r) => r.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list']);
  });

  it('lets it list ConfigMaps cluster-wide (key names, and kube-proxy configuration), with no Role beside the ClusterRole', () => {
    expect(grants('', 'configmaps', 'list')).toBe(true);
    expect(grants('', 'configmaps', 'get')).toBe(false);
    expect(docs.filter((d) => d.kind === 'Role' || d.kind === 'RoleBinding')).toEqual([]);
  });
});
