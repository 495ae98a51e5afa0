import { MAX_CONFIGMAP_KEY_CHARS, MAX_CONFIGMAP_KEYS, type ConfigMapKey, type KubeObject } from '../core/types.js';
import { isSecretName } from '../core/secret-names.js';

/**
 * A ConfigMap as a snapshot keeps it: for each key of `data` and `binaryData`, its name, the
 * value's length and whether the name marks a secret. Called on each list item as it arrives
 * (and on each manifest), so the values go no further than the page they came in: the one
 * control that reads ConfigMaps (literal credentials) needs the name and the length, nothing
 * else, and a value that is never kept cannot leak.
 *
 * Bounded: at most MAX_CONFIGMAP_KEYS keys, sensitive ones first, the others counted; key names
 * cut to MAX_CONFIGMAP_KEY_CHARS. A field or value of the wrong shape is skipped, not kept:
 * the API server never sends one, and a manifest's is refused by `kubectl apply`.
 */
export function configMapKeys(raw: Record<string, unknown>): Pick<KubeObject, 'dataKeys' | 'dataKeysOmitted'> {
  const all: ConfigMapKey[] = [];
  for (const field of ['data', 'binaryData'] as const) {
    const map = raw[field];
    if (map === null || typeof map !== 'object' || Array.isArray(map)) continue;
    for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
      if (typeof value !== 'string') continue;
      all.push({
        field,
        key: key.length > MAX_CONFIGMAP_KEY_CHARS ? key.slice(0, MAX_CONFIGMAP_KEY_CHARS) : key,
        length: field === 'data' ? value.length : base64Bytes(value),
        sensitive: isSecretName(key),
      });
    }
  }
  if (all.length === 0) return {};
  if (all.length <= MAX_CONFIGMAP_KEYS) return { dataKeys: all };
  // Sensitive keys are the ones judged: they are kept before the others.
  const ordered = [...all.filter((k) => k.sensitive), ...all.filter((k) => !k.sensitive)];
  const omitted = ordered.slice(MAX_CONFIGMAP_KEYS);
  return { dataKeys: ordered.slice(0, MAX_CONFIGMAP_KEYS), dataKeysOmitted: { count: omitted.length, sensitive: omitted.filter((k) => k.sensitive).length } };
}

/** Bytes a base64 text decodes to (binaryData values are base64 in the API's JSON). */
function base64Bytes(text: string): number {
  const body = text.replace(/\s+/g, '');
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((body.length * 3) / 4) - padding);
}
