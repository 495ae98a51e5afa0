import { z } from 'zod';
import cron from 'node-cron';
import { checkDuration, DURATION_RANGES, formatDuration, type DurationRange } from './duration.js';
import { isTimeZone } from './timezone.js';
import { checkByteSize, RESPONSE_SIZE_RANGE, type ByteRange } from './byte-size.js';
import { FRAMEWORKS } from '../core/control.js';
import { ADMISSION_ACTIONS } from '../core/admission.js';
import { labelSelectorSchema } from './label-selector-schema.js';
import type { Severity } from '../core/types.js';
import { checkProfiles } from './profiles.js';
import { DEFAULT_LISTEN, parseListen } from './listen.js';
import { REPORT_FORMATS } from '../core/report-formats.js';

/** A duration with a unit (`30s`, `5m`, `2h`, `7d`) within `range`, turned into milliseconds. */
const duration = (range: DurationRange) =>
  z.unknown().transform((v, ctx) => {
    const checked = checkDuration(v, range);
    if (checked.ok) return checked.ms;
    ctx.addIssue({ code: 'custom', message: checked.why });
    return z.NEVER;
  })
  // For the published JSON Schema (an editor's hint; the range is checked by complyd).
  .meta({ type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(d|h|m|s|ms))+$', description: 'a duration with a unit: 250ms, 30s, 5m, 2h, 7d, 1h30m' });

/** A byte size with a unit (`256MiB`) within `range`, turned into bytes. */
const byteSize = (range: ByteRange) =>
  z.unknown().transform((v, ctx) => {
    const checked = checkByteSize(v, range);
    if (checked.ok) return checked.bytes;
    ctx.addIssue({ code: 'custom', message: checked.why });
    return z.NEVER;
  })
  .meta({ type: 'string', description: 'a size with a unit: 512KiB, 256MiB, 1GiB' });

/** Defaults of the collector's bounds: they fit a 100,000-pod cluster at the default page size. */
const COLLECT_LIMITS = { maxResponseSize: 256 * 2 ** 20, maxPages: 500 };

/** An IANA time zone name the runtime knows, as node-cron will need it. */
const timeZone = z.string().refine(isTimeZone, { error: (issue) => `unknown time zone: ${JSON.stringify(issue.input)} (use an IANA name such as UTC, Europe/Paris or America/New_York)` });

const cronExpression = z.string().superRefine((expr, ctx) => {
  const result = cron.validateDetailed(expr);
  if (!result.valid) {
    const why = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    ctx.addIssue({ code: 'custom', message: `not a cron expression: "${expr}"${why ? ` (${why})` : ''}` });
  }
});

/** The formats `output.formats` and report jobs may name: those complyd writes. */
export const REPORT_FORMAT_NAMES = REPORT_FORMATS;

const name = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, 'use lower-case letters, digits, ".", "_" and "-" (like a DNS label)');

/**
 * Which namespaces' findings are kept (`--include-namespaces`/`--exclude-namespaces`): names or
 * `*` globs. Everything is still collected and judged; cluster-scoped findings are always kept.
 */
export const namespacesSchema = z
  .object({
    include: z.array(z.string().min(1).max(253)).min(1).optional(),
    exclude: z.array(z.string().min(1).max(253)).min(1).optional(),
  })
  .strict();

export const clusterSchema = z
  .object({
    /** Name used in reports and the store; unique in the fleet. */
    name,
    /** Path of the kubeconfig file; relative paths are resolved against the config file. */
    kubeconfig: z.string().min(1),
    /** Context in the kubeconfig. @default the file's current-context */
    context: z.string().min(1).optional(),
    /** Free labels such as env, region, owner; reports can group by them. */
    labels: z.record(z.string(), z.string()).default({}),
    /** This cluster's namespace selection, instead of the top-level one. @default the top-level `namespaces` */
    namespaces: namespacesSchema.optional(),
  })
  .strict();

