import { CronExpressionParser } from 'cron-parser'
import { z } from 'zod'
import { DEFAULT_REGION } from '../domain/region.ts'
import { DEFAULT_RUN_EMAIL_DOMAIN } from '../domain/journey/run-values.ts'
import { parseAllowedTargets } from '../domain/target-policy.ts'
import { clusterPrefix, parseClusterNodes, QUEUE_PREFIX } from './redis-cluster.ts'
import { parseTrustProxy } from './trust-proxy.ts'
import { DEFAULT_EVIDENCE_LIMITS_MB } from '../evidence/limits.ts'
import { parseS3Url } from '../evidence/s3-url.ts'

// All configuration comes from the environment, parsed once at boot.
// A wrong value stops the start with a message naming the variable.

const optionalUrl = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine(
      (v) => {
        if (v === undefined) return true
        try {
          return protocols.includes(new URL(v).protocol)
        } catch {
          return false
        }
      },
      { message: `expected a URL like ${example}` },
    )

/** A text its own parser must accept (empty by default); the parser's error, less its own prefix, is the message. */
function readBy(parse: (value: string) => unknown, prefix?: RegExp) {
  return z
    .string()
    .default('')
    .superRefine((value, ctx) => {
      try {
        parse(value)
      } catch (error) {
        const message = (error as Error).message
        ctx.addIssue({ code: 'custom', message: prefix ? message.replace(prefix, '') : message })
      }
    })
}

