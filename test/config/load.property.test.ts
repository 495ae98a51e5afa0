import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseConfig, type Config } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { DURATION_RANGES, MAX_TIMER_MS, TIMER_DURATIONS, parseDuration } from '../../src/config/duration.js';
import { isTimeZone } from '../../src/config/timezone.js';
import { previousSlot } from '../../src/schedule/scheduler.js';
import { propertyRuns } from '../helpers/property.js';

/**
 * Generated configurations: whatever the text, the loader returns a configuration within
 * every range or throws a ConfigError whose every line names a key path, a line of the file,
 * or the file. 500 runs per property in CI; COMPLYD_PROPERTY_RUNS=20000 for a longer hunt
 * (a failure prints the seed and path that replay it).
 */
const RUNS = propertyRuns(500);
const FILE = '/srv/complyd/complyd.yaml';

const SEGMENT = String.raw`(?:[A-Za-z_][A-Za-z0-9_-]*|\[(?:\d+|"(?:[^"\\]|\\.)*")\])`;
const KEY_PATH_ISSUE = new RegExp(String.raw`^(?:\(top level\)|${SEGMENT}(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[(?:\d+|"(?:[^"\\]|\\.)*")\])*): \S`);
const LINE_ISSUE = /^line (?:\d+|\?): \S/;

let inputs = 0;

/** Load `text`; on refusal check the error's shape. Any other throw fails the property. */
function load(text: string, env: NodeJS.ProcessEnv = {}): Config | ConfigError {
  inputs += 1;
  try {
    return parseConfig(text, FILE, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.message.startsWith(`${FILE}: `)).toBe(true);
    expect(err.issues.length).toBeGreaterThan(0);
    for (const issue of err.issues) {
      // A file-level refusal (size, nesting, aliases) is the message itself, after the file name.
      if (!KEY_PATH_ISSUE.test(issue) && !LINE_ISSUE.test(issue)) expect(err.message).toBe(`${FILE}: ${issue}`);
    }
    return err;
  }
}

/** What an accepted configuration promises the daemon and the collector. */
function expectSafe(cfg: Config): void {
  for (const key of ['requestTimeout', 'clusterTimeout'] as const) {
    expect(cfg.collect[key]).toBeGreaterThanOrEqual(DURATION_RANGES[key].min);
    expect(cfg.collect[key]).toBeLessThanOrEqual(Math.min(DURATION_RANGES[key].max, MAX_TIMER_MS));
  }
  expect(cfg.collect.requestTimeout).toBeLessThanOrEqual(cfg.collect.clusterTimeout);
  for (const job of cfg.reports) expect(job.since).toBeGreaterThanOrEqual(DURATION_RANGES.since.min);
  if (cfg.retention.evidence !== undefined) expect(Number.isNaN(new Date(Date.now() - cfg.retention.evidence).getTime())).toBe(false);
  // What threw past the configuration check when the daemon scheduled its first job.
  expect(() => previousSlot(cfg.schedule.scan, cfg.schedule.timezone, new Date(), 60_000)).not.toThrow();
  expect(new Set(cfg.clusters.map((c) => c.name)).size).toBe(cfg.clusters.length);
}

function check(text: string, env: NodeJS.ProcessEnv = {}): void {
  const out = load(text, env);
  if (!(out instanceof ConfigError)) expectSafe(out);
}

const VALID = {
  clusters: [
    { name: 'prod', kubeconfig: '~/.kube/prod.yaml', labels: { env: 'prod' } },
    { name: 'dev', kubeconfig: 'kube/dev.yaml', context: 'kind-dev' },
  ],
  schedule: { scan: '0 */6 * * *', timezone: 'UTC' },
  storage: { sqlite: './complyd.sqlite' },
  output: { dir: './out', formats: ['json', 'csv'] },
  reports: [{ name: 'weekly', cron: '0 6 * * 1', formats: ['pdf'], since: '7d', clusters: ['prod'], keep: 4 }],
  collect: { concurrency: 4, clusterTimeout: '5m', requestTimeout: '30s', pageSize: 500 },
  retention: { evidence: '400d' },
  log: { level: 'info' },
};