/** A scheduled report job (top level, or of a profile: then limited to the profile's clusters). */
export const reportJobSchema = z
  .object({
    /** Names the job's files: <name>-<run time>-<run id>.<format>. */
    name,
    /** When to write it (after the scan in flight, if any). @default after every scheduled scan */
    cron: cronExpression.optional(),
    formats: z.array(z.enum(REPORT_FORMAT_NAMES)).min(1).default(['pdf']),
    /** The period the report looks back over. @default 30d */
    since: duration(DURATION_RANGES.since).default(30 * 86_400_000),
    /** Only these clusters. @default all */
    clusters: z.array(z.string().min(1)).min(1).optional(),
    /** Only the controls of one framework. */
    framework: z.enum(FRAMEWORKS).optional(),
    /** Where its files go. @default <output.dir>/<name> */
    dir: z.string().optional(),
    /** How many files of each format to keep; older ones are deleted. @default 10 */
    keep: z.number().int().min(1).max(10_000).default(10),
  })
  .strict();

/** Most severe first, as core's SEVERITIES. */
/** `requests`, `limits`, or both (each once); empty turns the resource's control off. */
const resourceFields = z
  .array(z.enum(['requests', 'limits']))
  .max(2)
  .refine((list) => new Set(list).size === list.length, { error: 'must name requests and limits at most once each' });

const SEVERITY_NAMES = ['critical', 'high', 'medium', 'low', 'info'] as const satisfies readonly Severity[];

/** A Kubernetes-style label selector over the clusters' `labels`; `{}` selects every cluster. */
const clusterSelectorSchema = labelSelectorSchema;

/** A group of clusters held to its own frameworks, floor, gates, exceptions and reports (ADR 0015). */
export const profileSchema = z
  .object({
    /** Unique among profiles; runs and reports name it. */
    name,
    /** The clusters of the group, by their `labels`; a cluster may belong to one profile at most. */
    selector: clusterSelectorSchema,
    /** The frameworks whose controls are evaluated on the group's clusters. */
    frameworks: z
      .array(z.enum(FRAMEWORKS))
      .min(1, 'at least one framework is required')
      .superRefine((list, ctx) => {
        list.forEach((f, i) => {
          if (list.indexOf(f) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `"${f}" is listed twice` });
        });
      }),
    /** Controls of a lower severity are not evaluated on the group's clusters. @default info (all) */
    severityFloor: z.enum(SEVERITY_NAMES).optional(),
    /** The group's gate thresholds (the same meaning as --fail-on, --fail-below-score, --fail-on-new). */
    gates: z
      .object({
        failOn: z.enum(SEVERITY_NAMES).optional(),
        failBelowScore: z.number().min(0).max(100).optional(),
        failOnNew: z.boolean().optional(),
      })
      .strict()
      .default({}),
    /** Exceptions files or directories applied to the group's clusters, beside `exceptions.paths`. */
    exceptions: z.array(z.string().min(1)).default([]),
    /**
     * What the group's clusters are expected to enforce at admission, per framework or control
     * id: Deny, Warn or Audit, as a binding's validationActions say (ADR 0020). Less in a
     * cluster is drift. @default nothing expected
     */
    enforcement: z
      .record(
        z.string().max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a framework name or a control id'),
        z.enum(ADMISSION_ACTIONS, { message: 'Deny, Warn or Audit (as a binding\'s validationActions)' }),
      )
      .optional(),
    /** Report jobs over the group's clusters only. */
    reports: z.array(reportJobSchema).default([]),
  })
  .strict();

/** The kinds of alert events (src/alerts/events.ts), kept in step with ALERT_KINDS there (a test checks). */
export const ALERT_EVENT_NAMES = ['score-drop', 'new-critical', 'cluster-not-assessed', 'exception-expired', 'exception-expiring', 'enforcement-drift'] as const;

