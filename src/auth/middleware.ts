import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { Db } from '../db/client.ts'
import { requestHeader } from '../infra/request-header.ts'
import { safeEqual } from './hash.ts'
import { can, type Action, type Principal } from './permissions.ts'
import { SESSION_COOKIE, loadSession } from './sessions.ts'
import { cachedToken } from './token-cache.ts'
import { findToken } from './tokens.ts'

export type AuthEnv = { Variables: { principal: Principal | null; csrfToken: string | null } }

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
export const CSRF_HEADER = 'x-csrf-token'
/** Server-rendered forms send the CSRF token as this field instead of the header. */
export const CSRF_FIELD = '_csrf'

/**
 * Who is asking: `Authorization: Bearer <token>` first, else the session
 * cookie. Sets principal (null when neither is valid) and, for a session,
 * its CSRF token. Refuses nothing itself: see requireAction.
 */
export function authenticate(deps: { db: Db }) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    c.set('principal', null)
    c.set('csrfToken', null)
    const header = requestHeader(c, 'authorization')
    if (header !== undefined) {
      const token = bearerToken(header)
      if (token) c.set('principal', await cachedToken(deps.db, token, () => findToken(deps.db, token)))
    } else {
      const cookie = getCookie(c, SESSION_COOKIE)
      const session = cookie ? await loadSession(deps.db, cookie) : null
      if (session) {
        c.set('principal', session.principal)
        c.set('csrfToken', session.csrfToken)
      }
    }
    await next()
  })
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other scheme. */
export function bearerToken(header: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
}

/** A request refused: who maps it (the API's onError, the HTTP app's) decides its shape. */
export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message)
    this.name = 'AuthError'
  }
}

/** What a 401 says, with its WWW-Authenticate. */
export const SIGN_IN_CHALLENGE = 'Bearer realm="kept"'

/**
 * Throws AuthError: 401 without a principal, 403 when its role may not do
 * `action`, and 403 for a cookie session's unsafe request without the
 * session's CSRF token (header x-csrf-token, or form field _csrf). Bearer
 * requests carry no ambient credentials, so they need no CSRF token.
 */
export function requireAction(action: Action) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const principal = c.get('principal')
    if (!principal) throw new AuthError(401, 'sign in, or send Authorization: Bearer <token> (kept token create)')
    if (!can(principal.role, action)) throw new AuthError(403, `the ${principal.role} role may not do ${action}`)
    if (principal.kind === 'session' && UNSAFE_METHODS.has(c.req.method)) {
      const expected = c.get('csrfToken')
      const sent = await sentCsrfToken(c)
      if (!expected || !sent || !safeEqual(sent, expected)) {
        throw new AuthError(403, `missing or wrong CSRF token: send the session's token in header ${CSRF_HEADER}`)
      }
    }
    await next()
  })
}

async function sentCsrfToken(c: Context): Promise<string | null> {
  const header = c.req.header(CSRF_HEADER)
  if (header) return header
  const type = c.req.header('content-type') ?? ''
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    // parseBody caches the parsed body, so the handler can read it again.
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
    const field = body[CSRF_FIELD]
    return typeof field === 'string' ? field : null
  }
  return null
}