const UNITS = ['d', 'h', 'm', 's', 'ms'] as const;
/** Durations as people write them, and as they mistype them. */
const durationText = fc.oneof(
  fc.array(fc.tuple(fc.oneof(fc.nat({ max: 100_000 }), fc.double({ min: 0, max: 1e6, noNaN: true })), fc.constantFrom(...UNITS)), { minLength: 1, maxLength: 4 }).map((parts) => parts.map(([n, u]) => `${n}${u}`).join('')),
  fc.constantFrom('', ' ', '5 m', '-1s', '1e3s', '24.8d', '25d', '10m1s', '0s', 'Infinityd', '9'.repeat(400) + 'd', '1h30m', '30m1h', '5M'),
  fc.string({ maxLength: 12 }),
);
const durationValue = fc.oneof(durationText, fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.array(durationText, { maxLength: 2 }));

const ZONES = Intl.supportedValuesOf('timeZone');
const timeZoneValue = fc.oneof(fc.constantFrom(...ZONES), fc.constantFrom(...ZONES).map((z) => z.toLowerCase()), fc.constantFrom('', 'Local', 'Mars/Olympus', '+01:00', 'UTC ', 'Etc/GMT+14', 'Etc/GMT+15', 'EST5EDT'), fc.string({ maxLength: 20 }).filter((z) => !z.includes('${')));

/** Text with `${…}` references, well formed or not, and the environment they meet. */
const envName = fc.oneof(fc.constantFrom('DB', 'KUBE', 'HOME_DIR', 'constructor', '__proto__', 'toString', '1BAD', 'A-B', ''), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/));
const reference = fc.oneof(
  envName.map((n) => `\${${n}}`),
  fc.tuple(envName, fc.string({ maxLength: 8 })).map(([n, d]) => `\${${n}:-${d}}`),
  envName.map((n) => `\${${n}`),
  fc.constantFrom('$', '$$', '$${', '${', '}', ':-', '${A:-${B}}', '$${X}'),
);
const withReferences = fc.array(fc.oneof(reference, fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 }).map((parts) => parts.join(''));
const environment = fc.dictionary(envName, fc.oneof(fc.constant(''), fc.string({ maxLength: 10 }), fc.constantFrom('postgres://u@db/c', '5m', 'Europe/Paris')), { maxKeys: 5 });

/** One key path into VALID, where a mutation lands. */
const PATHS: Array<ReadonlyArray<string | number>> = [];
(function collect(value: unknown, path: Array<string | number>) {
  PATHS.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => collect(v, [...path, i]));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, [...path, k]);
})(VALID, []);

function setAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown, remove: boolean): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  if (path.length === 0) return value;
  if (!copy || typeof copy !== 'object') return copy;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    // An earlier mutation may have removed or replaced what this one aims into.
    if (!node[key] || typeof node[key] !== 'object') return copy;
    node = node[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1] as string | number;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

const mutation = fc.record({
  path: fc.constantFrom(...PATHS),
  remove: fc.boolean(),
  value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), durationValue, timeZoneValue, withReferences),
});

/** Fragments that mean something to a YAML parser, glued at random. */
const YAML_TOKENS = ['clusters:', 'schedule:', 'collect:', 'reports:', '\n', '\n  ', '  ', '- ', '[', ']', '{', '}', ', ', ': ', '? ', '&a ', '*a', '&b ', '*b', '!!str ', '!!map ', '!!binary ', '!custom ', '<<: ', '"', "'", '#', '---\n', '...\n', '|\n  ', '>-\n  ', '%YAML 1.2\n', '~', 'null', 'true', '0x1F', '.inf', '-.nan', '1e400', 'name: a', 'kubeconfig: k', 'timezone: ', 'since: ', '${', '}', '\t', '\u0000', '\uFEFF', 'é', '\u{1F600}'];
const yamlish = fc.array(fc.oneof(fc.constantFrom(...YAML_TOKENS), fc.string({ maxLength: 5 })), { maxLength: 60 }).map((parts) => parts.join(''));

