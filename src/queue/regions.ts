import type { RedisClient } from '../infra/redis.ts'
import { workersIndexKey } from './worker-heartbeat.ts'

// Which regions have a live journey worker: those with a heartbeat that
// has not lapsed in `<prefix>:workers` (src/queue/worker-heartbeat.ts).

/** What the API and the notices need to know of the fleet. */
export interface RegionDirectory {
  /** The region of `kept start` and of promises that name none (KEPT_REGION). */
  defaultRegion: string
  /** Regions with at least one live worker, sorted. */
  live(): Promise<string[]>
}

/** Live regions, sorted; lapsed workers are dropped from the index on the way. */
export async function liveRegions(redis: RedisClient, prefix: string, now = Date.now()): Promise<string[]> {
  const key = workersIndexKey(prefix)
  const [, members] = (await redis.multi().zremrangebyscore(key, '-inf', now).zrangebyscore(key, now, '+inf').exec()) ?? []
  if (members?.[0]) throw members[0]
  const regions = new Set((members?.[1] as string[] | undefined ?? []).map((member) => member.slice(0, member.indexOf(':'))))
  return [...regions].sort()
}

export function regionDirectory(redis: RedisClient, prefix: string, defaultRegion: string): RegionDirectory {
  return { defaultRegion, live: () => liveRegions(redis, prefix) }
}
