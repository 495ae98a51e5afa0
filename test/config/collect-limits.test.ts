import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

const FILE = '/etc/complyd/complyd.yaml';
const BASE = 'clusters: [{name: a, kubeconfig: k}]\n';

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, FILE, {});
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('collect.maxResponseSize and collect.maxPages', () => {
  it('default to bounds that fit a 100,000-pod cluster at the default page size', () => {
    const { collect } = parseConfig(BASE, FILE, {});
    expect(collect.maxResponseSize).toBe(256 * 2 ** 20);
    expect(collect.maxPages).toBe(500);
    // 100,000 pods at 500 a page is 200 pages of about 10 MiB.
    expect(collect.maxPages * collect.pageSize).toBeGreaterThanOrEqual(100_000);
  });

  it('read a size with its unit', () => {
    expect(parseConfig(`${BASE}collect: { maxResponseSize: 64MiB, maxPages: 50 }\n`, FILE, {}).collect).toMatchObject({ maxResponseSize: 64 * 2 ** 20, maxPages: 50 });
    expect(parseConfig(`${BASE}collect: { maxResponseSize: 0.5GiB }\n`, FILE, {}).collect.maxResponseSize).toBe(512 * 2 ** 20);
  });

  it('name the key of every mistake', () => {
    expect(issuesOf(`${BASE}collect:\n  maxResponseSize: 1000000\n  maxPages: 0\n`)).toEqual([
      'collect.maxResponseSize: not a size: 1000000 has no unit (write e.g. 1000000MiB or 1000000KiB)',
      'collect.maxPages: Too small: expected number to be >=1',
    ]);
    expect(issuesOf(`${BASE}collect: { maxResponseSize: 1GiB }\n`)).toEqual(['collect.maxResponseSize: "1GiB" is out of range (1KiB to 512MiB)']);
    expect(issuesOf(`${BASE}collect: { maxResponseSize: lots }\n`)).toEqual(['collect.maxResponseSize: not a size: "lots" (write e.g. 256MiB, 512KiB or 1GiB)']);
  });
});
