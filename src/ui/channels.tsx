import { Hono } from 'hono'
import type { Context } from 'hono'
import { asc, desc, eq } from 'drizzle-orm'
import { encryptChannelConfig, publicChannelConfig, readChannelConfig } from '../alerts/channel-config.ts'
import { channelConfigSchemas, type ChannelConfig } from '../alerts/channels/index.ts'
import type { Principal } from '../auth/permissions.ts'
import type { Db } from '../db/client.ts'
import { alertDeliveries, breaks, channels, promiseChannels, promises, type ChannelType } from '../db/schema.ts'
import { formatTime } from './format.ts'
import { notFound, pageGuards, principalOf, type UiEnv, signedIn } from './guards.tsx'
import { Csrf, Layout, Notice, RowAction, Time } from './layout.tsx'
import { TextField } from './field.tsx'
import { ConfirmDeletePage } from './confirm.tsx'
import { DataTable } from './table.tsx'

// Alert channels (tech and admin): the list with each channel's last
// error, a form per channel type, and a test message.

export interface ChannelRouteDeps {
  db: Db
  /** Encrypts channel settings at rest; without it channels can be listed, not added. */
  secretKey?: Buffer
  /** Sends a test message now; throws with a short reason when the channel fails. */
  testChannel?: (channelId: string) => Promise<'sent' | 'logged' | void>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface FieldSpec {
  name: string
  label: string
  type: 'text' | 'url' | 'password'
  hint: string
}

const channelTypes: Record<ChannelType, { label: string; fields: FieldSpec[] }> = {
  email: {
    label: 'Email',
    fields: [{ name: 'to', label: 'Send to', type: 'text', hint: 'One or more addresses, separated by commas.' }],
  },
  slack: {
    label: 'Slack',
    fields: [{ name: 'webhookUrl', label: 'Incoming webhook URL', type: 'url', hint: 'https://hooks.slack.com/services/…' }],
  },
  teams: {
    label: 'Microsoft Teams',
    fields: [{ name: 'webhookUrl', label: 'Webhook URL', type: 'url', hint: 'A Workflows or incoming webhook URL.' }],
  },
  webhook: {
    label: 'Webhook',
    fields: [
      { name: 'url', label: 'URL', type: 'url', hint: 'Kept POSTs signed JSON here.' },
      { name: 'secret', label: 'Shared secret', type: 'password', hint: 'At least 16 characters; signs X-Kept-Signature.' },
    ],
  },
  pagerduty: {
    label: 'PagerDuty',
    fields: [{ name: 'routingKey', label: 'Routing key', type: 'password', hint: 'The integration key of an Events API v2 integration.' }],
  },
}

const TYPES = Object.keys(channelTypes) as ChannelType[]

type ChannelRow = typeof channels.$inferSelect

function configFromForm(type: ChannelType, body: Record<string, unknown>): unknown {
  const get = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '')
  switch (type) {
    case 'email': {
      const to = get('to')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean)
      return { to: to.length === 1 ? to[0] : to }
    }
    case 'slack':
    case 'teams':
      return { webhookUrl: get('webhookUrl') }
    case 'webhook':
      return { url: get('url'), secret: get('secret') }
    case 'pagerduty':
      return { routingKey: get('routingKey') }
  }
}

interface FailedDelivery {
  at: Date
  channel: string
  kind: string
  breakId: string | null
  title: string | null
  error: string | null
}

interface AddForm {
  type: ChannelType
  values: Record<string, string>
  errors: Record<string, string>
}

