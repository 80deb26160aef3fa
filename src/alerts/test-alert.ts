import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { alertDeliveries, channels } from '../db/schema.ts'
import { buildAlertMessage } from '../domain/alert-message.ts'
import { readChannelConfig } from './channel-config.ts'
import { ChannelError, sendToChannel, type SendOutcome } from './channels/index.ts'
import { NOT_SENT_REASON, keepInOutbox } from '../notify/outbox.ts'
import type { AlertsOptions } from './context.ts'

export type TestAlertOptions = Pick<AlertsOptions, 'db' | 'secretKey' | 'settings' | 'mailer' | 'targetPolicy' | 'logger' | 'now'>

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
export async function sendTestAlert(options: TestAlertOptions, channelId: string): Promise<SendOutcome> {
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
  let outcome: SendOutcome = 'sent'
  try {
    const config = readChannelConfig(options.secretKey, channel.type, channel.configEncrypted)
    outcome = await sendToChannel(channel.type, config, message, {
      deliveryId: key,
      now,
      mailer: options.mailer,
      ...(options.targetPolicy ? { targetPolicy: options.targetPolicy } : {}),
      keepUnsent: (mail) => keepInOutbox(db, { kind: 'test', ...mail, deliveryKey: key }, options.logger),
    })
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
    channelLabel: channel.name,
    kind: 'test',
    status: failure ? 'failed' : outcome,
    attempts: 1,
    lastError: failure?.message ?? (outcome === 'logged' ? NOT_SENT_REASON : null),
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
  if (outcome === 'sent') options.logger?.info({ to: `${channel.name} (${channel.type})` }, `test alert sent to ${channel.name}`)
  return outcome
}
