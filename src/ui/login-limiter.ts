// Login attempts are limited per client address and per email: a sliding
// window in memory. A dozen lines do what is needed here (two keys per
// attempt, read from the form body); rate-limit middleware libraries key
// on the request alone. In memory is enough for one control plane: a
// restart only forgives a few tries.

export interface LoginLimiter {
  /** Count one attempt under every key; false when any key is over its limit. */
  attempt(keys: string[], now?: number): { allowed: boolean; retryAfterSeconds: number }
}

export function slidingWindowLimiter(options: { limit: number; windowMs: number }): LoginLimiter {
  const hits = new Map<string, number[]>()
  return {
    attempt(keys, now = Date.now()) {
      const since = now - options.windowMs
      let retryAfterMs = 0
      for (const key of keys) {
        const recent = (hits.get(key) ?? []).filter((at) => at > since)
        if (recent.length >= options.limit) retryAfterMs = Math.max(retryAfterMs, recent[0]! - since)
        recent.push(now)
        hits.set(key, recent.slice(-options.limit))
      }
      // Forget idle keys now and then, so the map stays small.
      if (hits.size > 10_000) {
        for (const [key, times] of hits) if ((times.at(-1) ?? 0) <= since) hits.delete(key)
      }
      return { allowed: retryAfterMs === 0, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) }
    },
  }
}

/** Five tries a minute per address and per email. */
export const defaultLoginLimiter = () => slidingWindowLimiter({ limit: 5, windowMs: 60_000 })
