import { DataTable } from './table.tsx'
import type { Context } from 'hono'
import { Hono } from 'hono'
import { asc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { ROLES, type Principal } from '../auth/permissions.ts'
import { forgetTokens } from '../auth/token-cache.ts'
import { createApiToken, revokeApiToken } from '../auth/tokens.ts'
import { createUser, EmailTakenError, MIN_PASSWORD_LENGTH } from '../auth/users.ts'
import type { Db } from '../db/client.ts'
import { apiTokens, users, type Role } from '../db/schema.ts'
import { formatTime } from './format.ts'
import { notFound, pageGuards, principalOf, type UiEnv, signedIn } from './guards.tsx'
import { Csrf, Layout, Notice, RowAction, Time } from './layout.tsx'
import { FieldMessages, TextField } from './field.tsx'

// Users and API tokens (admins): add people with a role, disable them,
// make and revoke tokens. A new token is shown once, in the response to
// the form, never in a URL.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const roleWords: Record<Role, string> = {
  admin: 'Admin: everything',
  marketing: 'Marketing: creates and edits promises',
  tech: 'Tech: breaks, alert channels',
  viewer: 'Viewer: reads only',
}

type UserRow = Pick<typeof users.$inferSelect, 'id' | 'email' | 'name' | 'role' | 'disabledAt' | 'createdAt'>
type TokenRow = Pick<typeof apiTokens.$inferSelect, 'id' | 'name' | 'role' | 'prefix' | 'lastUsedAt' | 'revokedAt' | 'createdAt'> & {
  owner: string | null
}

interface UserForm {
  values: { email?: string; name?: string; role?: string }
  errors: { email?: string; password?: string; role?: string }
}
interface TokenForm {
  values: { name?: string; role?: string }
  errors: { name?: string; role?: string }
}

/** The role of a new user or token, with its label and message. */
function RoleField(props: { id: string; value?: string; error?: string }) {
  return (
    <div class="field">
      <label for={props.id}>Role</label>
      <RoleSelect {...props} />
      <FieldMessages id={props.id} error={props.error} />
    </div>
  )
}

function RoleSelect(props: { id: string; value?: string; error?: string }) {
  return (
    <select id={props.id} name="role" aria-invalid={props.error ? 'true' : undefined} aria-describedby={props.error ? `${props.id}-error` : undefined}>
      {ROLES.map((r) => (
        <option value={r} selected={(props.value ?? 'viewer') === r}>
          {roleWords[r]}
        </option>
      ))}
    </select>
  )
}

