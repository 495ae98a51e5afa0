import { isCollection, isPair, isScalar, type Node } from 'yaml';

/**
 * Depth checks for untrusted documents. Both walk with an explicit stack: a check that
 * recursed would overflow on exactly the input it exists to refuse.
 */

/**
 * The key path of the first collection nested more than `max` levels deep in a YAML node
 * tree (the root collection is level 1), or undefined when none is.
 */
export function yamlNestedTooDeep(root: Node | null | undefined, max: number): PropertyKey[] | undefined {
  const stack: Array<{ node: unknown; depth: number; path: PropertyKey[] }> = [{ node: root, depth: 0, path: [] }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { node, depth, path } = top;
    if (isPair(node)) {
      const key = isScalar(node.key) ? String(node.key.value) : '?';
      stack.push({ node: node.key, depth, path }, { node: node.value, depth, path: [...path, key] });
    } else if (isCollection(node)) {
      if (depth >= max) return path;
      node.items.forEach((item, i) => stack.push({ node: item, depth: depth + 1, path: isPair(item) ? path : [...path, i] }));
    }
  }
  return undefined;
}

/** The same for plain values (parsed JSON): objects and arrays count as levels. */
export function valueNestedTooDeep(root: unknown, max: number): PropertyKey[] | undefined {
  // Paths are rebuilt only for the culprit: parents are kept, not copied per node.
  interface Frame { value: unknown; depth: number; key?: PropertyKey; parent?: Frame }
  const stack: Frame[] = [{ value: root, depth: 0 }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    if (top.value === null || typeof top.value !== 'object') continue;
    if (top.depth >= max) {
      const path: PropertyKey[] = [];
      for (let f: Frame | undefined = top; f?.parent; f = f.parent) path.unshift(f.key as PropertyKey);
      return path;
    }
    const entries: Array<[PropertyKey, unknown]> = Array.isArray(top.value) ? top.value.map((v, i) => [i, v]) : Object.entries(top.value);
    for (const [key, value] of entries) if (value !== null && typeof value === 'object') stack.push({ value, depth: top.depth + 1, key, parent: top });
  }
  return undefined;
}
