import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExceptions, parseExceptionsFile } from '../../src/config/load-exceptions.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { exceptionsDigest } from '../../src/core/exception.js';

const DAY = 86_400_000;
const opts = { maxLifetimeMs: 180 * DAY, knownControls: ['CIS-5.2.2', 'CIS-5.2.3', 'CIS-5.1.1', 'PSS-privileged'] };

function issuesOf(text: string, o = opts): string[] {
  try {
    parseExceptionsFile(text, 'team.yaml', o);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const valid = `exceptions:
  - id: payments-agent
    controls: [PSS-privileged, "CIS-5.2.*"]
    scope:
      clusters: [prod-eu]
      clusterSelector: { matchLabels: { env: prod } }
      namespaces: [payments]
      kinds: [DaemonSet]
      names: ["node-agent*"]
      objectSelector:
        matchExpressions:
          - { key: team, operator: In, values: [payments] }
    owner: payments-team
    reason: the node agent needs host access until the vendor ships v3
    ticket: https://tickets.example/PAY-123
    created: 2026-11-01
    expires: "2027-03-01T12:00:00+01:00"
`;

describe('exceptions files', () => {
  it('reads every field, dates in UTC, an omitted scope meaning all', () => {
    const [e, bare] = parseExceptionsFile(`${valid}  - { id: bare, controls: [CIS-5.1.1], owner: o, reason: r, created: 2026-12-01, expires: 2027-01-01 }\n`, 'team.yaml', opts);
    expect(e).toEqual({
      id: 'payments-agent',
      controls: ['PSS-privileged', 'CIS-5.2.*'],
      scope: {
        clusters: ['prod-eu'],
        clusterSelector: { matchLabels: { env: 'prod' } },
        namespaces: ['payments'],
        kinds: ['DaemonSet'],
        names: ['node-agent*'],
        objectSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['payments'] }] },
      },
      owner: 'payments-team',
      reason: 'the node agent needs host access until the vendor ships v3',
      ticket: 'https://tickets.example/PAY-123',
      created: '2026-11-01T00:00:00.000Z',
      expires: '2027-03-01T11:00:00.000Z',
      source: { file: 'team.yaml', index: 0 },
    });
    expect(bare?.scope).toEqual({});
    expect(bare?.ticket).toBeUndefined();
  });

  it('names every mistake at once, with its key path', () => {
    const text = `exceptions:
  - id: Bad_Id
    controls: []
    scope: { namespace: [a], names: [], clusterSelector: {} }
    owner: ""
    created: 2026-02-30
    expires: soon
  - id: two
    controls: ["CIS 5.2.2"]
    scope:
      objectSelector:
        matchExpressions:
          - { key: a, operator: In }
          - { key: b, operator: Exists, values: [x] }
          - { key: c, operator: Near }
    owner: o
    reason: r
    created: 2026-01-01
`;
    expect(issuesOf(text)).toEqual([
      'exceptions[0].id: use lower-case letters, digits, ".", "_" and "-" (like a DNS label)',
      'exceptions[0].controls: at least one control id or pattern is required',
      'exceptions[0].scope.clusterSelector: an empty selector: give matchLabels or matchExpressions (omit the selector to mean all)',
      'exceptions[0].scope.names: an empty list matches nothing: omit the key to mean all',
      'exceptions[0].scope: unknown key "namespace"',
      'exceptions[0].owner: required: who answers for this exception (a team or a person)',
      'exceptions[0].reason: required: why the failure is accepted',
      'exceptions[0].created: not a date: "2026-02-30" (write e.g. 2027-03-01 or 2027-03-01T12:00:00Z)',
      'exceptions[0].expires: not a date: "soon" (write e.g. 2027-03-01 or 2027-03-01T12:00:00Z)',
      'exceptions[1].controls[0]: a control id or pattern uses letters, digits, ".", "-", "_" and "*" (e.g. CIS-5.2.2, CIS-5.2.*, PSS-privileged)',
      'exceptions[1].scope.objectSelector.matchExpressions[0].values: In needs at least one value',
      'exceptions[1].scope.objectSelector.matchExpressions[1].values: Exists takes no values',
      'exceptions[1].scope.objectSelector.matchExpressions[2].operator: Invalid option: expected one of "In"|"NotIn"|"Exists"|"DoesNotExist"',
      'exceptions[1].expires: required: when the exception lapses (a date such as 2027-03-01, or an ISO 8601 time with its zone)',
    ]);
  });

  it('refuses lifetimes beyond the maximum, expiry before creation, unknown controls and duplicate ids', () => {
    const text = `exceptions:
  - { id: long, controls: [CIS-5.2.2], owner: o, reason: r, created: 2026-01-01, expires: 2026-12-01 }
  - { id: backwards, controls: [CIS-5.2.2], owner: o, reason: r, created: 2026-03-01, expires: 2026-03-01 }
  - { id: typo, controls: [pss-privileged, "CIS-9.*", CIS-5.2.3], owner: o, reason: r, created: 2026-01-01, expires: 2026-02-01 }
  - { id: long, controls: [CIS-5.2.2], owner: o, reason: r, created: 2026-01-01, expires: 2026-02-01 }
`;
    expect(issuesOf(text)).toEqual([
      'exceptions[0].expires: 334 days after created (2026-01-01): at most 180d (exceptions.maxLifetime)',
      'exceptions[1].expires: 2026-03-01 is not after created (2026-03-01)',
      'exceptions[2].controls[0]: no control "pss-privileged" (did you mean PSS-privileged?)',
      'exceptions[2].controls[1]: no control matches "CIS-9.*" (see `complyd controls`)',
      'exceptions[3].id: duplicate exception id "long" (also team.yaml exceptions[0])',
    ]);
    // The same lifetime passes under a longer maximum.
    expect(parseExceptionsFile(text.split('\n').slice(0, 2).join('\n'), 'f.yaml', { maxLifetimeMs: 365 * DAY })).toHaveLength(1);
  });

  it('names the lifetime, duplicate ids and unknown controls beside the schema mistakes of the same file', () => {
    const text = `exceptions:
  - { id: no-owner, controls: [CIS-5.2.2], reason: r, created: 2026-12-01, expires: 2028-01-15 }
  - { id: dup, controls: [CIS-5.2.2], owner: o, reason: r, created: 2026-12-01, expires: 2027-01-01 }
  - { id: dup, controls: [cis-5.2.2], owner: o, reason: r, created: 2026-12-01, expires: 2026-11-15 }
  - { id: Bad_Id, controls: [CIS-5.2.2], owner: o, reason: r, created: soon, expires: 2026-11-15 }
`;
    expect(issuesOf(text)).toEqual([
      'exceptions[0].owner: required: who answers for this exception (a team or a person)',
      'exceptions[3].id: use lower-case letters, digits, ".", "_" and "-" (like a DNS label)',
      'exceptions[3].created: not a date: "soon" (write e.g. 2027-03-01 or 2027-03-01T12:00:00Z)',
      'exceptions[0].expires: 410 days after created (2026-12-01): at most 180d (exceptions.maxLifetime)',
      'exceptions[2].id: duplicate exception id "dup" (also team.yaml exceptions[1])',
      'exceptions[2].expires: 2026-11-15 is not after created (2026-12-01)',
      'exceptions[2].controls[0]: no control "cis-5.2.2" (did you mean CIS-5.2.2?)',
    ]);
  });

  it('reads files and directories, refusing a bad file whole while keeping the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-exc-'));
    mkdirSync(join(dir, 'teams'));
    writeFileSync(join(dir, 'teams', 'a.yaml'), valid);
    writeFileSync(join(dir, 'teams', 'b.yml'), 'exceptions:\n  - { id: payments-agent, controls: [CIS-5.1.1], owner: o, reason: r, created: 2026-12-01, expires: 2027-01-01 }\n');
    writeFileSync(join(dir, 'teams', 'c.yaml'), 'exceptions: [\n');
    writeFileSync(join(dir, 'teams', 'notes.txt'), 'not read');
    writeFileSync(join(dir, 'one.yaml'), 'exceptions:\n  - { id: one, controls: [CIS-5.1.1], owner: o, reason: r, created: 2026-12-01, expires: 2027-01-01 }\n');
    const loaded = loadExceptions([join(dir, 'teams'), join(dir, 'one.yaml'), join(dir, 'missing.yaml')], opts);
    expect(loaded.exceptions.map((e) => e.id)).toEqual(['payments-agent', 'one']);
    expect(loaded.files).toEqual([join(dir, 'teams', 'a.yaml'), join(dir, 'teams', 'b.yml'), join(dir, 'teams', 'c.yaml'), join(dir, 'one.yaml'), join(dir, 'missing.yaml')]);
    expect(loaded.invalid).toEqual([
      { file: join(dir, 'teams', 'b.yml'), issues: [`exceptions[0].id: duplicate exception id "payments-agent" (also ${join(dir, 'teams', 'a.yaml')} exceptions[0])`] },
      { file: join(dir, 'teams', 'c.yaml'), issues: [expect.stringMatching(/^line \d+: /)] },
      { file: join(dir, 'missing.yaml'), issues: ['file not found'] },
    ]);
  });

  it('digests the set by content: order and file do not matter, a changed expiry does', () => {
    const a = parseExceptionsFile(valid, 'a.yaml', opts);
    const b = parseExceptionsFile(`${valid}  - { id: bare, controls: [CIS-5.1.1], owner: o, reason: r, created: 2026-12-01, expires: 2027-01-01 }\n`, 'b.yaml', opts);
    const moved = [...b].reverse().map((e) => ({ ...e, source: { file: 'elsewhere.yaml', index: 9 } }));
    expect(exceptionsDigest(moved)).toBe(exceptionsDigest(b));
    expect(exceptionsDigest(a)).not.toBe(exceptionsDigest(b));
    expect(exceptionsDigest(b.map((e) => (e.id === 'bare' ? { ...e, expires: '2027-01-02T00:00:00.000Z' } : e)))).not.toBe(exceptionsDigest(b));
    expect(exceptionsDigest([])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes exceptions.paths and exceptions.maxLifetime from the configuration', () => {
    const cfg = parseConfig('clusters:\n  - { name: a, kubeconfig: k }\nexceptions:\n  paths: [exceptions/, /abs/x.yaml]\n  maxLifetime: 90d\n', '/srv/complyd.yaml', {});
    expect(cfg.exceptions).toEqual({ paths: ['/srv/exceptions', '/abs/x.yaml'], maxLifetime: 90 * DAY });
    expect(parseConfig('clusters:\n  - { name: a, kubeconfig: k }\n', '/srv/complyd.yaml', {}).exceptions).toEqual({ paths: [], maxLifetime: 180 * DAY });
  });
});

describe('the shipped example', () => {
  it('is a valid exceptions file against the catalog', async () => {
    const { CONTROLS } = await import('../../src/controls/index.js');
    const loaded = loadExceptions(['config/exceptions.example.yaml'], { maxLifetimeMs: 180 * DAY, knownControls: CONTROLS.map((c) => c.id) });
    expect(loaded.invalid).toEqual([]);
    expect(loaded.exceptions.map((e) => e.id)).toEqual(['payments-node-agent', 'staging-debug-tools']);
  });
});