function UsersPage(props: {
  principal: Principal
  csrfToken: string | null
  users: UserRow[]
  tokens: TokenRow[]
  userForm: UserForm
  tokenForm: TokenForm
  newToken?: { name: string; token: string }
  notice?: string
}) {
  const { userForm: uf, tokenForm: tf, csrfToken } = props
  return (
    <Layout title="Users and tokens" principal={props.principal} csrfToken={csrfToken} nav="users">
      <h1>Users and API tokens</h1>
      <p class="lead">Who may sign in, with which role, and the tokens scripts use for the API.</p>
      <Notice notice={props.notice} />
      {props.newToken ? (
        <div class="notice" role="status">
          <p>
            <strong>Token “{props.newToken.name}” created.</strong> Copy it now: it is not shown again.
          </p>
          <p>
            <code class="token">{props.newToken.token}</code>
          </p>
          <p class="small">
            Send it as <code>Authorization: Bearer …</code>
          </p>
        </div>
      ) : null}

      <h2>Users</h2>
      <DataTable caption="Users" columns={['Email', 'Role', 'Since', 'Status', '']}>
        {props.users.map((u) => (
          <tr>
            <td>
              <strong>{u.email}</strong>
              {u.name ? <div class="small muted">{u.name}</div> : null}
            </td>
            <td>{u.role}</td>
            <td class="small">
              <Time at={u.createdAt}>{formatTime(u.createdAt)}</Time>
            </td>
            <td>{u.disabledAt ? 'disabled' : 'active'}</td>
            <td>
              {u.id === props.principal.userId ? (
                <span class="small muted">you</span>
              ) : (
                <RowAction action={`/users/${u.id}/${u.disabledAt ? 'enable' : 'disable'}`} csrfToken={csrfToken} label={u.disabledAt ? 'Enable' : 'Disable'} about={u.email} />
              )}
            </td>
          </tr>
        ))}
      </DataTable>

      <h2 id="add-user">Add a user</h2>
      <form method="post" action="/users" class="card" novalidate>
        <Csrf token={csrfToken} />
        <div class="grid">
          <TextField id="user-email" name="email" type="email" label="Email" value={uf.values.email} error={uf.errors.email} />
          <TextField id="user-name" name="name" label="Name (optional)" value={uf.values.name} />
          <RoleField id="user-role" value={uf.values.role} error={uf.errors.role} />
          <TextField
            id="user-password"
            name="password"
            type="password"
            label="First password"
            autocomplete="new-password"
            error={uf.errors.password}
            hint={`At least ${MIN_PASSWORD_LENGTH} characters. Give it to them privately.`}
          />
        </div>
        <button class="btn" type="submit">
          Add the user
        </button>
      </form>

      <h2>API tokens</h2>
      {props.tokens.length === 0 ? (
        <p class="muted">No token yet.</p>
      ) : (
        <DataTable caption="API tokens" columns={['Name', 'Role', 'Starts with', 'Last used', 'Status', '']}>
          {props.tokens.map((t) => (
            <tr>
              <td>
                <strong>{t.name}</strong>
                <div class="small muted">{t.owner ?? 'made with kept token create'}</div>
              </td>
              <td>{t.role}</td>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td class="small">{t.lastUsedAt ? <Time at={t.lastUsedAt}>{formatTime(t.lastUsedAt)}</Time> : 'never'}</td>
              <td>{t.revokedAt ? 'revoked' : 'active'}</td>
              <td>
                {t.revokedAt ? null : (
                  <RowAction action={`/tokens/${t.id}/revoke`} csrfToken={csrfToken} label="Revoke" about={t.name} />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}

      <h2 id="add-token">Create a token</h2>
      <form method="post" action="/tokens" class="card" novalidate>
        <Csrf token={csrfToken} />
        <div class="grid">
          <TextField id="token-name" name="name" label="Name" value={tf.values.name} error={tf.errors.name} hint="What uses it, e.g. “ci” or “status page”." />
          <RoleField id="token-role" value={tf.values.role} error={tf.errors.role} />
        </div>
        <button class="btn" type="submit">
          Create the token
        </button>
      </form>
    </Layout>
  )
}

const emailSchema = z.email()
const roleOf = (v: unknown): Role | null => (ROLES.includes(v as Role) ? (v as Role) : null)
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '')

export function userRoutes(deps: { db: Db }) {
  const { db } = deps
  const app = new Hono<UiEnv>()
  const guards = pageGuards(db)
  const empty = { values: {}, errors: {} }

  async function render(
    c: Context<UiEnv>,
    opts: { userForm?: UserForm; tokenForm?: TokenForm; newToken?: { name: string; token: string }; status?: 200 | 400 } = {},
  ) {
    const [userRows, tokenRows] = await Promise.all([
      db
        .select({ id: users.id, email: users.email, name: users.name, role: users.role, disabledAt: users.disabledAt, createdAt: users.createdAt })
        .from(users)
        .orderBy(asc(users.email)),
      db
        .select({
          id: apiTokens.id,
          name: apiTokens.name,
          role: apiTokens.role,
          prefix: apiTokens.prefix,
          lastUsedAt: apiTokens.lastUsedAt,
          revokedAt: apiTokens.revokedAt,
          createdAt: apiTokens.createdAt,
          owner: users.email,
        })
        .from(apiTokens)
        .leftJoin(users, eq(users.id, apiTokens.userId))
        .orderBy(asc(apiTokens.name)),
    ])
    c.status(opts.status ?? 200)
    // A page that may hold a new token must not be cached anywhere.
    c.header('cache-control', 'no-store')
    return c.html(
      <UsersPage
        {...signedIn(c)}
        users={userRows}
        tokens={tokenRows}
        userForm={opts.userForm ?? empty}
        tokenForm={opts.tokenForm ?? empty}
        newToken={opts.newToken}
        notice={c.req.query('notice')}
      />,
    )
  }

  app.get('/users', guards.page('user.admin'), (c) => render(c))

  app.post('/users', guards.post('user.admin'), async (c) => {
    const body = await c.req.parseBody()
    const values = { email: str(body.email), name: str(body.name), role: str(body.role) }
    const password = typeof body.password === 'string' ? body.password : ''
    const errors: UserForm['errors'] = {}
    if (!emailSchema.safeParse(values.email).success) errors.email = 'Expected an email address, e.g. ana@example.com.'
    if (password.length < MIN_PASSWORD_LENGTH) errors.password = `Expected at least ${MIN_PASSWORD_LENGTH} characters.`
    const role = roleOf(values.role)
    if (!role) errors.role = 'Choose a role.'
    if (Object.keys(errors).length || !role) return render(c, { userForm: { values, errors }, status: 400 })
    try {
      await createUser(db, { email: values.email, password, role, name: values.name || null })
    } catch (error) {
      if (!(error instanceof EmailTakenError)) throw error
      return render(c, { userForm: { values, errors: { email: 'A user with this email exists already.' } }, status: 400 })
    }
    return c.redirect('/users?notice=user-added', 303)
  })

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(`/users/:id/${verb}`, guards.post('user.admin'), async (c) => {
      const id = c.req.param('id')
      if (!UUID.test(id)) return notFound(c, 'No user has this address.')
      // Nobody locks themselves out.
      if (id === principalOf(c).userId) return c.redirect('/users', 303)
      const [row] = await db.update(users).set({ disabledAt: disabled ? new Date() : null }).where(eq(users.id, id)).returning({ id: users.id })
      if (!row) return notFound(c, 'No user has this address.')
      if (disabled) forgetTokens(db)
      return c.redirect(`/users?notice=user-${disabled ? 'disabled' : 'enabled'}`, 303)
    })
  }

  app.post('/tokens', guards.post('user.admin'), async (c) => {
    const body = await c.req.parseBody()
    const values = { name: str(body.name), role: str(body.role) }
    const errors: TokenForm['errors'] = {}
    if (!values.name) errors.name = 'Name the token after what uses it.'
    else if (values.name.length > 100) errors.name = 'Keep the name under 100 characters.'
    const role = roleOf(values.role)
    if (!role) errors.role = 'Choose a role.'
    if (Object.keys(errors).length || !role) return render(c, { tokenForm: { values, errors }, status: 400 })
    const { token } = await createApiToken(db, { name: values.name, role, userId: principalOf(c).userId })
    return render(c, { newToken: { name: values.name, token } })
  })

  app.post('/tokens/:id/revoke', guards.post('user.admin'), async (c) => {
    const id = c.req.param('id')
    if (!UUID.test(id) || !(await revokeApiToken(db, id))) return notFound(c, 'No token has this address.')
    return c.redirect('/users?notice=token-revoked', 303)
  })

  return app
}
