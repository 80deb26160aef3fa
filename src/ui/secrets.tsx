import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Principal } from '../auth/permissions.ts'
import type { Db } from '../db/client.ts'
import { textProblem } from '../domain/promise-limits.ts'
import type { PromiseScheduler } from '../queue/scheduler-port.ts'
import { MAX_SECRET_LENGTH, SECRET_NAME, SECRET_NAME_RULE, deleteSecret, secretsWithUsers, setSecret } from '../services/secrets.ts'
import { TextField } from './field.tsx'
import { formatTime } from './format.ts'
import { notFound, pageGuards, type UiEnv, signedIn } from './guards.tsx'
import { ConfirmDeletePage } from './confirm.tsx'
import { Csrf, Layout, Notice, Time } from './layout.tsx'
import { DataTable } from './table.tsx'

// Settings → Secrets: the values journeys use as {{secrets.NAME}}. Values
// are write-only: set or replaced here, never shown again. Roles that edit
// promises (marketing, admin) manage them.

type Listing = Awaited<ReturnType<typeof secretsWithUsers>>

function UsedBy(props: { users: { id: string; title: string }[] }) {
  if (props.users.length === 0) return <span class="muted">no journey yet (code checks get every secret)</span>
  return (
    <>
      {props.users.map((u, i) => (
        <>
          {i > 0 ? ', ' : ''}
          <a href={`/promises/${u.id}`}>{u.title}</a>
        </>
      ))}
    </>
  )
}

function SecretsPage(props: {
  principal: Principal
  csrfToken: string | null
  listing: Listing
  values: { name: string }
  errors: { name?: string; value?: string }
  notice?: string
}) {
  const { listing } = props
  return (
    <Layout title="Secrets" principal={props.principal} csrfToken={props.csrfToken} nav="secrets">
      <h1>Secrets</h1>
      <p class="lead">
        Values a journey types without showing them, written as <code>{'{{secrets.NAME}}'}</code>: a password, a test card.
        Stored encrypted; masked in every result, log, screenshot and trace; never shown again once saved.
      </p>
      <Notice notice={props.notice} />
      {listing.missing.length ? (
        <p class="notice bad" role="alert">
          Named by a journey but not set:{' '}
          {listing.missing.map((m, i) => (
            <>
              {i > 0 ? '; ' : ''}
              <code>{m.name}</code> (<UsedBy users={m.usedBy} />)
            </>
          ))}
          . Their walks are errors until you set them below.
        </p>
      ) : null}
      {listing.secrets.length === 0 ? (
        <p class="muted">No secret yet.</p>
      ) : (
        <DataTable caption="Secrets and the journeys that use them" columns={['Name', 'Used by', 'Changed', '']}>
          {listing.secrets.map((s) => (
            <tr>
              <td>
                <code>{s.name}</code>
              </td>
              <td>
                <UsedBy users={s.usedBy} />
              </td>
              <td>
                <Time at={s.updatedAt}>{formatTime(s.updatedAt)}</Time>
              </td>
              <td>
                <a class="btn secondary small" href={`/settings/secrets/${s.name}/delete`}>
                  Delete…
                </a>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>Add or replace a secret</h2>
      <form method="post" action="/settings/secrets" class="card stack" novalidate>
        <Csrf token={props.csrfToken} />
        <TextField
          id="secret-name"
          name="name"
          label="Name"
          value={props.values.name}
          error={props.errors.name}
          placeholder="SHOP_PASSWORD"
          hint="Letters, digits and _. The same name replaces the value."
          required
        />
        <TextField id="secret-value" name="value" label="Value" type="password" error={props.errors.value} hint="Write-only: never shown again." required />
        <div>
          <button class="btn" type="submit">
            Save the secret
          </button>
        </div>
      </form>
    </Layout>
  )
}

export function secretRoutes(deps: { db: Db; scheduler: PromiseScheduler; secretKey?: Buffer }) {
  const { db } = deps
  const app = new Hono<UiEnv>()
  const guards = pageGuards(db)

  const render = async (c: Context<UiEnv>, values = { name: '' }, errors: { name?: string; value?: string } = {}, status: 200 | 400 = 200) => {
    c.status(status)
    return c.html(
      <SecretsPage
        {...signedIn(c)}
        listing={await secretsWithUsers(db)}
        values={values}
        errors={errors}
        notice={c.req.query('notice')}
      />,
    )
  }

  app.get('/settings/secrets', guards.page('promise.write'), (c) => render(c))

  app.post('/settings/secrets', guards.post('promise.write'), async (c) => {
    const body = await c.req.parseBody()
    const name = typeof body.name === 'string' ? body.name.trim() : ''
    const value = typeof body.value === 'string' ? body.value : ''
    const errors: { name?: string; value?: string } = {}
    if (!SECRET_NAME.test(name)) errors.name = `Expected ${SECRET_NAME_RULE.replace(/^expected /, '')}.`
    if (value === '') errors.value = 'Write the value.'
    else if (value.length > MAX_SECRET_LENGTH) errors.value = `Keep it under ${MAX_SECRET_LENGTH.toLocaleString('en')} characters.`
    else if (textProblem(value)) errors.value = 'It holds characters that cannot be stored (a NUL or half of an emoji).'
    if (!deps.secretKey) errors.value ??= 'Secrets cannot be stored here (no secret key).'
    if (Object.keys(errors).length > 0) return render(c, { name }, errors, 400)
    await setSecret(db, deps.secretKey!, deps.scheduler, name, value)
    return c.redirect('/settings/secrets?notice=secret-saved', 303)
  })

  app.get('/settings/secrets/:name/delete', guards.page('promise.write'), async (c) => {
    const name = c.req.param('name')
    const found = (await secretsWithUsers(db)).secrets.find((s) => s.name === name)
    if (!found) return notFound(c, 'No secret has this name.')
    return c.html(
      <ConfirmDeletePage
        title={`Delete ${name}`}
        heading={
          <>
            Delete the secret <code>{name}</code>?
          </>
        }
        {...signedIn(c)}
        nav="secrets"
        action={`/settings/secrets/${name}/delete`}
        confirm="Delete the secret"
        keepHref="/settings/secrets"
      >
        <p class="lead">
          Used by: <UsedBy users={found.usedBy} />. Their walks become errors until it is set again.
        </p>
      </ConfirmDeletePage>,
    )
  })

  app.post('/settings/secrets/:name/delete', guards.post('promise.write'), async (c) => {
    const name = c.req.param('name')
    if (!SECRET_NAME.test(name) || !(await deleteSecret(db, deps.scheduler, name))) return notFound(c, 'No secret has this name.')
    return c.redirect('/settings/secrets?notice=secret-deleted', 303)
  })

  return app
}
