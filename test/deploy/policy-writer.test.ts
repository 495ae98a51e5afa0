/** The write permission of `policy apply` is its own opt-in role; the scanner's role never writes. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type Doc = { kind: string; metadata: { name: string }; rules?: Rule[]; roleRef?: { name: string } };

const docs = (file: string): Doc[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc);
const READ_VERBS = new Set(['get', 'list', 'watch']);

describe('deploy/kubernetes roles', () => {
  it('policy-writer.yaml: get, list, create and patch on the two admission resources, nothing else', () => {
    const all = docs('deploy/kubernetes/policy-writer.yaml');
    const role = all.find((d) => d.kind === 'ClusterRole');
    expect(role?.rules).toEqual([
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'], verbs: ['get', 'list', 'create', 'patch'] },
    ]);
    expect(all.find((d) => d.kind === 'ClusterRoleBinding')?.roleRef?.name).toBe(role?.metadata.name);
  });

  it("rbac.yaml (the scanner's roles) has no verb but get, list and watch", () => {
    const verbs = docs('deploy/kubernetes/rbac.yaml').flatMap((d) => (d.rules ?? []).flatMap((r) => r.verbs));
    expect(verbs.length).toBeGreaterThan(0);
    expect(verbs.filter((v) => !READ_VERBS.has(v))).toEqual([]);
  });
});
