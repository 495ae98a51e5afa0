import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../../src/collect/manifests.js';

const pod = (name: string, ns = 'shop') => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  containers: [{name: app, image: x}]\n`;

describe('where each manifest object was read', () => {
  it('names the file, the document and the line it starts on; a List item points at its List; a redefined object at its last copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-locations-'));
    const multi = join(dir, 'multi.yaml');
    // Document 1: a comment and a pod from line 2; document 2 (an empty one) is skipped; document 3 starts after a blank line.
    writeFileSync(multi, `# pods\n${pod('a')}---\n---\n\n${pod('b')}`);
    const list = join(dir, 'list.json');
    writeFileSync(list, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', namespace: 'shop' }, spec: { containers: [{ name: 'app', image: 'x' }] } }] }, null, 2));
    const again = join(dir, 'zz-again.yaml');
    writeFileSync(again, `${pod('other', 'batch')}---\n${pod('a')}`);
    const { locate } = await loadManifests([multi, list]);
    expect(locate({ kind: 'Pod', namespace: 'shop', name: 'a' })).toEqual({ file: multi, document: 1, line: 2 });
    expect(locate({ kind: 'Pod', namespace: 'shop', name: 'b' })).toEqual({ file: multi, document: 3, line: 10 });
    expect(locate({ kind: 'Pod', namespace: 'shop', name: 'c' })).toEqual({ file: list, document: 1, line: 1 });
    expect(locate({ kind: 'Pod', namespace: 'batch', name: 'a' })).toBeUndefined();
    expect(locate({ kind: 'Cluster', name: 'manifests' })).toBeUndefined();
    const redefined = await loadManifests([dir]);
    expect(redefined.locate({ kind: 'Pod', namespace: 'shop', name: 'a' })).toEqual({ file: again, document: 2, line: 7 });
  });
});
