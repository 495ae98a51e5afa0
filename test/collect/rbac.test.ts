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
const kubeSystemRole = docs.find((d) => d.kind === 'Role' && d.metadata.namespace === 'kube-system');

const grants = (group: string, resource: string, verb: string) =>
  (role?.rules ?? []).some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

describe('the shipped scanner ClusterRole', () => {
  it.each(ENDPOINTS.map((e) => [e.resource, e.path]))('lets the collector list %s (%s)', (resource, path) => {
    const group = path.startsWith('/api/v1/') ? '' : (path.split('/')[2] ?? '');
    expect(grants(group, resource, 'list')).toBe(true);
  });

  it('grants kubelet configz through nodes/proxy, and never a write verb', () => {
    expect(grants('', 'nodes/proxy', 'get')).toBe(true);
    const verbs = new Set([...(role?.rules ?? []), ...(kubeSystemRole?.rules ?? [])].flatMap((r) => r.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list']);
  });

  it('lets it list ConfigMaps in kube-system only (kube-proxy configuration), bound to the scanner', () => {
    expect((role?.rules ?? []).some((r) => r.resources.includes('configmaps'))).toBe(false);
    expect(kubeSystemRole?.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }]);
    const binding = docs.find((d) => d.kind === 'RoleBinding' && d.metadata.namespace === 'kube-system');
    expect(binding?.roleRef).toMatchObject({ kind: 'Role', name: kubeSystemRole?.metadata.name });
  });
});
