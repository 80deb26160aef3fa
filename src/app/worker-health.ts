import { Hono } from 'hono'
import type { WorkerHeartbeat } from '../queue/worker-heartbeat.ts'

/**
 * The answers of a journey worker to its container's probes, on
 * KEPT_WORKER_HEALTH_PORT (a worker has no other HTTP listener):
 *
 * - GET /livez: the process turns, its heartbeat loop ran within three
 *   beats (5 s at least). Redis being away does not fail it: a restart
 *   would not help.
 * - GET /readyz: Redis took the worker's heartbeat within its TTL (so the
 *   worker reaches its queue, and its region counts it as live), and the
 *   worker is not stopping.
 */
export function workerHealthApp(heartbeat: WorkerHeartbeat, who: { workerId: string; region: string }, isStopping: () => boolean) {
  const app = new Hono()
  app.use(async (c, next) => {
    await next()
    c.header('cache-control', 'no-store')
  })
  app.get('/livez', (c) => {
    const ok = Date.now() - heartbeat.lastTickAt < Math.max(3 * heartbeat.everyMs, 5000)
    return c.json({ ok, lastTickAt: new Date(heartbeat.lastTickAt).toISOString() }, ok ? 200 : 503)
  })
  app.get('/readyz', (c) => {
    const beat = heartbeat.lastBeatAt
    const fresh = beat !== null && Date.now() - beat < heartbeat.ttlMs
    const ok = fresh && !isStopping()
    const reason = isStopping() ? 'stopping' : fresh ? undefined : beat === null ? 'no heartbeat reached Redis yet' : 'Redis has not taken a heartbeat within its TTL'
    return c.json({ ok, ...who, lastBeatAt: beat === null ? null : new Date(beat).toISOString(), ...(reason ? { reason } : {}) }, ok ? 200 : 503)
  })
  return app
}
