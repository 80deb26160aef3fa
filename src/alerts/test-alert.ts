import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { alertDeliveries, channels } from '../db/schema.ts'
import { buildAlertMessage } from '../domain/alert-message.ts'
import { readChannelConfig } from './channel-config.ts'
import { ChannelError, sendToChannel } from './channels/index.ts'
import type { AlertsOptions } from './context.ts'

export type TestAlertOptions = Pick<AlertsOptions, 'db' | 'secretKey' | 'settings' | 'mailer' | 'logger' | 'now'>

export class UnknownChannelError extends Error {
  constructor(readonly channelId: string) {
    super(`there is no channel ${channelId}`)
    this.name = 'UnknownChannelError'
  }
}

/**
 * Send a test message on a channel now, not through the queue: the person
 * pressing "test" waits for the answer. Recorded like any delivery (kind
 * test) and on the channel (lastError set or cleared). Throws
 * UnknownChannelError, or a ChannelError saying why the channel failed.
 */
export async function sendTestAlert(options: TestAlertOptions, channelId: string): Promise<void> {
  const { db, settings } = options
  const [channel] = await db.select().from(channels).where(eq(channels.id, channelId))
  if (!channel) throw new UnknownChannelError(channelId)
  const now = options.now?.() ?? new Date()
  const key = `test:${channelId}:${randomUUID()}`
  const message = buildAlertMessage(
    { kind: 'test', channelName: channel.name, appUrl: settings.baseUrl },
    { now, timezone: settings.timezone },
  )
  let failure: ChannelError | null = null
  try {
    const config = readChannelConfig(options.secretKey, channel.type, channel.configEncrypted)
    await sendToChannel(channel.type, config, message, { deliveryId: key, now, mailer: options.mailer })
  } catch (error) {
    const reason = error instanceof ChannelError ? error.message : `unexpected error: ${(error as Error).message}`
    failure = new ChannelError(
      `the test alert to “${channel.name}” failed: ${reason}`,
      error instanceof ChannelError ? error.status : null,
    )
  }
  await db.insert(alertDeliveries).values({
    idempotencyKey: key,
    channelId,
    kind: 'test',
    status: failure ? 'failed' : 'sent',
    attempts: 1,
    lastError: failure?.message ?? null,
    groupKey: key,
    createdAt: now,
    sentAt: failure ? null : now,
  })
  await db
    .update(channels)
    .set(failure ? { lastError: failure.message, lastErrorAt: now } : { lastError: null, lastErrorAt: null })
    .where(eq(channels.id, channelId))
  if (failure) {
    options.logger?.warn({ channel: channel.name, err: failure.message }, 'test alert failed')
    throw failure
  }
  options.logger?.info({ channel: channel.name }, 'test alert sent')
}
