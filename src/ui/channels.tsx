import { Hono } from 'hono'
import type { Context } from 'hono'
import { asc, eq } from 'drizzle-orm'
import { encryptChannelConfig, publicChannelConfig } from '../alerts/channel-config.ts'
import { channelConfigSchemas, type ChannelConfig } from '../alerts/channels/index.ts'
import type { Principal } from '../auth/permissions.ts'
import type { Db } from '../db/client.ts'
import { channels, type ChannelType } from '../db/schema.ts'
import { formatTime } from './format.ts'
import { notFound, pageGuards, principalOf, type UiEnv } from './guards.tsx'
import { Csrf, Layout, Notice, Time } from './layout.tsx'
import { TextField } from './field.tsx'

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
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Channels</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Settings</th>
                <th scope="col">Last error</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
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
                  <td>
                    {props.canTest ? (
                      <form method="post" action={`/channels/${ch.id}/test`}>
                        <Csrf token={props.csrfToken} />
                        <button class="btn secondary small" type="submit">
                          Send a test<span class="visually-hidden"> to {ch.name}</span>
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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

  async function render(c: Context<UiEnv>, add: AddForm, status: 200 | 400 | 502 = 200, error: string | null = null) {
    c.status(status)
    return c.html(
      <ChannelsPage
        principal={principalOf(c)}
        csrfToken={c.get('csrfToken')}
        rows={await list()}
        add={add}
        canAdd={Boolean(deps.secretKey)}
        canTest={Boolean(deps.testChannel)}
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

  return app
}
