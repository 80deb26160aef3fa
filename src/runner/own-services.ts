import type { Env } from '../config/env.ts'
import { redisAddresses, redisTargetOf } from '../infra/redis.ts'
import { resolveAll } from '../infra/resolve.ts'
import { parseAllowedTargets, type OwnService, type TargetPolicy } from '../domain/target-policy.ts'

// Kept's own services, which neither a journey nor an alert channel may
// reach: the Redis that holds its queues, the Postgres that holds its data,
// its HTTP listener (the API and pages a journey would call with no token,
// but from inside the network).

type ServiceEnv = Pick<Env, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'DATABASE_URL' | 'HOST' | 'PORT' | 'KEPT_ALLOWED_TARGETS'>

export function ownServicesFromEnv(env: ServiceEnv): Omit<OwnService, 'addresses'>[] {
  const services: Omit<OwnService, 'addresses'>[] = []
  const add = (label: string, url: string | undefined, defaultPort: number) => {
    if (!url) return
    const parsed = new URL(url)
    if (parsed.hostname) services.push({ label, host: parsed.hostname, port: Number(parsed.port || defaultPort) })
  }
  // Each node of a cluster as listed in REDIS_CLUSTER_NODES (list them all: nodes found later are not known here).
  for (const node of redisAddresses(redisTargetOf(env))) services.push({ label: "Kept's Redis", ...node })
  add("Kept's Postgres", env.DATABASE_URL, 5432)
  if (env.PORT > 0) services.push({ label: "Kept's HTTP server", host: env.HOST, port: env.PORT })
  return services
}

/** The addresses each service's host resolves to, read once (a name that does not resolve keeps none). */
export async function resolveOwnServices(services: Omit<OwnService, 'addresses'>[]): Promise<OwnService[]> {
  return Promise.all(
    services.map(async (service) => {
      const addresses = await resolveAll(service.host.replace(/^\[(.*)\]$/, '$1')).catch(() => [])
      return { ...service, addresses }
    }),
  )
}

/** KEPT_ALLOWED_TARGETS with Kept's own services blocked: the policy of journeys and channels alike. */
export async function targetPolicyFromEnv(env: ServiceEnv): Promise<TargetPolicy> {
  return parseAllowedTargets(env.KEPT_ALLOWED_TARGETS, await resolveOwnServices(ownServicesFromEnv(env)))
}

/** A listener whose port was chosen at start (PORT=0) joins the list once it is known. */
export function addOwnService(policy: TargetPolicy, service: OwnService): void {
  policy.ownServices.push(service)
}
