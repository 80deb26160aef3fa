import { spawn, spawnSync } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { Cluster, Redis, type ClusterOptions } from 'ioredis'
import type { ClusterNode } from '../config/redis-cluster.ts'
import type { Logger } from './logger.ts'
import { maskUrl, StartupError } from './startup-error.ts'

/** A single Redis or a Redis Cluster: every command Kept sends works on both (one slot, see clusterPrefix). */
export type RedisClient = Redis | Cluster

/** Where Kept's queues, streams and keys live. */
export type RedisTarget = { url: string } | { clusterNodes: ClusterNode[] }

export interface ResolvedRedis {
  target: RedisTarget
  /**
   * env: REDIS_URL; cluster: REDIS_CLUSTER_NODES; local: a Redis already on
   * 127.0.0.1:6379; private: a redis-server Kept started itself.
   */
  source: 'env' | 'cluster' | 'local' | 'private'
  stop(): Promise<void>
}

type RedisEnv = { REDIS_URL?: string | undefined; REDIS_CLUSTER_NODES?: ClusterNode[] | undefined }

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
 * Where Kept's queues live: the cluster of REDIS_CLUSTER_NODES when set (it
 * must be one), else REDIS_URL when set (and it must answer), else a Redis
 * already running on 127.0.0.1:6379, else a private redis-server under
 * `<dataDir>/redis/`, stopped by `stop()`.
 */
export async function resolveRedis(
  env: RedisEnv,
  dataDir: string,
  logger?: Logger,
  options: ResolveRedisOptions = {},
): Promise<ResolvedRedis> {
  const nothingToStop = async () => {}
  if (env.REDIS_CLUSTER_NODES?.length) {
    await checkCluster(env.REDIS_CLUSTER_NODES)
    logger?.info({ nodes: env.REDIS_CLUSTER_NODES.length }, 'using the Redis Cluster of REDIS_CLUSTER_NODES')
    return { target: { clusterNodes: env.REDIS_CLUSTER_NODES }, source: 'cluster', stop: nothingToStop }
  }
  if (env.REDIS_URL) {
    const problem = await ping(env.REDIS_URL, 3000)
    if (problem) {
      throw new StartupError(
        'REDIS_URL',
        `cannot reach redis at ${maskUrl(env.REDIS_URL)}: ${problem}`,
        'Check that Redis runs and that the host, port and password in REDIS_URL are right, or unset REDIS_URL to let Kept find or start one.',
      )
    }
    return { target: { url: env.REDIS_URL }, source: 'env', stop: nothingToStop }
  }
  if (!options.skipLocal && (await ping(LOCAL_URL, 1000)) === null) {
    logger?.info({ url: LOCAL_URL }, 'using the Redis on 127.0.0.1:6379')
    return { target: { url: LOCAL_URL }, source: 'local', stop: nothingToStop }
  }
  if (options.allowPrivate === false) {
    throw new StartupError('REDIS_URL', 'no Redis found: REDIS_URL is not set and nothing answers on 127.0.0.1:6379', 'A worker must use the Redis of the control plane: set REDIS_URL to it.')
  }
  if (!hasRedisServer()) {
    throw new StartupError('REDIS_URL', 'no Redis found: REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and redis-server is not installed', HOW_TO_GET_REDIS)
  }
  return startPrivateRedis(path.join(dataDir, 'redis'), logger)
}

/** The Redis of the environment, unchecked: REDIS_CLUSTER_NODES first, then REDIS_URL, then 127.0.0.1:6379. */
export function redisTargetOf(env: RedisEnv): RedisTarget {
  return env.REDIS_CLUSTER_NODES?.length ? { clusterNodes: env.REDIS_CLUSTER_NODES } : { url: env.REDIS_URL ?? LOCAL_URL }
}

/**
 * The Redis of a process that shares the control plane's (a lone journey
 * worker, recorder or alerts process, the CLI): a cluster is checked to be
 * one, so a wrong REDIS_CLUSTER_NODES fails at start; a REDIS_URL is used as
 * it is (the connection retries until Redis answers).
 */
export async function sharedRedisTarget(env: RedisEnv): Promise<RedisTarget> {
  const target = redisTargetOf(env)
  if ('clusterNodes' in target) await checkCluster(target.clusterNodes)
  return target
}

/** The hosts and ports of a target: its URL's, or the cluster's seed nodes. */
export function redisAddresses(target: RedisTarget): ClusterNode[] {
  if ('clusterNodes' in target) return target.clusterNodes
  const url = new URL(target.url)
  return url.hostname ? [{ host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 6379) }] : []
}

