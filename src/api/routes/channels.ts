import { createRoute, z } from '@hono/zod-openapi'
import { eq } from 'drizzle-orm'
import { channelConfigSchemas, type ChannelConfig } from '../../alerts/channels/index.ts'
import { channels, type ChannelType } from '../../db/schema.ts'
import { encrypt } from '../../infra/crypto.ts'
import type { ApiDeps } from '../deps.ts'
import { pageByCreation, rowOr404 } from '../rows.ts'
import { PageQuery } from '../pagination.ts'
import { ApiError } from '../problem.ts'
import { createOne, deleteOne, fieldProblems, getOne, guarded, IdParams, iso, json, listOf, newRouter, problemResponses, updateOne } from '../router.ts'

type ChannelRow = typeof channels.$inferSelect

const tags = ['channels']
const CHANNEL_TYPES = ['email', 'slack', 'teams', 'webhook', 'pagerduty'] as const

const ChannelSchema = z
  .object({
    id: z.string(),
    type: z.enum(CHANNEL_TYPES),
    name: z.string(),
    /** What may be shown of the config; the config itself is never returned. */
    configPublic: z.record(z.string(), z.string()),
    isDefault: z.boolean(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Channel')

const name = z.string().trim().min(1, 'expected a name for the channel').max(100, 'expected at most 100 characters')
const config = z
  .record(z.string(), z.unknown(), 'expected the channel config as an object')
  .openapi({ description: 'email: {to}; slack, teams: {webhookUrl}; webhook: {url, secret}; pagerduty: {routingKey, eventsUrl?}' })

const ChannelCreateSchema = z
  .strictObject({
    type: z.enum(CHANNEL_TYPES, 'expected email, slack, teams, webhook or pagerduty'),
    name,
    config,
    isDefault: z.boolean('expected true or false').default(false),
  })
  .openapi('ChannelCreate', { example: { type: 'slack', name: 'ops', config: { webhookUrl: 'https://hooks.slack.com/services/T/B/X' } } })

const ChannelUpdateSchema = z
  .strictObject({ name, config, isDefault: z.boolean('expected true or false') })
  .partial()
  .openapi('ChannelUpdate')

const listRoute = listOf('/channels', tags, 'Alert channels', 'read', PageQuery, ChannelSchema, 'A page of channels')

const getRoute = getOne('/channels/{id}', tags, 'One channel (its config is never returned)', 'read', ChannelSchema, 'The channel')

const createChannelRoute = createOne('/channels', tags, 'Add an alert channel; its config is stored encrypted', 'channel.write', ChannelCreateSchema, ChannelSchema, 'The new channel')

const updateRoute = updateOne('/channels/{id}', tags, 'Rename a channel, replace its config, or make it the default', 'channel.write', ChannelUpdateSchema, ChannelSchema, 'The updated channel')

const deleteRoute = deleteOne('/channels/{id}', tags, 'Remove a channel (and its routing from promises)', 'channel.write')

const testRoute = createRoute({
  ...guarded('post', '/channels/{id}/test', tags, 'Send a test message through the channel', 'channel.write'),
  request: { params: IdParams },
  responses: {
    200: json(z.object({ ok: z.literal(true), status: z.enum(['sent', 'logged']) }), 'The channel accepted the test message (logged: an email kept in the outbox, SMTP_URL is not set)'),
    502: { description: 'The channel refused or could not be reached', content: problemResponses[422].content },
    ...problemResponses,
  },
})

export function channelRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db, secretKey } = deps

  app.openapi(listRoute, async (c) => {
    return c.json(await pageByCreation(db, channels, c.req.valid('query'), channelView), 200)
  })

  app.openapi(getRoute, async (c) => c.json(channelView(await rowOr404(db, channels, c.req.valid('param').id, 'channel')), 200))

  app.openapi(createChannelRoute, async (c) => {
    const body = c.req.valid('json')
    const valid = validConfig(body.type, body.config)
    const row = await db.transaction(async (tx) => {
      if (body.isDefault) await tx.update(channels).set({ isDefault: false }).where(eq(channels.isDefault, true))
      const [row] = await tx
        .insert(channels)
        .values({
          type: body.type,
          name: body.name,
          configEncrypted: encrypt(secretKey, JSON.stringify(valid)),
          configPublic: publicConfig(body.type, valid),
          isDefault: body.isDefault,
        })
        .returning()
      return row!
    })
    c.header('location', `/api/v1/channels/${row.id}`)
    return c.json(channelView(row), 201)
  })

  app.openapi(updateRoute, async (c) => {
    const existing = await rowOr404(db, channels, c.req.valid('param').id, 'channel')
    const body = c.req.valid('json')
    const valid = body.config ? validConfig(existing.type, body.config) : null
    const row = await db.transaction(async (tx) => {
      if (body.isDefault) await tx.update(channels).set({ isDefault: false }).where(eq(channels.isDefault, true))
      const [row] = await tx
        .update(channels)
        .set({
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.isDefault !== undefined ? { isDefault: body.isDefault } : {}),
          ...(valid
            ? { configEncrypted: encrypt(secretKey, JSON.stringify(valid)), configPublic: publicConfig(existing.type, valid), lastError: null, lastErrorAt: null }
            : {}),
        })
        .where(eq(channels.id, existing.id))
        .returning()
      return row!
    })
    return c.json(channelView(row), 200)
  })

  app.openapi(deleteRoute, async (c) => {
    const row = await rowOr404(db, channels, c.req.valid('param').id, 'channel')
    await db.delete(channels).where(eq(channels.id, row.id))
    return c.body(null, 204)
  })

  app.openapi(testRoute, async (c) => {
    const row = await rowOr404(db, channels, c.req.valid('param').id, 'channel')
    let outcome
    try {
      outcome = await deps.testChannel(row.id)
    } catch (error) {
      throw new ApiError(502, `the ${row.type} channel "${row.name}" failed: ${(error as Error).message}`)
    }
    return c.json({ ok: true as const, status: outcome === 'logged' ? ('logged' as const) : ('sent' as const) }, 200)
  })

  return app
}

/** The config checked by its channel's own schema; errors name `config.<field>`. */
function validConfig(type: ChannelType, raw: unknown): ChannelConfig {
  const parsed = channelConfigSchemas[type].safeParse(raw)
  if (parsed.success) return parsed.data
  const errors = fieldProblems(parsed.error, 'config')
  throw new ApiError(422, `${errors[0]!.path}: ${errors[0]!.message}`, errors)
}

/** What of a config may be shown: addresses and hosts, never URLs with keys or secrets. */
export function publicConfig(type: ChannelType, config: ChannelConfig): Record<string, string> {
  const host = (url: string) => {
    try {
      return new URL(url).host
    } catch {
      return ''
    }
  }
  const c = config as Record<string, unknown>
  switch (type) {
    case 'email':
      return { to: ([] as unknown[]).concat(c.to).join(', ') }
    case 'slack':
    case 'teams':
      return { host: host(String(c.webhookUrl)) }
    case 'webhook':
      return { host: host(String(c.url)) }
    case 'pagerduty':
      return { routingKey: `…${String(c.routingKey).slice(-4)}`, ...(c.eventsUrl ? { host: host(String(c.eventsUrl)) } : {}) }
  }
}

function channelView(row: ChannelRow) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    configPublic: row.configPublic,
    isDefault: row.isDefault,
    lastError: row.lastError,
    lastErrorAt: iso(row.lastErrorAt),
    createdAt: row.createdAt.toISOString(),
  }
}