function ChannelsPage(props: {
  principal: Principal
  csrfToken: string | null
  rows: ChannelRow[]
  add: AddForm
  canAdd: boolean
  canTest: boolean
  failed: FailedDelivery[]
  notice?: string
  error?: string | null
}) {
  const { add } = props
  const spec = channelTypes[add.type]
  const errorOf = (name: string) => add.errors[name]
  return (
    <Layout title="Channels" principal={props.principal} csrfToken={props.csrfToken} nav="channels">
      <h1>Alert channels</h1>
      <p class="lead">Where breaks are announced. A promise names its channels; promises that name none use the default ones.</p>
      <Notice notice={props.notice} error={props.error} />
      {props.rows.length === 0 ? (
        <p class="card">No channel yet. Add one below, then send it a test.</p>
      ) : (
        <DataTable caption="Channels" columns={['Name', 'Type', 'Settings', 'Last error', '']}>
              {props.rows.map((ch) => (
                <tr>
                  <td>
                    <strong>{ch.name}</strong>
                    {ch.isDefault ? <div class="small muted">default</div> : null}
                  </td>
                  <td>{channelTypes[ch.type]?.label ?? ch.type}</td>
                  <td class="small">
                    {Object.entries(ch.configPublic)
                      .map(([k, v]) => `${k}: ${v}`)
                      .join(' · ')}
                  </td>
                  <td class="small">
                    {ch.lastError ? (
                      <>
                        <span class="error">{ch.lastError}</span>
                        {ch.lastErrorAt ? (
                          <div class="muted">
                            <Time at={ch.lastErrorAt}>{formatTime(ch.lastErrorAt)}</Time>
                          </div>
                        ) : null}
                      </>
                    ) : (
                      'none'
                    )}
                  </td>
                  <td class="actions">
                    {props.canAdd ? (
                      <>
                        <a class="btn secondary small" href={`/channels/${ch.id}/edit`}>
                          Edit<span class="visually-hidden"> {ch.name}</span>
                        </a>
                        <a class="btn secondary small" href={`/channels/${ch.id}/delete`}>
                          Delete…<span class="visually-hidden"> {ch.name}</span>
                        </a>
                      </>
                    ) : null}
                    {props.canTest ? (
                      <RowAction action={`/channels/${ch.id}/test`} csrfToken={props.csrfToken} label="Send a test" about={`to ${ch.name}`} />
                    ) : null}
                  </td>
                </tr>
              ))}
        </DataTable>
      )}

      <h2 id="failed">Failed deliveries</h2>
      {props.failed.length === 0 ? (
        <p class="muted">None lately.</p>
      ) : (
        <DataTable caption="Alerts a channel did not take, newest first" columns={['When', 'Channel', 'Alert', 'Error']}>
          {props.failed.map((f) => (
            <tr>
              <td>
                <Time at={f.at}>{formatTime(f.at)}</Time>
              </td>
              <td>{f.channel}</td>
              <td>{f.breakId ? <a href={`/breaks/${f.breakId}`}>{f.kind} of {f.title ?? 'a promise'}</a> : f.kind}</td>
              <td class="small error">{f.error ?? 'no reason given'}</td>
            </tr>
          ))}
        </DataTable>
      )}

      <h2 id="add">Add a channel</h2>
      {props.canAdd ? (
        <>
          <nav aria-label="Channel type" class="actions">
            {TYPES.map((t) => (
              <a class={`btn small ${t === add.type ? '' : 'secondary'}`} href={`/channels?type=${t}#add`} aria-current={t === add.type ? 'true' : undefined}>
                {channelTypes[t].label}
              </a>
            ))}
          </nav>
          <form method="post" action="/channels" class="card" novalidate>
            <Csrf token={props.csrfToken} />
            <input type="hidden" name="type" value={add.type} />
            <TextField id="ch-name" name="name" label="Name" required value={add.values.name} error={errorOf('name')} hint="How people will recognise it, e.g. “#shop-alerts”." />
            {spec.fields.map((f) => (
              <TextField id={`ch-${f.name}`} name={f.name} type={f.type} label={f.label} value={add.values[f.name]} error={errorOf(f.name)} hint={f.hint} />
            ))}
            <label class="choice">
              <input type="checkbox" name="isDefault" value="1" checked={add.values.isDefault === '1'} />
              Default: used by promises that name no channel
            </label>
            <div class="form-actions">
              <button class="btn" type="submit">
                Add the {spec.label} channel
              </button>
            </div>
          </form>
        </>
      ) : (
        <p class="muted">Adding channels needs the server's secret key, which this page was not given.</p>
      )}
    </Layout>
  )
}

