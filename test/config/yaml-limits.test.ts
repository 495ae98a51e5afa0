import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { MAX_CONFIG_BYTES } from '../../src/config/parse-yaml.js';

const FILE = '/etc/complyd/complyd.yaml';

/** The ConfigError `parseConfig` throws for `text` (the test fails on any other outcome). */
function refusal(text: string): ConfigError {
  try {
    parseConfig(text, FILE, {});
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** Nine levels of nine aliases each: 9^9 strings once expanded. */
function billionLaughs(): string {
  const names = 'abcdefghi';
  const lines = [`a: &a [${Array(9).fill('"lol"').join(',')}]`];
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
  return `${lines.join('\n')}\nclusters: [{name: a, kubeconfig: k}]\n`;
}

describe('hostile configuration files', () => {
  it('refuses a billion laughs quickly, naming the file', () => {
    const started = Date.now();
    const err = refusal(billionLaughs());
    expect(err.message).toBe(`${FILE}: invalid YAML: aliases expand too far (more than 1000 expansions; a YAML "billion laughs"?)`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('still expands an anchor shared by hundreds of clusters', () => {
    const clusters = Array.from({ length: 300 }, (_, i) => `  - {name: c${i}, kubeconfig: k, labels: ${i === 0 ? '&common {env: prod}' : '*common'}}`).join('\n');
    const cfg = parseConfig(`clusters:\n${clusters}\n`, FILE, {});
    expect(cfg.clusters.map((c) => c.labels)).toEqual(Array(300).fill({ env: 'prod' }));
  });

  it('names an alias without its anchor', () => {
    expect(refusal('clusters: [{name: a, kubeconfig: k, labels: *nowhere}]\n').message).toMatch(new RegExp(`^${FILE}: invalid YAML: .*nowhere`));
  });

  it.each([
    ['flow sequences', (n: number) => `clusters: ${'['.repeat(n)}${']'.repeat(n)}\n`],
    ['flow mappings', (n: number) => `clusters: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`],
    ['block sequences', (n: number) => `clusters:\n  ${'- '.repeat(n)}x\n`],
  ])('refuses deep nesting of %s with the file and, when it can be read, the key path', (_kind, nest) => {
    expect(refusal(nest(40)).message).toMatch(new RegExp(`^${FILE}: nested deeper than 32 levels at clusters(\\[0\\]|\\.a)+$`));
    // Deeper than the parser's own stack allows: its RangeError becomes a message.
    for (const n of [1_000, 100_000]) expect(refusal(nest(n)).message).toMatch(new RegExp(`^${FILE}: (invalid YAML: line \\d+: nested too deeply|nested deeper than 32 levels)`));
  });

  it('accepts the nesting a configuration needs', () => {
    const cfg = parseConfig('clusters: [{name: a, kubeconfig: k, labels: {env: prod}}]\nreports: [{name: r, clusters: [a]}]\n', FILE, {});
    expect(cfg.reports[0]?.clusters).toEqual(['a']);
  });

  it('refuses a file over 1 MiB without reading all of it', () => {
    const big = `clusters: [{name: a, kubeconfig: k}]\n# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    expect(refusal(big).message).toBe(`${FILE}: too large for a configuration file (more than 1 MiB)`);
    const dir = mkdtempSync(join(tmpdir(), 'complyd-config-'));
    writeFileSync(join(dir, 'big.yaml'), big);
    expect(() => loadConfig(join(dir, 'big.yaml'), {})).toThrow(`${join(dir, 'big.yaml')}: too large for a configuration file (more than 1 MiB)`);
    expect(() => loadConfig('/dev/zero', {})).toThrow('/dev/zero: too large for a configuration file (more than 1 MiB)');
    expect(() => loadConfig(dir, {})).toThrow(`${dir}: cannot read configuration: it is a directory`);
    // A file of exactly the limit is read.
    const exact = `clusters: [{name: a, kubeconfig: k}]\n#`;
    writeFileSync(join(dir, 'exact.yaml'), exact.padEnd(MAX_CONFIG_BYTES, 'x'));
    expect(loadConfig(join(dir, 'exact.yaml'), {}).clusters).toHaveLength(1);
  });
});
