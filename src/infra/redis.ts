import { spawn, spawnSync } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { Redis } from 'ioredis'
import type { Logger } from './logger.ts'
import { maskUrl, StartupError } from './startup-error.ts'

export interface ResolvedRedis {
  url: string
  /** env: REDIS_URL; local: a Redis already on 127.0.0.1:6379; private: a redis-server Kept started itself. */
  source: 'env' | 'local' | 'private'
  stop(): Promise<void>
}

export interface ResolveRedisOptions {
  /** Skip the 127.0.0.1:6379 probe (tests use it to force the private redis-server). */
  skipLocal?: boolean
  /**
   * Start a private redis-server when none is found (default true). A lone
   * journey worker says no: it must share the control plane's Redis.
   */
  allowPrivate?: boolean
}

const LOCAL_URL = 'redis://127.0.0.1:6379'
const HOW_TO_GET_REDIS =
  'Set REDIS_URL to a reachable Redis, or make one available: `docker compose up -d redis`, ' +
  '`apt-get install redis-server`, or `brew install redis` (Kept then starts its own).'

/**
 * Where Kept's queues live: REDIS_URL when set (and it must answer), else a
 * Redis already running on 127.0.0.1:6379, else a private redis-server
 * under `<dataDir>/redis/`, stopped by `stop()`.
 */
export async function resolveRedis(
  env: { REDIS_URL?: string },
  dataDir: string,
  logger?: Logger,
  options: ResolveRedisOptions = {},
): Promise<ResolvedRedis> {
  const nothingToStop = async () => {}
  if (env.REDIS_URL) {
    const problem = await ping(env.REDIS_URL, 3000)
    if (problem) {
      throw new StartupError(
        'REDIS_URL',
        `cannot reach redis at ${maskUrl(env.REDIS_URL)}: ${problem}`,
        'Check that Redis runs and that the host, port and password in REDIS_URL are right, or unset REDIS_URL to let Kept find or start one.',
      )
    }
    return { url: env.REDIS_URL, source: 'env', stop: nothingToStop }
  }
  if (!options.skipLocal && (await ping(LOCAL_URL, 1000)) === null) {
    logger?.info({ url: LOCAL_URL }, 'using the Redis on 127.0.0.1:6379')
    return { url: LOCAL_URL, source: 'local', stop: nothingToStop }
  }
  if (options.allowPrivate === false) {
    throw new StartupError('REDIS_URL', 'no Redis found: REDIS_URL is not set and nothing answers on 127.0.0.1:6379', 'A worker must use the Redis of the control plane: set REDIS_URL to it.')
  }
  if (!hasRedisServer()) {
    throw new StartupError('REDIS_URL', 'no Redis found: REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and redis-server is not installed', HOW_TO_GET_REDIS)
  }
  return startPrivateRedis(path.join(dataDir, 'redis'), logger)
}

/** An ioredis connection for BullMQ; workers need `maxRetriesPerRequest: null`. */
export function createRedisConnection(url: string, options: { worker?: boolean } = {}): Redis {
  return new Redis(url, options.worker ? { maxRetriesPerRequest: null } : {})
}

/** null when Redis answered PING in time, else why not. */
async function ping(url: string, timeoutMs: number): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  })
  client.on('error', () => {}) // reported through the rejected promise below
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([client.connect().then(() => client.ping()), late])
    return null
  } catch (error) {
    return (error as Error).message || String(error)
  } finally {
    clearTimeout(timer)
    client.disconnect()
  }
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

async function startPrivateRedis(dir: string, logger?: Logger): Promise<ResolvedRedis> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const pidFile = path.join(dir, 'redis.pid')
  await stopOrphan(pidFile, logger)
  const port = await freePort()
  const child = spawn(
    'redis-server',
    [
      '--bind', '127.0.0.1',
      '--port', String(port),
      '--dir', dir,
      '--appendonly', 'yes',
      '--pidfile', pidFile,
      '--daemonize', 'no',
      '--logfile', '',
      '--loglevel', 'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Not detached, and killed when this process leaves, so no redis-server
  // outlives Kept. (A SIGKILLed Kept leaves it running: stopOrphan ends it
  // at the next start, before anything else uses the directory.)
  const killOnExit = () => child.kill('SIGTERM')
  process.on('exit', killOnExit)

  const url = `redis://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  while ((await ping(url, 500)) !== null) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      process.off('exit', killOnExit)
      throw new StartupError('REDIS_URL', `the private redis-server in ${dir} did not start: ${output.trim() || 'no output'}`, HOW_TO_GET_REDIS)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  logger?.info({ url, dir }, 'started a private redis-server')

  let stopping: Promise<void> | null = null
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit)
      if (child.exitCode === null) {
        child.kill('SIGTERM') // redis-server saves the append-only file and exits
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(killer)
      }
    })())
  return { url, source: 'private', stop }
}

/** A redis-server left by a Kept that was killed outright still holds the directory: end it. */
async function stopOrphan(pidFile: string, logger?: Logger): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim())
  if (!Number.isInteger(pid) || pid <= 0) return
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  if (!command.includes('redis-server')) return
  logger?.warn({ pid }, 'stopping a private redis-server left by an earlier run')
  process.kill(pid, 'SIGTERM')
  for (let waited = 0; waited < 5000; waited += 50) {
    if (!isAlive(pid)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  process.kill(pid, 'SIGKILL')
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}