const flag = (fallback: boolean) =>
  z
    .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : ['1', 'true', 'yes', 'on'].includes(v)))

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:'], 'postgres://user@127.0.0.1:5432/kept'),
  REDIS_URL: optionalUrl(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  // A Redis Cluster's seed nodes; takes precedence over REDIS_URL (src/infra/redis.ts).
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined
      try {
        return parseClusterNodes(value)
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message })
        return z.NEVER
      }
    }),
  KEPT_CHROMIUM_PATH: z.string().optional(),
  // Empty counts as unset (docker compose passes `${KEPT_SECRET_KEY:-}` through).
  KEPT_SECRET_KEY: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().min(32, 'expected at least 32 characters (e.g. `openssl rand -base64 32`)').optional(),
  ),
  KEPT_DATA_DIR: z.string().default('./.kept'),
  KEPT_DEMO: flag(true),
  /** 1: /metrics answers without a token (a scraper inside a private network). */
  KEPT_METRICS_PUBLIC: flag(false),
  KEPT_DEMO_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  // With REDIS_CLUSTER_NODES, wrapped in a {hash tag} unless it has one (see parse below).
  KEPT_QUEUE_PREFIX: z
    .string()
    .min(1, 'expected a prefix like kept')
    .regex(QUEUE_PREFIX, 'expected letters, digits, _ . : - and at most one {hash tag}, like kept or {kept}')
    .default('kept'),
  /** The region a journey worker walks for (its queue, its heartbeat); `kept start`'s and the default of new promises. */
  KEPT_REGION: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]{1,32}$/, 'expected 1 to 32 lowercase letters, digits or -, like eu or us-east')
    .default(DEFAULT_REGION),
  /** A journey worker answers GET /livez and /readyz on this port (container probes); unset: no listener. */
  KEPT_WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  KEPT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  /** A journey worker touches this file every 10 s while it runs (container health checks). */
  KEPT_HEARTBEAT_FILE: z.string().optional(),
  // Host patterns and CIDRs a journey may reach although private (src/domain/target-policy.ts).
  KEPT_ALLOWED_TARGETS: readBy((value) => parseAllowedTargets(value), /^KEPT_ALLOWED_TARGETS: /),
  // How often Kept checks that Redis still holds every schedule (a Redis
  // restarted without persistence has lost them all).
  KEPT_SCHEDULE_CHECK_SECONDS: z.coerce.number().min(1, 'expected at least 1 second').max(600, 'expected at most 600 seconds').default(10),
  // Behind a reverse proxy: how many there are, or their addresses, so the
  // sign-in limit reads the client from X-Forwarded-For (docs/security.md).
  KEPT_TRUST_PROXY: readBy(parseTrustProxy),
  // "Build by clicking" (docs/journeys.md): sessions of the API's own Chromium
  // open at once (0 turns the builder off), closed after so long idle and so
  // long in all.
  KEPT_BUILDER_SESSIONS: z.coerce.number().int().min(0, 'expected 0 or more sessions').max(20, 'expected at most 20 sessions').default(2),
  KEPT_BUILDER_IDLE_SECONDS: z.coerce.number().int().min(10, 'expected at least 10 seconds').max(3600, 'expected at most 3600 seconds').default(300),
  KEPT_BUILDER_MAX_MINUTES: z.coerce.number().int().min(1, 'expected at least 1 minute').max(240, 'expected at most 240 minutes').default(30),
  KEPT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // The evidence store (docs/deploy.md, "Evidence"): unset, the data dir;
  // s3://bucket/prefix, an S3-compatible bucket, reached with the usual
  // AWS_* variables (AWS_ENDPOINT_URL for a server of your own, path-style).
  KEPT_EVIDENCE_URL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined
      try {
        return parseS3Url(value)
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message })
        return z.NEVER
      }
    }),
  AWS_ENDPOINT_URL: optionalUrl(['http:', 'https:'], 'http://127.0.0.1:9000'),
  AWS_REGION: z.string().trim().optional().transform((v) => (v === '' ? undefined : v)),
  AWS_ACCESS_KEY_ID: z.string().optional().transform((v) => (v === '' ? undefined : v)),
  AWS_SECRET_ACCESS_KEY: z.string().optional().transform((v) => (v === '' ? undefined : v)),
  // The largest screenshot and trace a run keeps, in MB; a bigger file is not
  // kept and the run says so. How long a failing evidence store is retried
  // before a run is recorded without its evidence.
  KEPT_EVIDENCE_MAX_SCREENSHOT_MB: z.coerce.number().positive('expected a number of MB above 0').max(1024, 'expected at most 1024 MB').default(DEFAULT_EVIDENCE_LIMITS_MB.screenshot),
  KEPT_EVIDENCE_MAX_TRACE_MB: z.coerce.number().positive('expected a number of MB above 0').max(1024, 'expected at most 1024 MB').default(DEFAULT_EVIDENCE_LIMITS_MB.trace),
  KEPT_EVIDENCE_RETRY_SECONDS: z.coerce.number().min(0, 'expected 0 or more seconds').max(86_400, 'expected at most 86400 seconds (a day)').default(600),
  // How long the API may answer the promise list and status from memory (0: never).
  KEPT_API_CACHE_MS: z.coerce.number().int().min(0, 'expected 0 or more milliseconds').max(60_000).default(1000),
  KEPT_TIMEZONE: z.string().default('UTC'),
  // The public status page (/status, docs/status-page.md): the site's name,
  // its logo (a PNG, JPEG, SVG or WebP file, served by Kept), and how long
  // an answer is served from memory.
  KEPT_STATUS_NAME: z.string().trim().min(1, 'expected the name customers know you by').max(100, 'expected at most 100 characters').default('Status'),
  KEPT_STATUS_LOGO: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || /\.(png|jpe?g|svg|webp)$/i.test(v), { message: 'expected the path of a .png, .jpg, .svg or .webp file' }),
  KEPT_STATUS_CACHE_SECONDS: z.coerce.number().min(0, 'expected 0 or more seconds').max(300, 'expected at most 300 seconds').default(10),
  // The domain of {{run.email}} in journeys: a new address on it each run (docs/journeys.md).
  KEPT_RUN_EMAIL_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, 'expected a domain like example.com')
    .default(DEFAULT_RUN_EMAIL_DOMAIN),
  KEPT_PUBLIC_URL: optionalUrl(['http:', 'https:'], 'https://kept.example.com'),
  KEPT_ADMIN_EMAIL: z.string().email('expected an email address').optional(),
  KEPT_ADMIN_PASSWORD: z.string().min(8, 'expected at least 8 characters').optional(),
  SMTP_URL: optionalUrl(['smtp:', 'smtps:'], 'smtp://user:pass@mail.example.com:587'),
  SMTP_FROM: z.string().default('Kept <kept@localhost>'),
  // Alerts: reminders while a break stays open and unacknowledged, and
  // grouping of opens that hit one channel together (docs/alerts.md).
  KEPT_REMINDER_HOURS: z.coerce.number().positive('expected a number of hours above 0').max(720).default(4),
  KEPT_REMINDER_MAX: z.coerce.number().int().min(0).max(100).default(6),
  KEPT_ALERT_GROUP_SECONDS: z.coerce.number().min(0).max(600).default(20),
  KEPT_ALERT_GROUP_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(3),
  // Weekly digest (docs/digest.md): when it is sent, and to whom besides
  // the marketing, tech and admin users who have not opted out.
  KEPT_DIGEST_CRON: z
    .string()
    .trim()
    .default('0 8 * * 1')
    .refine((v) => isCronPattern(v), { message: 'expected a cron pattern like "0 8 * * 1" (Monday 08:00)' }),
  KEPT_DIGEST_TO: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a !== ''))
    .pipe(z.array(z.email('expected a comma-separated list of email addresses'))),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).superRefine((env, ctx) => {
  // One half of a key pair is a mistake, not a choice of the SDK's other sources.
  if (env.KEPT_EVIDENCE_URL && Boolean(env.AWS_ACCESS_KEY_ID) !== Boolean(env.AWS_SECRET_ACCESS_KEY)) {
    const missing = env.AWS_ACCESS_KEY_ID ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'
    ctx.addIssue({ code: 'custom', path: [missing], message: `expected with ${missing === 'AWS_ACCESS_KEY_ID' ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'}: set both, or neither to use the SDK's other credentials (a profile, an instance role)` })
  }
})

export type Env = z.infer<typeof envSchema>

/** Every key of Kept in one cluster slot: the prefix carries a hash tag when REDIS_CLUSTER_NODES is set. */
function withClusterPrefix(env: Env): Env {
  return env.REDIS_CLUSTER_NODES ? { ...env, KEPT_QUEUE_PREFIX: clusterPrefix(env.KEPT_QUEUE_PREFIX) } : env
}

function isCronPattern(pattern: string): boolean {
  try {
    CronExpressionParser.parse(pattern).next()
    return true
  } catch {
    return false
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    )
    this.name = 'ConfigError'
  }
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source)
  if (result.success) return withClusterPrefix(result.data)
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '?'),
      message: issue.message,
    })),
  )
}