/**
 * How a cluster client rides out a failover: a command that meets a dead
 * master, CLUSTERDOWN or a MOVED to the dead one is sent again every
 * 200 ms while the replica is promoted (cluster-node-timeout, 15 s by
 * default, plus the election). A worker connection waits as long as it
 * takes, like `maxRetriesPerRequest: null` on a single Redis, so a walked
 * result is published late rather than lost; other connections give up
 * after ~20 s.
 */
function clusterOptions(worker: boolean): ClusterOptions {
  return {
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    retryDelayOnMoved: 50,
    maxRedirections: worker ? Number.POSITIVE_INFINITY : 100,
    redisOptions: worker ? { maxRetriesPerRequest: null } : {},
  }
}

/** An ioredis connection for BullMQ; workers need `maxRetriesPerRequest: null`. */
export function createRedisConnection(url: string, options?: { worker?: boolean }): Redis
export function createRedisConnection(target: RedisTarget, options?: { worker?: boolean }): RedisClient
export function createRedisConnection(target: string | RedisTarget, options: { worker?: boolean } = {}): RedisClient {
  const worker = options.worker ?? false
  if (typeof target !== 'string' && 'clusterNodes' in target) return new Cluster(target.clusterNodes, clusterOptions(worker))
  return new Redis(typeof target === 'string' ? target : target.url, worker ? { maxRetriesPerRequest: null } : {})
}

/** A second connection like `client` (a blocking read must not hold up the others). */
export function duplicateConnection(client: RedisClient): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate()
}

/**
 * REDIS_CLUSTER_NODES must name nodes of a Redis Cluster that serves every
 * slot: a plain Redis there would fail later, on the first key of another
 * slot. Every node that answers is asked; at least one must.
 */
export async function checkCluster(nodes: ClusterNode[], timeoutMs = 3000): Promise<void> {
  const answers = await Promise.all(
    nodes.map(async (node) => {
      const name = `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`
      try {
        const info = await askRedis(node, timeoutMs, async (client) => [await client.info('cluster'), await client.call('CLUSTER', 'INFO').catch(() => '')])
        return { name, enabled: /cluster_enabled:1/.test(String(info[0])), state: String(info[1]).match(/cluster_state:(\w+)/)?.[1] ?? null }
      } catch (error) {
        return { name, problem: (error as Error).message || String(error) }
      }
    }),
  )
  const plain = answers.find((a) => 'enabled' in a && !a.enabled)
  if (plain) {
    throw new StartupError(
      'REDIS_CLUSTER_NODES',
      `${plain.name} is a Redis without cluster mode (cluster_enabled:0), not a node of a Redis Cluster`,
      'List the nodes of a Redis Cluster (redis-server --cluster-enabled yes), or set REDIS_URL instead for a single Redis.',
    )
  }
  const cluster = answers.filter((a) => 'enabled' in a)
  if (cluster.length === 0) {
    const why = answers.map((a) => `${a.name}: ${'problem' in a ? a.problem : '?'}`).join('; ')
    throw new StartupError('REDIS_CLUSTER_NODES', `cannot reach any node of the Redis Cluster (${why})`, 'Check that the cluster runs and that the hosts and ports in REDIS_CLUSTER_NODES are right.')
  }
  const failing = cluster.find((a) => 'state' in a && a.state !== 'ok')
  if (failing && 'state' in failing) {
    throw new StartupError(
      'REDIS_CLUSTER_NODES',
      `the Redis Cluster is not serving every slot (cluster_state:${failing.state ?? 'unknown'} on ${failing.name})`,
      'Finish the cluster (redis-cli --cluster create, or --cluster fix) and start Kept again.',
    )
  }
}

/** null when Redis answered PING in time, else why not. */
async function ping(url: string, timeoutMs: number): Promise<string | null> {
  try {
    await askRedis(url, timeoutMs, (client) => client.ping())
    return null
  } catch (error) {
    return (error as Error).message || String(error)
  }
}

/** One short-lived connection that asks `ask` and closes; rejects after `timeoutMs` without an answer. */
async function askRedis<T>(where: string | ClusterNode, timeoutMs: number, ask: (client: Redis) => Promise<T>): Promise<T> {
  const options = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  }
  const client = typeof where === 'string' ? new Redis(where, options) : new Redis({ ...options, host: where.host, port: where.port })
  // Reported through the rejected promise below, with the socket's own words
  // (ECONNREFUSED …) rather than ioredis' "Connection is closed".
  let socketError: Error | undefined
  client.on('error', (error: Error) => (socketError ??= error))
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([client.connect().then(() => ask(client)), late])
  } catch (error) {
    throw socketError ?? error
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
  return { target: { url }, source: 'private', stop }
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
