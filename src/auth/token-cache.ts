import type { Db } from '../db/client.ts'
import { sha256 } from './hash.ts'
import type { Principal } from './permissions.ts'

// API tokens looked up in the last few seconds, so a busy client costs no
// query per request. Revoking a token or disabling a user forgets every
// entry of that database at once in this process; other processes (more
// API replicas) see it within TTL_MS.

export const TOKEN_CACHE_TTL_MS = 5000
const MAX_ENTRIES = 10_000

interface Entry {
  principal: Principal | null
  until: number
}

const caches = new WeakMap<Db, Map<string, Entry>>()

/** The principal of `token`, from the cache while fresh, else from `lookup`. */
export async function cachedToken(
  db: Db,
  token: string,
  lookup: () => Promise<Principal | null>,
  now = Date.now(),
): Promise<Principal | null> {
  let cache = caches.get(db)
  if (!cache) caches.set(db, (cache = new Map()))
  const key = sha256(token) // never the token itself in memory longer than the request
  const held = heldFresh(cache, key, now)
  if (held !== undefined) return held
  const principal = await lookup()
  cache.delete(key)
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!)
  cache.set(key, { principal, until: now + TOKEN_CACHE_TTL_MS })
  return principal
}

/**
 * The principal of `token` if the cache holds it fresh (null: a token
 * known not to be valid), undefined when only a look-up can tell.
 */
export function freshToken(db: Db, token: string, now = Date.now()): Principal | null | undefined {
  return heldFresh(caches.get(db), sha256(token), now)
}

function heldFresh(cache: Map<string, Entry> | undefined, key: string, now: number): Principal | null | undefined {
  const hit = cache?.get(key)
  return hit && hit.until > now ? hit.principal : undefined
}

/** Forget every cached token of this database (after a revocation, a disabled user). */
export function forgetTokens(db: Db): void {
  caches.get(db)?.clear()
}