export function channelRoutes(deps: ChannelRouteDeps) {
  const { db } = deps
  const app = new Hono<UiEnv>()
  const guards = pageGuards(db)
  const list = () => db.select().from(channels).orderBy(asc(channels.name))
  const failedDeliveries = async (): Promise<FailedDelivery[]> => {
    const rows = await db
      .select({ row: alertDeliveries, name: channels.name, title: promises.title })
      .from(alertDeliveries)
      .innerJoin(channels, eq(channels.id, alertDeliveries.channelId))
      .leftJoin(breaks, eq(breaks.id, alertDeliveries.breakId))
      .leftJoin(promises, eq(promises.id, breaks.promiseId))
      .where(eq(alertDeliveries.status, 'failed'))
      .orderBy(desc(alertDeliveries.createdAt))
      .limit(20)
    return rows.map(({ row, name, title }) => ({
      at: row.sendingAt ?? row.createdAt,
      channel: name,
      kind: row.kind === 'open' ? 'alert' : row.kind,
      breakId: row.breakId,
      title,
      error: row.lastError,
    }))
  }

  async function render(c: Context<UiEnv>, add: AddForm, status: 200 | 400 | 502 = 200, error: string | null = null) {
    c.status(status)
    return c.html(
      <ChannelsPage
        {...signedIn(c)}
        rows={await list()}
        add={add}
        canAdd={Boolean(deps.secretKey)}
        canTest={Boolean(deps.testChannel)}
        failed={await failedDeliveries()}
        notice={c.req.query('notice')}
        error={error}
      />,
    )
  }

  const typeOf = (v: unknown): ChannelType => (TYPES.includes(v as ChannelType) ? (v as ChannelType) : 'email')

  app.get('/channels', guards.page('channel.write'), (c) => render(c, { type: typeOf(c.req.query('type')), values: {}, errors: {} }))

  app.post('/channels', guards.post('channel.write'), async (c) => {
    const body = await c.req.parseBody()
    const type = typeOf(body.type)
    const values = Object.fromEntries(
      Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '_csrf'),
    )
    if (!deps.secretKey) return render(c, { type, values, errors: {} }, 400, 'Adding channels is not available here.')
    const errors: Record<string, string> = {}
    const name = (values.name ?? '').trim()
    if (!name) errors.name = 'Give the channel a name.'
    else if (name.length > 100) errors.name = 'Keep the name under 100 characters.'
    const parsed = channelConfigSchemas[type].safeParse(configFromForm(type, body))
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? channelTypes[type].fields[0]!.name)
        errors[field] ??= issue.message
      }
    }
    if (!parsed.success || Object.keys(errors).length) return render(c, { type, values, errors }, 400)
    const config = parsed.data as ChannelConfig
    await db.insert(channels).values({
      type,
      name,
      configEncrypted: encryptChannelConfig(deps.secretKey, config),
      configPublic: publicChannelConfig(type, config),
      isDefault: values.isDefault === '1',
    })
    return c.redirect('/channels?notice=channel-added', 303)
  })

  app.post('/channels/:id/test', guards.post('channel.write'), async (c) => {
    const id = c.req.param('id')
    if (!UUID.test(id)) return notFound(c, 'No channel has this address.')
    const [row] = await db.select({ id: channels.id }).from(channels).where(eq(channels.id, id))
    if (!row) return notFound(c, 'No channel has this address.')
    if (!deps.testChannel) return render(c, { type: 'email', values: {}, errors: {} }, 400, 'Test messages are not available here.')
    let outcome
    try {
      outcome = await deps.testChannel(id)
    } catch (error) {
      return render(c, { type: 'email', values: {}, errors: {} }, 502, `The test failed: ${(error as Error).message}`)
    }
    return c.redirect(`/channels?notice=${outcome === 'logged' ? 'test-logged' : 'test-sent'}`, 303)
  })

  async function loadChannel(id: string) {
    if (!UUID.test(id)) return null
    const [row] = await db.select().from(channels).where(eq(channels.id, id))
    return row ?? null
  }

  const editPage = (c: Context<UiEnv>, ch: ChannelRow, values: Record<string, string>, errors: Record<string, string>, status: 200 | 400 = 200) => {
    c.status(status)
    const spec = channelTypes[ch.type]
    return c.html(
      <Layout title={`Edit ${ch.name}`} principal={principalOf(c)} csrfToken={c.get('csrfToken')} nav="channels">
        <p class="small">
          <a href="/channels">← Channels</a>
        </p>
        <h1>Edit the {spec.label} channel</h1>
        <form method="post" action={`/channels/${ch.id}/edit`} class="card" novalidate>
          <Csrf token={c.get('csrfToken')} />
          <TextField id="ch-name" name="name" label="Name" required value={values.name ?? ch.name} error={errors.name} />
          {spec.fields.map((f) => (
            <TextField
              id={`ch-${f.name}`}
              name={f.name}
              type={f.type === 'url' ? 'url' : 'password'}
              label={f.label}
              error={errors[f.name]}
              hint={`Leave empty to keep the current one${ch.configPublic[f.name] ? ` (${ch.configPublic[f.name]})` : ''}. ${f.hint}`}
            />
          ))}
          <label class="choice">
            <input type="checkbox" name="isDefault" value="1" checked={(values.isDefault ?? (ch.isDefault ? '1' : '')) === '1'} />
            Default: used by promises that name no channel
          </label>
          <div class="form-actions">
            <button class="btn" type="submit">
              Save
            </button>
          </div>
        </form>
      </Layout>,
    )
  }

  app.get('/channels/:id/edit', guards.page('channel.write'), async (c) => {
    const ch = await loadChannel(c.req.param('id'))
    if (!ch) return notFound(c, 'No channel has this address.')
    return editPage(c, ch, {}, {})
  })

  app.post('/channels/:id/edit', guards.post('channel.write'), async (c) => {
    const ch = await loadChannel(c.req.param('id'))
    if (!ch) return notFound(c, 'No channel has this address.')
    if (!deps.secretKey) return render(c, { type: ch.type, values: {}, errors: {} }, 400, 'Editing channels is not available here.')
    const body = await c.req.parseBody()
    const values = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '_csrf'))
    const errors: Record<string, string> = {}
    const name = (values.name ?? '').trim()
    if (!name) errors.name = 'Give the channel a name.'
    else if (name.length > 100) errors.name = 'Keep the name under 100 characters.'
    // Settings left empty keep their stored value: secrets are write-only.
    let current: Record<string, unknown> = {}
    try {
      current = readChannelConfig(deps.secretKey, ch.type, ch.configEncrypted) as Record<string, unknown>
    } catch {
      current = {}
    }
    const typed = configFromForm(ch.type, body) as Record<string, unknown>
    const merged: Record<string, unknown> = { ...current }
    for (const [key, value] of Object.entries(typed)) {
      const empty = value === '' || value === undefined || (Array.isArray(value) && value.length === 0)
      if (!empty) merged[key] = value
    }
    const parsed = channelConfigSchemas[ch.type].safeParse(merged)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? channelTypes[ch.type].fields[0]!.name)] ??= issue.message
    }
    if (!parsed.success || Object.keys(errors).length) return editPage(c, ch, values, errors, 400)
    const config = parsed.data as ChannelConfig
    await db
      .update(channels)
      .set({
        name,
        isDefault: values.isDefault === '1',
        configEncrypted: encryptChannelConfig(deps.secretKey, config),
        configPublic: publicChannelConfig(ch.type, config),
      })
      .where(eq(channels.id, ch.id))
    return c.redirect('/channels?notice=channel-saved', 303)
  })

  app.get('/channels/:id/delete', guards.page('channel.write'), async (c) => {
    const ch = await loadChannel(c.req.param('id'))
    if (!ch) return notFound(c, 'No channel has this address.')
    const naming = await db
      .select({ id: promises.id, title: promises.title })
      .from(promiseChannels)
      .innerJoin(promises, eq(promises.id, promiseChannels.promiseId))
      .where(eq(promiseChannels.channelId, ch.id))
      .orderBy(asc(promises.title))
    return c.html(
      <ConfirmDeletePage
        title={`Delete ${ch.name}`}
        heading={<>Delete the channel “{ch.name}”?</>}
        {...signedIn(c)}
        nav="channels"
        action={`/channels/${ch.id}/delete`}
        confirm="Delete the channel"
        keepHref="/channels"
      >
        {naming.length ? (
          <p class="lead">
            {naming.length === 1 ? 'This promise names it' : `These ${naming.length} promises name it`}:{' '}
            {naming.map((p, i) => (
              <>
                {i > 0 ? ', ' : ''}
                <a href={`/promises/${p.id}`}>{p.title}</a>
              </>
            ))}
            . After the delete they use the default channels, else their tech owner by email.
          </p>
        ) : (
          <p class="lead">No promise names it{ch.isDefault ? '; it is a default channel, so promises that name none lose it' : ''}.</p>
        )}
        <p>The alerts it already sent stay in each break's history.</p>
      </ConfirmDeletePage>,
    )
  })

  app.post('/channels/:id/delete', guards.post('channel.write'), async (c) => {
    const ch = await loadChannel(c.req.param('id'))
    if (!ch) return notFound(c, 'No channel has this address.')
    await db.delete(channels).where(eq(channels.id, ch.id))
    return c.redirect('/channels?notice=channel-deleted', 303)
  })

  return app
}
