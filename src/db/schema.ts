import type { Device } from '../domain/device.ts'
import { sql } from 'drizzle-orm'
import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import type { Budgets } from '../domain/budget.ts'
import type { ClaimDrift } from '../domain/claims/drift.ts'
import type { Failure, StepResult, Vitals } from '../domain/run.ts'

// One schema for both drivers (postgres.js and PGlite). Migrations must
// suit Postgres 15 and PGlite's Postgres 18: plain types, no extensions.

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`)
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
const tz = (name: string) => timestamp(name, { withTimezone: true })

export type Role = 'admin' | 'marketing' | 'tech' | 'viewer'

export const users = pgTable('users', {
  id: id(),
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash'),
  role: text('role').$type<Role>().notNull(),
  digestOptOut: boolean('digest_opt_out').notNull().default(false),
  disabledAt: tz('disabled_at'),
  createdAt: createdAt(),
})

export const sessions = pgTable(
  'sessions',
  {
    /** sha256 of the cookie value; the cookie itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

export const apiTokens = pgTable('api_tokens', {
  id: id(),
  name: text('name').notNull(),
  role: text('role').$type<Role>().notNull(),
  /** Tokens made by `kept token create` belong to no user. */
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  /** sha256 of the token; the token itself is shown once and never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  /** The first characters, to tell tokens apart in lists. */
  prefix: text('prefix').notNull(),
  createdAt: createdAt(),
  lastUsedAt: tz('last_used_at'),
  revokedAt: tz('revoked_at'),
})

export type PromiseSource = 'form' | 'check' | 'demo'
export type { Device }

/**
 * A break state machine's columns: a promise's over all its regions, and
 * each region's (promise_regions), so the recorder keeps both alike.
 */
function breakStateColumns() {
  return {
    state: text('state').$type<'pending' | 'kept' | 'at_risk' | 'broken'>().notNull().default('pending'),
    consecutiveBroken: integer('consecutive_broken').notNull().default(0),
    consecutiveKept: integer('consecutive_kept').notNull().default(0),
    openBreakId: uuid('open_break_id'),
    lastRunId: uuid('last_run_id'),
    lastRunAt: tz('last_run_at'),
  }
}

export const promises = pgTable(
  'promises',
  {
    id: id(),
    title: text('title').notNull(),
    description: text('description'),
    source: text('source').$type<PromiseSource>().notNull().default('form'),
    /** For code checks: path below checks/, e.g. "order.check.ts". */
    checkFile: text('check_file'),
    /** Plain-language journey text; empty for code checks. */
    journey: text('journey').notNull().default(''),
    budgets: jsonb('budgets').$type<Budgets>().notNull().default({}),
    scheduleEverySeconds: integer('schedule_every_seconds'),
    scheduleCron: text('schedule_cron'),
    scheduleTimezone: text('schedule_timezone'),
    dailyCustomers: integer('daily_customers').notNull().default(0),
    detractorRate: doublePrecision('detractor_rate').notNull().default(0.25),
    device: text('device').$type<Device>().notNull().default('desktop'),
    marketingOwner: text('marketing_owner'),
    techOwner: text('tech_owner'),
    paused: boolean('paused').notNull().default(false),
    /** Break thresholds: open after N consecutive broken runs, resolve after M kept. */
    breakAfter: integer('break_after').notNull().default(2),
    resolveAfter: integer('resolve_after').notNull().default(1),
    confirmBroken: boolean('confirm_broken').notNull().default(true),
    /** Break state machine, persisted so a restart never re-opens a break. */
    ...breakStateColumns(),
    /** Set when no walk came for two intervals (a stopped worker, a wiped Redis); cleared by the next walk. */
    overdueSince: tz('overdue_since'),
    /** Shown on the public status page (/status), under publicTitle when set. */
    public: boolean('public').notNull().default(false),
    /** The promise in customers' words on the status page; the title when null. */
    publicTitle: text('public_title'),
    /** A page where the site makes this promise, read on every walk besides the journey's own pages. */
    claimUrl: text('claim_url'),
    /** What the site claims against what customers live (src/domain/claims/drift.ts); null: they agree. Kept by the recorder. */
    claimDrift: jsonb('claim_drift').$type<ClaimDrift | null>(),
    /** The drift the marketing owner was last told of: started or cleared, and its `since` (told once each). */
    claimDriftTold: jsonb('claim_drift_told').$type<{ state: 'started' | 'cleared'; since: string } | null>(),
    /** Where it is walked from (src/domain/region.ts): each a queue of journey workers, each with its own verdict (promise_regions). */
    regions: jsonb('regions').$type<string[]>().notNull().default(['local']),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('promises_check_file_idx').on(t.checkFile),
    index('promises_state_idx').on(t.state),
    // The API lists promises in this order, a page at a time.
    index('promises_created_idx').on(t.createdAt, t.id),
  ],
)

/** Secrets referenced by journeys as {{secrets.NAME}}; values AES-GCM encrypted. */
export const secrets = pgTable('secrets', {
  name: text('name').primaryKey(),
  valueEncrypted: text('value_encrypted').notNull(),
  createdAt: createdAt(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
})

/** A row of a promise's, deleted with it. */
const belongsToPromise = () =>
  uuid('promise_id')
    .notNull()
    .references(() => promises.id, { onDelete: 'cascade' })

export const runs = pgTable(
  'runs',
  {
    /** Chosen by whoever enqueues the run: the recorder's idempotency key. */
    id: uuid('id').primaryKey(),
    promiseId: belongsToPromise(),
    trigger: text('trigger').$type<'schedule' | 'manual' | 'confirm' | 'test'>().notNull(),
    outcome: text('outcome').$type<'kept' | 'at_risk' | 'broken' | 'error'>().notNull(),
    clicks: integer('clicks').notNull().default(0),
    durationMs: integer('duration_ms').notNull(),
    startedAt: tz('started_at').notNull(),
    finishedAt: tz('finished_at').notNull(),
    steps: jsonb('steps').$type<StepResult[]>().notNull().default([]),
    failure: jsonb('failure').$type<Failure | null>(),
    /** Every failure in order (the step's, each budget's); null on runs recorded before it existed. */
    failures: jsonb('failures').$type<Failure[] | null>(),
    vitals: jsonb('vitals').$type<Vitals>().notNull().default({}),
    screenshotPath: text('screenshot_path'),
    tracePath: text('trace_path'),
    workerId: text('worker_id'),
    /** Where it was walked from; null on runs recorded before regions (the region local). */
    region: text('region'),
    confirmOf: uuid('confirm_of'),
    recordedAt: createdAt(),
  },
  (t) => [
    index('runs_promise_started_idx').on(t.promiseId, t.startedAt.desc()),
    index('runs_started_idx').on(t.startedAt),
  ],
)

/**
 * A promise's verdict in one of its regions: the break state machine of
 * src/domain/breaks.ts, kept per region; the promise row holds the worst
 * of them (src/recorder/record.ts). A row is made by the first run of the
 * region, or by the notice that no worker walks it.
 */
export const promiseRegions = pgTable(
  'promise_regions',
  {
    promiseId: belongsToPromise(),
    region: text('region').notNull(),
    ...breakStateColumns(),
    /** Since when the tech owner was told no worker walks it here; null when walked (told once an outage). */
    notWalkedToldAt: tz('not_walked_told_at'),
  },
  (t) => [primaryKey({ columns: [t.promiseId, t.region] })],
)

/** Hourly rollups of runs, kept long after raw runs are pruned. */
export const runRollups = pgTable(
  'run_rollups',
  {
    promiseId: belongsToPromise(),
    hour: tz('hour').notNull(),
    runs: integer('runs').notNull().default(0),
    kept: integer('kept').notNull().default(0),
    atRisk: integer('at_risk').notNull().default(0),
    broken: integer('broken').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    p50Ms: integer('p50_ms'),
    p95Ms: integer('p95_ms'),
    maxClicks: integer('max_clicks'),
  },
  (t) => [primaryKey({ columns: [t.promiseId, t.hour] })],
)

/**
 * The hourly rollups summed by UTC day, kept by triggers on run_rollups
 * (drizzle/0007_daily_rollups_triggers.sql) whoever writes an hour: the
 * 90-day history of the status page reads 90 rows a promise, not 2,160.
 */
export const runRollupsDaily = pgTable(
  'run_rollups_daily',
  {
    promiseId: belongsToPromise(),
    day: date('day', { mode: 'string' }).notNull(),
    runs: integer('runs').notNull().default(0),
    kept: integer('kept').notNull().default(0),
    atRisk: integer('at_risk').notNull().default(0),
    broken: integer('broken').notNull().default(0),
    errors: integer('errors').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.promiseId, t.day] })],
)

export const breaks = pgTable(
  'breaks',
  {
    id: id(),
    promiseId: belongsToPromise(),
    openedAt: tz('opened_at').notNull(),
    resolvedAt: tz('resolved_at'),
    /** The first broken run of the streak that opened it. */
    firstRunId: uuid('first_run_id'),
    openedByRunId: uuid('opened_by_run_id').notNull(),
    resolvedByRunId: uuid('resolved_by_run_id'),
    failure: jsonb('failure').$type<Failure | null>(),
    acknowledgedAt: tz('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    remindersSent: integer('reminders_sent').notNull().default(0),
    lastReminderAt: tz('last_reminder_at'),
    /** The region whose walks opened it: a break belongs to one region. */
    region: text('region').notNull().default('local'),
    createdAt: createdAt(),
  },
  (t) => [
    // At most one open break per promise and region, whatever retries or restarts do.
    uniqueIndex('breaks_one_open_region_idx').on(t.promiseId, t.region).where(sql`${t.resolvedAt} is null`),
    index('breaks_promise_opened_idx').on(t.promiseId, t.openedAt.desc()),
  ],
)

export const breakNotes = pgTable(
  'break_notes',
  {
    id: id(),
    breakId: uuid('break_id')
      .notNull()
      .references(() => breaks.id, { onDelete: 'cascade' }),
    author: text('author').notNull(),
    body: text('body').notNull(),
    /** Shown with the incident on the public status page; internal notes never are. */
    public: boolean('public').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index('break_notes_break_idx').on(t.breakId)],
)

export type ChannelType = 'email' | 'slack' | 'teams' | 'webhook' | 'pagerduty'

export const channels = pgTable('channels', {
  id: id(),
  type: text('type').$type<ChannelType>().notNull(),
  name: text('name').notNull(),
  /** The channel's whole config (URLs, keys, secrets) as encrypted JSON. */
  configEncrypted: text('config_encrypted').notNull(),
  /** What may be shown: e.g. the address, or a webhook's host. */
  configPublic: jsonb('config_public').$type<Record<string, string>>().notNull().default({}),
  /** Used for promises that name no channel. */
  isDefault: boolean('is_default').notNull().default(false),
  lastError: text('last_error'),
  lastErrorAt: tz('last_error_at'),
  createdAt: createdAt(),
})

export const promiseChannels = pgTable(
  'promise_channels',
  {
    promiseId: belongsToPromise(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.promiseId, t.channelId] })],
)

export type AlertKind = 'open' | 'resolve' | 'reminder' | 'test' | 'grouped'
export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'held' | 'cancelled' | 'logged'

export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: id(),
    /** breakId + kind + channelId (+ reminder number): an alert is sent once. */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    breakId: uuid('break_id').references(() => breaks.id, { onDelete: 'cascade' }),
    /**
     * null: no channel heard of the promise, so its tech owner is emailed
     * (recipient); or the channel was deleted since (its label stays).
     */
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'set null' }),
    /** For a delivery without a channel: the owner address(es) it goes to, comma-separated. */
    recipient: text('recipient'),
    /** Where it went, in words, as it was then: "Slack #ops" or "tech owner tom@example.com". */
    channelLabel: text('channel_label'),
    kind: text('kind').$type<AlertKind>().notNull(),
    /**
     * held: waiting out a maintenance window; cancelled: no longer worth
     * sending (resolved, acknowledged); logged: an email kept in the outbox
     * because SMTP_URL is not set.
     */
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /**
     * The delivery job that carries this alert (its BullMQ job id): the
     * idempotency key for an alert sent alone, a shared key for a grouped
     * message. null while an open alert waits for the grouping window.
     */
    groupKey: text('group_key'),
    createdAt: createdAt(),
    /** Set just before a message is handed to its channel: a crash after it is seen on restart. */
    sendingAt: tz('sending_at'),
    sentAt: tz('sent_at'),
  },
  (t) => [
    index('alert_deliveries_channel_idx').on(t.channelId, t.createdAt.desc()),
    index('alert_deliveries_break_idx').on(t.breakId),
    index('alert_deliveries_group_idx').on(t.groupKey),
  ],
)

export type OutboxKind = 'alert' | 'digest' | 'claim' | 'test' | 'overdue' | 'region'

/**
 * Email Kept wrote but did not send, because SMTP_URL is not set: shown on
 * the Alerts page and on its break, so the demo's alerts reach someone.
 * Its subject and promise title are copies: an entry outlives its promise.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: id(),
    kind: text('kind').$type<OutboxKind>().notNull(),
    to: jsonb('to').$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    /** Why it was not sent, e.g. "not sent: SMTP_URL is not set". */
    reason: text('reason').notNull(),
    deliveryKey: text('delivery_key'),
    breakId: uuid('break_id').references(() => breaks.id, { onDelete: 'set null' }),
    promiseId: uuid('promise_id').references(() => promises.id, { onDelete: 'set null' }),
    promiseTitle: text('promise_title'),
    createdAt: createdAt(),
  },
  (t) => [index('outbox_created_idx').on(t.createdAt.desc()), index('outbox_break_idx').on(t.breakId)],
)

export const maintenanceWindows = pgTable('maintenance_windows', {
  id: id(),
  /** null: every promise. */
  promiseId: uuid('promise_id').references(() => promises.id, { onDelete: 'cascade' }),
  startsAt: tz('starts_at').notNull(),
  endsAt: tz('ends_at').notNull(),
  /** For recurring windows: a cron pattern of the start, and the length. */
  recurCron: text('recur_cron'),
  recurMinutes: integer('recur_minutes'),
  timezone: text('timezone'),
  reason: text('reason'),
  createdAt: createdAt(),
})

export const digests = pgTable('digests', {
  id: id(),
  /** ISO week, e.g. 2026-W47: a week's digest is sent once. */
  week: text('week').notNull().unique(),
  status: text('status').$type<'sending' | 'sent'>().notNull().default('sending'),
  figures: jsonb('figures').$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
  sentAt: tz('sent_at'),
})

export const digestDeliveries = pgTable(
  'digest_deliveries',
  {
    digestId: uuid('digest_id')
      .notNull()
      .references(() => digests.id, { onDelete: 'cascade' }),
    recipient: text('recipient').notNull(),
    status: text('status').$type<'pending' | 'sent' | 'failed'>().notNull().default('pending'),
    /**
     * Set while one sender is handing this email to SMTP: another sender
     * skips the row until it is sent, released, or the claim is stale.
     */
    claimedAt: tz('claimed_at'),
    sentAt: tz('sent_at'),
    lastError: text('last_error'),
  },
  (t) => [primaryKey({ columns: [t.digestId, t.recipient] })],
)

/** Small key-value facts about this installation (e.g. the demo was seeded). */
export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
})
