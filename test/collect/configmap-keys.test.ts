import { normalizeObject } from '../../src/collect/normalize.js';
import { MAX_CONFIGMAP_KEYS } from '../../src/core/types.js';

/** A ConfigMap keeps key names and value lengths only, bounded, whatever the input holds. */

const VALUE = 'value-that-must-not-be-kept';
const cm = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, ...extra });

describe('ConfigMaps reduced on arrival', () => {
  it('keeps each key of data and binaryData with its length and whether its name marks a secret, never a value', () => {
    const raw = cm({
      data: { DB_PASSWORD: VALUE, LOG_LEVEL: 'info' },
      binaryData: { 'tls.key': Buffer.from(VALUE).toString('base64') },
      metadata: { name: 'c', namespace: 'n', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', data: { DB_PASSWORD: VALUE } }) } },
    });
    for (const adopt of [true, false]) {
      const o = normalizeObject(structuredClone(raw), 'configmaps', 0, { adopt });
      expect(o.dataKeys).toEqual([
        { field: 'data', key: 'DB_PASSWORD', length: VALUE.length, sensitive: true },
        { field: 'data', key: 'LOG_LEVEL', length: 4, sensitive: false },
        { field: 'binaryData', key: 'tls.key', length: VALUE.length, sensitive: true },
      ]);
      expect(o.dataKeysOmitted).toBeUndefined();
      expect(JSON.stringify(o)).not.toContain(VALUE);
      expect(JSON.stringify(o)).not.toContain(Buffer.from(VALUE).toString('base64'));
      expect(Object.keys(o).sort()).toEqual(['apiVersion', 'dataKeys', 'kind', 'metadata']);
    }
  });

  it('keeps at most MAX_CONFIGMAP_KEYS keys, those named as secrets first, and counts the rest', () => {
    const data: Record<string, string> = {};
    for (let i = 0; i < MAX_CONFIGMAP_KEYS + 10; i++) data[`setting_${i}`] = 'x';
    for (let i = 0; i < MAX_CONFIGMAP_KEYS + 5; i++) data[`token_${i}`] = VALUE;
    const o = normalizeObject(cm({ data }), 'configmaps');
    expect(o.dataKeys).toHaveLength(MAX_CONFIGMAP_KEYS);
    expect(o.dataKeys?.every((k) => k.sensitive)).toBe(true);
    expect(o.dataKeysOmitted).toEqual({ count: MAX_CONFIGMAP_KEYS + 15, sensitive: 5 });
  });

  it('cuts long key names and skips values that are not strings', () => {
    const o = normalizeObject(cm({ data: { ['k'.repeat(5000)]: 'v', n: 42, o: { nested: VALUE } }, binaryData: 'not a map' }), 'configmaps');
    expect(o.dataKeys).toEqual([{ field: 'data', key: 'k'.repeat(253), length: 1, sensitive: false }]);
    expect(JSON.stringify(o)).not.toContain(VALUE);
  });

  it('keeps nothing for a ConfigMap without data', () => {
    expect(normalizeObject(cm({}), 'configmaps')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } });
  });
});