/** One receiver of alerts. */
export const webhookSchema = z
  .object({
    /** Names the webhook in logs, dead letters and `alerts test --webhook`. */
    name,
    /** Where the alert is POSTed: https, or http for a receiver on the same host or network. */
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2048),
    /**
     * Key of the HMAC-SHA256 signature sent in `X-Complyd-Signature` (generic format); write
     * `${ENV_VAR}` so that it stays out of the file. @default unsigned
     */
    secret: z.string().min(16, 'use at least 16 characters').max(1024).optional(),
    /** `generic`: complyd's versioned JSON (complyd.alert/v1); `slack`: a Slack incoming-webhook message. @default generic */
    format: z.enum(['generic', 'slack']).default('generic'),
    /** The events sent to this webhook. @default every event */
    events: z.array(z.enum(ALERT_EVENT_NAMES)).min(1).optional(),
    /** Deadline of one delivery attempt. @default 10s */
    timeout: duration(DURATION_RANGES.alertTimeout).default(10_000),
    /** Attempts after the first one fails, with exponential backoff and jitter. 0 to 10. @default 3 */
    retries: z.number().int().min(0).max(10).default(3),
  })
  .strict();

/** Webhook alerts sent after every scan (ADR 0022). */
export const alertsSchema = z
  .object({
    webhooks: z.array(webhookSchema).max(20).default([]),
    /** A cluster's compliance score falling by more than this many points from its previous scan is an event. @default 5 */
    scoreDrop: z.number().min(0).max(100).default(5),
    /** An exception expiring within this is announced once, when it comes within. @default 7d */
    expiringWithin: duration(DURATION_RANGES.alertExpiring).default(7 * 86_400_000),
    /** How long delivering one run's alerts may take in all, retries included; what is left undelivered becomes a dead letter. @default 60s */
    deadline: duration(DURATION_RANGES.alertDeadline).default(60_000),
    /** Findings listed at most in one new-critical event (the count is always given). @default 20 */
    maxFindings: z.number().int().min(1).max(500).default(20),
  })
  .strict()
  .superRefine((a, ctx) => {
    const seen = new Map<string, number>();
    a.webhooks.forEach((w, i) => {
      const first = seen.get(w.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'name'], message: `duplicate webhook name "${w.name}" (also webhooks[${first}])` });
      else seen.set(w.name, i);
    });
  });

