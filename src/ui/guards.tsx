import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { every } from 'hono/combine'
import { createMiddleware } from 'hono/factory'
import { secureHeaders } from 'hono/secure-headers'
import { authenticate, type AuthEnv } from '../auth/middleware.ts'
import { signInPath } from '../auth/sessions.ts'
import { can, type Action, type Principal } from '../auth/permissions.ts'
import type { Db } from '../db/client.ts'
import { Layout } from './layout.tsx'

// The checks every page route runs, as middleware lists applied per route
// (never app.use('*')): mounted at '/', a catch-all here would also run in
// front of the API's routes.

export type UiEnv = AuthEnv

/** Pages load only our own files; nothing may frame them. */
export const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  referrerPolicy: 'same-origin',
})

/** Authenticate unless the composition root already did (principal set). */
export function ensureAuthenticated(db: Db): MiddlewareHandler<UiEnv> {
  const auth = authenticate({ db })
  return createMiddleware<UiEnv>(async (c, next) => {
    if (c.get('principal') !== undefined) return next()
    return auth(c, next)
  })
}

/**
 * A page needs a signed-in principal; otherwise the login page, coming back
 * after. What a signed-in person sees is never kept by a browser or a proxy
 * cache (a shared computer's back button, a caching proxy), unless the
 * route chose its own caching (evidence images).
 */
export const requireSignIn = createMiddleware<UiEnv>(async (c, next) => {
  if (!c.get('principal')) return c.redirect(signInPath(c.req.url), 303)
  await next()
  if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store')
})

/** The principal, after requireSignIn. */
export function principalOf(c: Context<UiEnv>): Principal {
  const principal = c.get('principal')
  if (!principal) throw new Error('principalOf used on a route without requireSignIn')
  return principal
}

/** The props every signed-in page takes: who reads it, and the token its forms carry. */
export function signedIn(c: Context<UiEnv>): { principal: Principal; csrfToken: string | null } {
  return { principal: principalOf(c), csrfToken: c.get('csrfToken') }
}

/** A page that says why there is nothing here, with the way back. */
function refusalPage(c: Context<UiEnv>, status: 403 | 404, title: string, message: string) {
  c.status(status)
  return c.html(
    <Layout title={title} principal={c.get('principal') ?? null} csrfToken={c.get('csrfToken') ?? null}>
      <h1>{title}</h1>
      <p class="lead">{message}</p>
      <p>
        <a href="/">Back to the promises</a>
      </p>
    </Layout>,
  )
}

export const forbidden = (c: Context<UiEnv>, message: string) => refusalPage(c, 403, 'Not allowed', message)
export const notFound = (c: Context<UiEnv>, what: string) => refusalPage(c, 404, 'Not found', what)

const roleWords: Record<Action, string> = {
  read: 'read this page',
  'promise.write': 'create or change promises',
  'promise.run': 'run promises',
  'break.ack': 'acknowledge breaks',
  'channel.write': 'manage alert channels',
  'user.admin': 'manage users',
}

/** Refuse (403) a principal whose role may not do `action`. */
export function requireAction(action: Action): MiddlewareHandler<UiEnv> {
  return createMiddleware<UiEnv>(async (c, next) => {
    const principal = principalOf(c)
    if (can(principal.role, action)) return next()
    return forbidden(c, `Your role (${principal.role}) may not ${roleWords[action]}. Ask an admin if you need to.`)
  })
}

export function sameToken(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Every POST carries the session's CSRF token: the `_csrf` field of a form,
 * or the x-csrf-token header of the form script's JSON calls.
 */
export const requireCsrf = createMiddleware<UiEnv>(async (c, next) => {
  const expected = c.get('csrfToken')
  let sent = c.req.header('x-csrf-token')
  if (!sent) {
    const type = c.req.header('content-type') ?? ''
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
      const body = await c.req.parseBody({ all: true })
      sent = typeof body._csrf === 'string' ? body._csrf : undefined
    }
  }
  if (sameToken(sent, expected)) return next()
  return forbidden(c, 'This form has expired or did not come from Kept. Go back, reload the page and try again.')
})

/** Forms are small; a journey is a few lines. */
export const formBodyLimit = bodyLimit({
  maxSize: 256 * 1024,
  onError: (c) => c.text('Request body too large (at most 256 KB).', 413),
})

export function pageGuards(db: Db) {
  const auth = ensureAuthenticated(db)
  return {
    /** A page to read. */
    read: every(pageHeaders, auth, requireSignIn, requireAction('read')),
    /** A page that needs `action` (e.g. a form). */
    page: (action: Action) => every(pageHeaders, auth, requireSignIn, requireAction(action)),
    /** A form post: role first, then the CSRF token. */
    post: (action: Action) =>
      every(pageHeaders, formBodyLimit, auth, requireSignIn, requireAction(action), requireCsrf),
    /** Public pages (login). */
    open: every(pageHeaders, auth),
    /** Signed in to read, with the route's own headers (the trace viewer's CSP differs). */
    signedIn: every(auth, requireSignIn, requireAction('read')),
  }
}
