import { Queue, Worker, type Job } from 'bullmq'
import type { RedisClient } from '../infra/redis.ts'
import type { Transporter } from 'nodemailer'
import { publicBaseUrl } from '../alerts/links.ts'
import type { Env } from '../config/env.ts'
import type { Db } from '../db/client.ts'
import type { Logger } from '../infra/logger.ts'
import { QUEUES } from '../queue/jobs.ts'
import { lastWeek } from './build.ts'
import { sendDigest, type DigestSendDeps, type DigestSendReport } from './send.ts'
import type { ScheduledPart } from '../queue/schedule-keeper.ts'

// The weekly digest job: one BullMQ job scheduler with a fixed id, so any
// number of control planes starting up keep exactly one. Each job sends
// the week that ended before its scheduled time; sending is once per
// week and recipient (send.ts), so a retried or late job is harmless.

export const DIGEST_SCHEDULER_ID = 'kept:weekly-digest'
export const DIGEST_JOB = 'weekly-digest'

export type DigestEnv = Pick<
  Env,
  'KEPT_DIGEST_CRON' | 'KEPT_DIGEST_TO' | 'KEPT_TIMEZONE' | 'KEPT_PUBLIC_URL' | 'PORT' | 'SMTP_FROM'
>

export interface DigestSettings {
  /** KEPT_DIGEST_CRON, in `timezone`. */
  cron: string
  /** KEPT_TIMEZONE: the digest's weeks and the schedule. */
  timezone: string
  baseUrl: string
  from: string
  extraRecipients: string[]
}

export function digestSettingsFromEnv(env: DigestEnv): DigestSettings {
  return {
    cron: env.KEPT_DIGEST_CRON,
    timezone: env.KEPT_TIMEZONE,
    baseUrl: publicBaseUrl(env),
    from: env.SMTP_FROM,
    extraRecipients: env.KEPT_DIGEST_TO,
  }
}

export interface DigestSchedulerOptions {
  connection: RedisClient
  prefix: string
  db: Db
  mailer: Transporter
  env: DigestEnv
  secretKey: Buffer
  logger?: Logger
}

/** An incomplete send fails the job, so BullMQ tries again: 1, 2, 4 … 64 min apart (about 2 h in all). */
const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: { count: 20 },
  removeOnFail: { count: 50 },
}

export async function startDigest(options: DigestSchedulerOptions): Promise<ScheduledPart> {
  const { connection, prefix, logger } = options
  const settings = digestSettingsFromEnv(options.env)
  const deps: DigestSendDeps = {
    db: options.db,
    mailer: options.mailer,
    from: settings.from,
    timezone: settings.timezone,
    baseUrl: settings.baseUrl,
    extraRecipients: settings.extraRecipients,
    secretKey: options.secretKey,
    ...(logger ? { logger } : {}),
  }

  const queue = new Queue(QUEUES.digest, { connection, prefix })
  const schedule = async () => {
    await queue.upsertJobScheduler(
      DIGEST_SCHEDULER_ID,
      { pattern: settings.cron, tz: settings.timezone },
      { name: DIGEST_JOB, data: {}, opts: JOB_OPTIONS },
    )
  }
  await schedule()
  const worker = new Worker(
    QUEUES.digest,
    async (job: Job) => {
      if (job.name !== DIGEST_JOB) return null
      return runDigestJob(deps, scheduledAt(job))
    },
    { connection, prefix, concurrency: 1 },
  )
  worker.on('error', (error) => logger?.error({ err: error }, 'digest worker error'))
  worker.on('failed', (job, error) => logger?.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, 'digest job failed'))
  return {
    schedule,
    async close() {
      await worker.close()
      await queue.close()
    },
  }
}

/** Sends the week that ended before `at`; throws while some recipients still wait, so the job is retried. */
export async function runDigestJob(deps: DigestSendDeps, at: Date): Promise<DigestSendReport> {
  const report = await sendDigest(deps, lastWeek(at, deps.timezone))
  if (report.status === 'incomplete') {
    const failed = report.failed.map((f) => `${f.recipient}: ${f.error}`).join('; ')
    throw new Error(
      `digest ${report.week} not sent to everyone yet (${report.failed.length} failed, ${report.held} held by another sender)${failed ? `: ${failed}` : ''}`,
    )
  }
  return report
}

/** When the scheduler meant the job to run (a job processed late still sends the week it was for). */
function scheduledAt(job: Job): Date {
  return new Date(job.opts.prevMillis ?? job.timestamp)
}
