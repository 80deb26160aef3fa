import { Queue, QueueEvents } from 'bullmq'
import { eq } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEnv } from '../../src/config/env.ts'
import { digestDeliveries, digests, users } from '../../src/db/schema.ts'
import { lastWeek } from '../../src/digest/build.ts'
import { DIGEST_JOB, DIGEST_SCHEDULER_ID, runDigestJob, startDigest } from '../../src/digest/scheduler.ts'
import type { DigestSendDeps } from '../../src/digest/send.ts'
import { createRedisConnection } from '../../src/infra/redis.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'

describe('digest scheduler', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let redis: Redis
  const secretKey = Buffer.alloc(32, 3)
  // Mail written as JSON, as when SMTP_URL is not set.
  const mailer = nodemailer.createTransport({ jsonTransport: true })
  const env = parseEnv({ KEPT_TIMEZONE: 'Europe/Paris', KEPT_DIGEST_CRON: '0 8 * * 1', KEPT_DIGEST_TO: 'cmo@example.com' })

  beforeAll(async () => {
    pg = await freshDatabase()
    redis = createRedisConnection('redis://127.0.0.1:6379', { worker: true })
    await pg.db.insert(users).values({ email: 'ana@example.com', role: 'marketing' })
  })
  afterAll(async () => {
    redis?.disconnect()
    await pg?.drop()
  })

  it('keeps one scheduler kept:weekly-digest on the digest queue, Monday 08:00 in KEPT_TIMEZONE', async () => {
    const prefix = uniquePrefix('digest')
    const options = { connection: redis, prefix, db: pg.db, mailer, env, secretKey }
    const first = await startDigest(options)
    const second = await startDigest(options)
    const queue = new Queue(QUEUES.digest, { connection: redis, prefix })
    try {
      const scheduler = await queue.getJobScheduler(DIGEST_SCHEDULER_ID)
      expect(scheduler).toMatchObject({ pattern: '0 8 * * 1', tz: 'Europe/Paris' })
      expect(await queue.getJobSchedulersCount()).toBe(1)
      // Its next run is a Monday at 08:00 in Paris.
      const next = new Date(scheduler!.next!)
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(next)
      expect(local).toBe('Mon 08:00')
    } finally {
      await first.close()
      await second.close()
      await queue.obliterate({ force: true })
      await queue.close()
    }
  })

  it('a digest job sends the week that just ended, once', async () => {
    const prefix = uniquePrefix('digest')
    const digest = await startDigest({ connection: redis, prefix, db: pg.db, mailer, env, secretKey })
    const queue = new Queue(QUEUES.digest, { connection: redis, prefix })
    const eventsConnection = redis.duplicate()
    const events = new QueueEvents(QUEUES.digest, { connection: eventsConnection, prefix })
    try {
      await events.waitUntilReady()
      const week = lastWeek(new Date(), 'Europe/Paris')
      for (let i = 0; i < 2; i++) {
        const job = await queue.add(DIGEST_JOB, {})
        const result = (await job.waitUntilFinished(events, 20_000)) as { status: string; sent: number; week: string }
        expect(result).toMatchObject(i === 0 ? { week, status: 'sent', sent: 2 } : { week, status: 'already-sent', sent: 0 })
      }
      const [row] = await pg.db.select().from(digests).where(eq(digests.week, week))
      expect(row?.status).toBe('sent')
      const deliveries = await pg.db.select().from(digestDeliveries).where(eq(digestDeliveries.digestId, row!.id))
      expect(deliveries.map((d) => d.recipient).sort()).toEqual(['ana@example.com', 'cmo@example.com'])
    } finally {
      await digest.close()
      await events.close()
      eventsConnection.disconnect()
      await queue.obliterate({ force: true })
      await queue.close()
    }
  })

  it('fails the job while recipients still wait, so BullMQ retries it', async () => {
    const refusing = nodemailer.createTransport({ host: '127.0.0.1', port: 9, connectionTimeout: 2000 })
    const deps: DigestSendDeps = {
      db: pg.db,
      mailer: refusing,
      from: 'kept@example.com',
      timezone: 'UTC',
      baseUrl: 'http://127.0.0.1',
      extraRecipients: [],
      secretKey,
    }
    await expect(runDigestJob(deps, new Date('2026-11-02T08:00:00Z'))).rejects.toThrow(
      /digest 2026-W44 not sent to everyone yet \(1 failed, 0 held by another sender\): ana@example.com/,
    )
  })
})
