import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'

// Sign-in failures are limited the way rate-limiter-flexible's brute-force
// recipe does: failures of one account from one client (a success forgets
// them), and a slower limit of failures per client across every account.
// Nobody can lock an account out from elsewhere: the account's own client
// keeps its tries. In memory is enough for one control plane: a restart
// only forgives a few tries.

export interface LoginLimits {
  /** Failures of one account from one client before it waits (default 5 in 15 min). */
  perAccount: { failures: number; windowSeconds: number }
  /** Failures from one client, every account together (default 50 an hour). */
  perClient: { failures: number; windowSeconds: number }
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: { failures: 5, windowSeconds: 15 * 60 },
  perClient: { failures: 50, windowSeconds: 60 * 60 },
}

export interface LoginAttempt {
  email: string
  /** The client's address (trusted proxies already peeled off), or null when unknown. */
  client: string | null
}

export interface LoginLimiter {
  /** May this attempt be tried; when not, how long to wait. */
  check(attempt: LoginAttempt): Promise<{ allowed: boolean; retryAfterSeconds: number }>
  failed(attempt: LoginAttempt): Promise<void>
  succeeded(attempt: LoginAttempt): Promise<void>
}

export function loginLimiter(limits: LoginLimits = DEFAULT_LOGIN_LIMITS): LoginLimiter {
  const perAccount = new RateLimiterMemory({ keyPrefix: 'account', points: limits.perAccount.failures, duration: limits.perAccount.windowSeconds })
  const perClient = new RateLimiterMemory({ keyPrefix: 'client', points: limits.perClient.failures, duration: limits.perClient.windowSeconds })
  const accountKey = (a: LoginAttempt) => `${a.email.trim().toLowerCase()}|${a.client ?? 'unknown'}`
  const clientKey = (a: LoginAttempt) => a.client ?? 'unknown'
  const over = (res: RateLimiterRes | null, points: number) => (res && res.consumedPoints >= points ? Math.ceil(res.msBeforeNext / 1000) : 0)

  return {
    async check(attempt) {
      const [account, client] = await Promise.all([perAccount.get(accountKey(attempt)), perClient.get(clientKey(attempt))])
      const wait = Math.max(over(account, limits.perAccount.failures), over(client, limits.perClient.failures))
      return { allowed: wait === 0, retryAfterSeconds: wait }
    },
    async failed(attempt) {
      // consume rejects once over the limit: that is check's concern, not an error.
      await Promise.all([perAccount.consume(accountKey(attempt)).catch(() => {}), perClient.consume(clientKey(attempt)).catch(() => {})])
    },
    async succeeded(attempt) {
      await perAccount.delete(accountKey(attempt))
    },
  }
}
