import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { IncomingMessage } from 'node:http'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createSession, deleteSession, SESSION_COOKIE } from '../auth/sessions.ts'
import { authenticateUser } from '../auth/users.ts'
import { clientAddress, type TrustProxy } from '../auth/client-address.ts'
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

const HERE = 'http://kept.invalid'

/**
 * Only paths on this site. Parsed as a browser would (which drops tabs and
 * newlines and reads a backslash as a slash), so `/\t/evil.test` and
 * `/\\evil.test` are seen as the other hosts they are.
 */
export function safeNext(next: string | undefined | null): string {
  if (!next || !next.startsWith('/')) return '/'
  let url: URL
  try {
    url = new URL(next, HERE)
  } catch {
    return '/'
  }
  if (url.origin !== HERE) return '/'
  return `${url.pathname}${url.search}${url.hash}`
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

export function loginRoutes(deps: { db: Db; limiter: LoginLimiter; trustProxy?: TrustProxy | null }) {
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
    const attempt = { email, client: clientAddress((c.env as { incoming?: IncomingMessage } | undefined)?.incoming, deps.trustProxy ?? null) }
    const verdict = await deps.limiter.check(attempt)
    if (!verdict.allowed) {
      c.header('retry-after', String(verdict.retryAfterSeconds))
      return loginForm(c, 429, {
        email,
        next,
        error: `Too many sign-in attempts. Wait ${verdict.retryAfterSeconds} seconds, then try again.`,
      })
    }
    const user = email && password ? await authenticateUser(deps.db, email, password) : null
    if (!user) {
      await deps.limiter.failed(attempt)
      return loginForm(c, 401, { email, next, error: 'That email and password do not match an account.' })
    }
    await deps.limiter.succeeded(attempt)
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
