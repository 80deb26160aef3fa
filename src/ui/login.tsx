import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { Hono } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createSession, deleteSession, SESSION_COOKIE } from '../auth/sessions.ts'
import { authenticateUser } from '../auth/users.ts'
import type { Db } from '../db/client.ts'
import { formBodyLimit, pageGuards, sameToken, type UiEnv } from './guards.tsx'
import { Layout } from './layout.tsx'
import type { LoginLimiter } from './login-limiter.ts'
import { TextField } from './field.tsx'

// Before a session exists there is no session CSRF token, so the login
// form uses a double-submit token: a random value in a short-lived cookie
// and in the form; a cross-site form cannot read the cookie to copy it.
const LOGIN_CSRF_COOKIE = 'kept_login_csrf'

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
}

/** Only paths on this site: never //host or a full URL from the query. */
export function safeNext(next: string | undefined | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/'
  return next
}

function clientAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null
  } catch {
    return null // no socket, e.g. app.request() in tests: limit by email alone
  }
}

function LoginPage(props: { csrf: string; next: string; email?: string; error?: string; status?: string }) {
  return (
    <Layout title="Sign in" principal={null} csrfToken={null}>
      <div class="login">
        <h1>Sign in to Kept</h1>
        <p class="lead">The promises your company makes to customers, walked in a real browser.</p>
        {props.error ? (
          <p class="notice bad" role="alert" id="login-error">
            {props.error}
          </p>
        ) : null}
        {props.status ? (
          <p class="notice" role="status">
            {props.status}
          </p>
        ) : null}
        <form method="post" action="/login" class="card">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="next" value={props.next} />
          {/* One error for the pair: which of the two was wrong is not told. */}
          <TextField id="email" name="email" type="email" label="Email" autocomplete="username" required value={props.email} alsoDescribedBy={props.error ? 'login-error' : undefined} />
          <TextField id="password" name="password" type="password" label="Password" autocomplete="current-password" required alsoDescribedBy={props.error ? 'login-error' : undefined} />
          <button class="btn" type="submit">
            Sign in
          </button>
        </form>
        <p class="muted small">
          No account yet? An admin creates one with <code>kept user add</code>.
        </p>
      </div>
    </Layout>
  )
}

export function loginRoutes(deps: { db: Db; limiter: LoginLimiter }) {
  const app = new Hono<UiEnv>()
  const guards = pageGuards(deps.db)

  function loginForm(c: Context<UiEnv>, status: 200 | 401 | 403 | 429, props: { email?: string; error?: string; next?: string }) {
    const csrf = randomBytes(24).toString('base64url')
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c),
      path: '/login',
      maxAge: 3600,
    })
    c.status(status)
    return c.html(<LoginPage csrf={csrf} next={safeNext(props.next ?? c.req.query('next'))} {...props} />)
  }

  app.get('/login', guards.open, (c) => {
    if (c.get('principal')) return c.redirect(safeNext(c.req.query('next')), 303)
    return loginForm(c, 200, {})
  })

  app.post('/login', guards.open, formBodyLimit, async (c) => {
    const body = await c.req.parseBody()
    const email = typeof body.email === 'string' ? body.email.trim() : ''
    const password = typeof body.password === 'string' ? body.password : ''
    const next = typeof body.next === 'string' ? body.next : '/'
    if (!sameToken(typeof body._csrf === 'string' ? body._csrf : null, getCookie(c, LOGIN_CSRF_COOKIE))) {
      return loginForm(c, 403, { email, next, error: 'The sign-in form expired. Please sign in again.' })
    }
    const address = clientAddress(c)
    const verdict = deps.limiter.attempt([...(address ? [`ip:${address}`] : []), `email:${email.toLowerCase()}`])
    if (!verdict.allowed) {
      c.header('retry-after', String(verdict.retryAfterSeconds))
      return loginForm(c, 429, {
        email,
        next,
        error: `Too many sign-in attempts. Wait ${verdict.retryAfterSeconds} seconds, then try again.`,
      })
    }
    const user = email && password ? await authenticateUser(deps.db, email, password) : null
    if (!user) return loginForm(c, 401, { email, next, error: 'That email and password do not match an account.' })
    const session = await createSession(deps.db, user.id)
    setCookie(c, SESSION_COOKIE, session.cookieValue, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: isHttps(c),
      path: '/',
      expires: session.expiresAt,
    })
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' })
    return c.redirect(safeNext(next), 303)
  })

  app.post('/logout', guards.post('read'), async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE)
    if (cookie) await deleteSession(deps.db, cookie)
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
    return c.redirect('/login', 303)
  })

  // After sign-out, a GET lands on the login page rather than a 404.
  app.get('/logout', (c) => c.redirect('/login', 303))

  return app
}