export const configSchema = z
  .object({
    clusters: z.array(clusterSchema).min(1, 'at least one cluster is required'),
    /** The namespaces whose findings every cluster keeps, unless it has its own. @default all */
    namespaces: namespacesSchema.optional(),
    schedule: z
      .object({
        /** When the daemon scans the fleet. @default every 6 hours */
        scan: cronExpression.default('0 */6 * * *'),
        /** IANA time zone for the cron expression. @default UTC */
        timezone: timeZone.default('UTC'),
        /**
         * How long a daemon holds a slot without renewing it: a daemon that dies mid-scan has
         * its slot taken over by another replica this long after its last renewal. @default 60s
         */
        lease: duration(DURATION_RANGES.lease).default(60_000),
        /** How often the holder renews its lease, and replicas look for lapsed ones; at most half the lease. @default 15s */
        leaseRenew: duration(DURATION_RANGES.leaseRenew).default(15_000),
      })
      .strict()
      .superRefine((s, ctx) => {
        // Two renewals per lease: one late renewal must not hand a live daemon's slot to another.
        if (s.leaseRenew * 2 > s.lease) ctx.addIssue({ code: 'custom', path: ['leaseRenew'], message: `must be at most half of schedule.lease (${s.lease} ms), got ${s.leaseRenew} ms` });
      })
      .default({ scan: '0 */6 * * *', timezone: 'UTC', lease: 60_000, leaseRenew: 15_000 }),
    storage: z
      .union([
        z.object({ sqlite: z.string().min(1) }).strict(),
        z.object({ postgres: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL') }).strict(),
      ])
      .default({ sqlite: './complyd.sqlite' }),
    output: z
      .object({
        /** Where reports are written. @default ./complyd-out */
        dir: z.string().default('./complyd-out'),
        /** Report formats written after every scan. @default [json] */
        formats: z.array(z.enum(REPORT_FORMAT_NAMES)).default(['json']),
        /**
         * How many of these reports to keep per format; older ones that complyd wrote there
         * are deleted after each scan (a scheduled daemon would otherwise fill the disk). @default 10
         */
        keep: z.number().int().min(1).max(10_000).default(10),
      })
      .strict()
      .default({ dir: './complyd-out', formats: ['json'], keep: 10 }),
    /** Scheduled report jobs, run by the daemon. */
    reports: z
      .array(reportJobSchema)
      .default([]),
    collect: z
      .object({
        /** Clusters collected at the same time. @default 4 */
        concurrency: z.number().int().min(1).max(64).default(4),
        /** Whole-cluster deadline; what is not read by then becomes a gap. @default 5m */
        clusterTimeout: duration(DURATION_RANGES.clusterTimeout).default(300_000),
        /** Deadline of one API request. @default 30s */
        requestTimeout: duration(DURATION_RANGES.requestTimeout).default(30_000),
        /** Items per list page (`limit`). @default 500 */
        pageSize: z.number().int().min(1).max(10_000).default(500),
        /**
         * Bytes of one API answer read at most; a list page past it is a `limit` gap (a page of
         * 500 pods is about 10 MiB). 1KiB to 512MiB. @default 256MiB
         */
        maxResponseSize: byteSize(RESPONSE_SIZE_RANGE).default(COLLECT_LIMITS.maxResponseSize),
        /** Pages of one list read at most; a longer list is a `limit` gap (100,000 pods take 200 pages of 500). @default 500 */
        maxPages: z.number().int().min(1).max(1_000_000).default(COLLECT_LIMITS.maxPages),
      })
      .strict()
      .superRefine((c, ctx) => {
        if (c.requestTimeout > c.clusterTimeout) {
          ctx.addIssue({ code: 'custom', path: ['requestTimeout'], message: `longer than collect.clusterTimeout (${formatDuration(c.clusterTimeout)}), which cuts every request short` });
        }
      })
      .default({ concurrency: 4, clusterTimeout: 300_000, requestTimeout: 30_000, pageSize: 500, ...COLLECT_LIMITS }),
    retention: z
      .object({
        /**
         * Blank the evidence text (observed values, messages) of findings resolved longer ago
         * than this; counts, scores and lifecycles are kept forever. @default keep everything
         */
        evidence: duration(DURATION_RANGES.retention).optional(),
      })
      .strict()
      .default({}),
    exceptions: z
      .object({
        /** Exceptions files, or directories of them (their *.yaml and *.yml files); relative paths are resolved against the config file. @default none */
        paths: z.array(z.string().min(1)).default([]),
        /** The longest an exception may run from created to expires. @default 180d */
        maxLifetime: duration(DURATION_RANGES.exceptionLifetime).default(180 * 86_400_000),
      })
      .strict()
      .default({ paths: [], maxLifetime: 180 * 86_400_000 }),
    /** Site policies of the hardening controls (HARD-image-digest, HARD-image-registry, HARD-network-internet-egress). @default off */
    hardening: z
      .object({
        /** Every image must be referenced by digest (@sha256:...). @default false */
        requireDigest: z.boolean().default(false),
        /** Registries (host, or host/path prefix) images may come from. @default any */
        allowedRegistries: z.array(z.string().min(1).regex(/^[^\s@:]+(:\d+)?(\/[^\s@:]+)*$/, 'must be a registry host[:port] with an optional path, like registry.example.com/team')).default([]),
        /**
         * Namespaces whose workloads should not reach the internet (HARD-network-internet-egress): by name, and by
         * a label selector on the Namespace. Other namespaces are not judged. @default none: the control is not applicable
         */
        noInternetEgress: z
          .object({
            namespaces: z.array(z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name')).max(1000).default([]),
            namespaceSelector: labelSelectorSchema.optional(),
          })
          .strict()
          .default({ namespaces: [] }),
        /**
         * Which of request and limit the resource controls require, per resource (HARD-cpu-requests-limits,
         * HARD-memory-requests-limits); an empty list makes that control not applicable. @default both, for cpu and memory
         */
        resources: z
          .object({
            cpu: resourceFields.default(['requests', 'limits']),
            memory: resourceFields.default(['requests', 'limits']),
          })
          .strict()
          .default({ cpu: ['requests', 'limits'], memory: ['requests', 'limits'] }),
      })
      .strict()
      .default({ requireDigest: false, allowedRegistries: [], noInternetEgress: { namespaces: [] }, resources: { cpu: ['requests', 'limits'], memory: ['requests', 'limits'] } }),
    /** Custom controls in CEL (one YAML file per control; see config/controls.d/). @default none */
    controls: z
      .object({
        /** Directories of custom control files (their *.yaml and *.yml), or files; relative paths are resolved against the config file. @default none */
        dirs: z.array(z.string().min(1)).max(50).default([]),
      })
      .strict()
      .default({ dirs: [] }),
    /** Cluster groups by label selector, each with its frameworks, floor, gates, exceptions and reports. @default none */
    profiles: z.array(profileSchema).default([]),
    /** Webhook alerts after every scan. @default none */
    alerts: alertsSchema.default({ webhooks: [], scoreDrop: 5, expiringWithin: 7 * 86_400_000, deadline: 60_000, maxFindings: 20 }),
    /** The daemon's HTTP server: health, metrics and the read-only API. @default 127.0.0.1:9464, no tokens, no TLS */
    server: z
      .object({
        /** host:port, [ipv6]:port, :port (loopback) or off. An address other than loopback needs tokens. @default 127.0.0.1:9464 */
        listen: z
          .string()
          .default(DEFAULT_LISTEN)
          .superRefine((text, ctx) => {
            try {
              parseListen(text);
            } catch (err) {
              ctx.addIssue({ code: 'custom', message: (err as Error).message });
            }
          }),
        /** Bearer tokens accepted (besides those of COMPLYD_API_TOKENS); write them as ${ENV} references. @default none */
        tokens: z.array(z.string().min(16, 'a token must be at least 16 characters').max(512)).max(64).default([]),
        /** Files of bearer tokens, one per line (a mounted Kubernetes Secret), read at start; relative paths against the config file. @default none */
        tokenFiles: z.array(z.string().min(1)).max(16).optional(),
        /** Serve HTTPS with this certificate and key (PEM files; relative paths against the config file). @default plain HTTP */
        tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict().optional(),
        /** /readyz fails when the last successful scan is older than this many scan slots. @default 2 */
        readySlots: z.number().int().min(1).max(1000).default(2),
      })
      .strict()
      .default({ listen: DEFAULT_LISTEN, tokens: [], readySlots: 2 }),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.clusters.forEach((c, i) => {
      const first = seen.get(c.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicate cluster name "${c.name}" (also clusters[${first}])` });
      } else seen.set(c.name, i);
    });
    const jobs = new Map<string, number>();
    cfg.reports.forEach((job, i) => {
      const first = jobs.get(job.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['reports', i, 'name'], message: `duplicate report name "${job.name}" (also reports[${first}])` });
      else jobs.set(job.name, i);
      (job.clusters ?? []).forEach((c, j) => {
        if (!seen.has(c)) ctx.addIssue({ code: 'custom', path: ['reports', i, 'clusters', j], message: `no cluster named "${c}" in clusters` });
      });
    });
    checkProfiles(cfg, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
  });

export type RawConfig = z.infer<typeof configSchema>;