describe('configuration loader, generated inputs', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('accepts the valid base configuration (so mutations start from something that loads)', () => {
    expect(load(stringify(VALID))).not.toBeInstanceOf(ConfigError);
  });

  it('random YAML-ish text: a configuration or a ConfigError naming key path, line or file', () => {
    fc.assert(fc.property(yamlish, (text) => check(text)), { numRuns: RUNS });
    fc.assert(fc.property(yamlish, (text) => check(`clusters: [{name: a, kubeconfig: k}]\n${text}`)), { numRuns: RUNS });
  });

  it('mutated valid configurations, as YAML and as JSON', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), environment, (mutations, asJson, env) => {
        const doc = mutations.reduce<unknown>((d, m) => setAt(d, m.path, m.value, m.remove), VALID);
        check(asJson ? JSON.stringify(doc) : stringify(doc), env);
      }),
      { numRuns: RUNS },
    );
  });

  it('durations: accepted only with a unit and within the key range, so timers never overflow', () => {
    for (const key of TIMER_DURATIONS) expect(DURATION_RANGES[key].max).toBeLessThanOrEqual(MAX_TIMER_MS);
    fc.assert(
      fc.property(durationValue, durationValue, durationValue, durationValue, (request, cluster, since, evidence) => {
        const doc = { ...VALID, collect: { requestTimeout: request, clusterTimeout: cluster }, reports: [{ name: 'r', since }], retention: { evidence } };
        const out = load(stringify(doc));
        if (out instanceof ConfigError) return;
        expectSafe(out);
        expect(out.collect.requestTimeout).toBe(parseDuration(request));
        expect(out.retention.evidence).toBe(parseDuration(evidence));
      }),
      { numRuns: RUNS },
    );
  });

  it('time zones: accepted exactly when the runtime knows them, and then usable by the scheduler', () => {
    fc.assert(
      fc.property(timeZoneValue, (timezone) => {
        const out = load(stringify({ ...VALID, schedule: { timezone } }));
        expect(out instanceof ConfigError).toBe(!isTimeZone(timezone));
        if (out instanceof ConfigError) expect(out.issues).toEqual([expect.stringMatching(/^schedule\.timezone: unknown time zone: /)]);
        else expectSafe(out);
      }),
      { numRuns: RUNS },
    );
  });

  it('environment references: substituted or named with their key path; an unterminated one is never a file name', () => {
    fc.assert(
      fc.property(withReferences, withReferences, environment, (kubeconfig, context, env) => {
        const out = load(stringify({ clusters: [{ name: 'a', kubeconfig, context }] }), env);
        // A `${` (not `$${`) with no `}` after it: it used to pass through into the value.
        if (/(^|[^$])\$\{[^}]*$/.test(kubeconfig)) expect(out).toBeInstanceOf(ConfigError);
        if (out instanceof ConfigError) {
          for (const issue of out.issues) expect(issue).toMatch(/^clusters\[0\]\.(kubeconfig|context): /);
          if (/(^|[^$])\$\{[^}]*$/.test(kubeconfig)) expect(out.issues).toContainEqual(expect.stringMatching(/^clusters\[0\]\.kubeconfig: unterminated reference /));
        }
      }),
      { numRuns: RUNS },
    );
    // Well-formed references around plain text come out as the variable's value or the default.
    const plain = fc.stringMatching(/^[^${}]{0,8}$/);
    fc.assert(
      fc.property(plain, fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/), fc.option(fc.string({ minLength: 1, maxLength: 6 }).filter((v) => !v.includes('$'))), plain, (before, name, value, after) => {
        const env = value === null ? {} : { [name]: value };
        const out = load(stringify({ clusters: [{ name: 'a', kubeconfig: 'k', context: `${before}\${${name}:-fallback}${after}` }] }), env);
        expect(out).not.toBeInstanceOf(ConfigError);
        if (!(out instanceof ConfigError)) expect(out.clusters[0]?.context).toBe(`${before}${value ?? 'fallback'}${after}`);
      }),
      { numRuns: RUNS },
    );
  });

  afterAll(() => process.stderr.write(`configuration loader: ${inputs} generated inputs\n`));
});
