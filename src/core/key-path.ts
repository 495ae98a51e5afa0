/**
 * `clusters[1].kubeconfig` from `['clusters', 1, 'kubeconfig']`; a key that is not a plain
 * word is quoted (`labels["app.kubernetes.io/name"]`) so the path stays unambiguous.
 */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || '(top level)';
}
