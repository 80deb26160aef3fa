import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'

// A real Redis Cluster on 127.0.0.1 for tests: redis-server processes with
// cluster mode on, joined by `redis-cli --cluster create`, each master with
// its replica so a master can be killed and its replica promoted.

export interface ClusterNodeAddress {
  host: string
  port: number
}

export interface TestRedisCluster {
  /** Every node, masters and replicas, as REDIS_CLUSTER_NODES lists them. */
  nodes: ClusterNodeAddress[]
  /** `127.0.0.1:p,127.0.0.1:q,…` */
  env: string
  /** The port of the master serving the slot of `key` right now. */
  masterOf(key: string): Promise<number>
  /** Waits until every replica of the master on `port` has what the master had when asked (replication is asynchronous). */
  replicated(port: number, timeoutMs?: number): Promise<void>
  /** SIGKILL one node, as a crashed machine. */
  kill(port: number): Promise<void>
  /** Waits until a master other than `deadPort` serves the slot of `key` and the cluster says ok. */
  waitForFailover(key: string, deadPort: number, timeoutMs?: number): Promise<number>
  stop(): Promise<void>
}

/** Why a cluster cannot be started here, or null when it can. */
export function redisClusterMissing(): string | null {
  for (const tool of ['redis-server', 'redis-cli']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) return `${tool} is not installed (apt-get install redis-server)`
  }
  return null
}

/**
 * Starts `masters` masters with `replicasPerMaster` replicas each. A node
 * stops answering for `nodeTimeoutMs` before it counts as failed, so a
 * killed master's replica takes over within about twice that.
 */
export async function startRedisCluster(
  options: { masters?: number; replicasPerMaster?: number; nodeTimeoutMs?: number } = {},
): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3
  const replicas = options.replicasPerMaster ?? 1
  const count = masters * (1 + replicas)
  await reapOrphans()
  const dir = await mkdtemp(path.join(os.tmpdir(), DIR_PREFIX))
  await writeFile(path.join(dir, 'owner.pid'), String(process.pid))
  const ports = await freeClusterPorts(count)
  const children = new Map<number, ChildProcess>()
  const killAll = () => {
    for (const child of children.values()) child.kill('SIGKILL')
  }
  process.on('exit', killAll)

  const stop = async () => {
    process.off('exit', killAll)
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGKILL')
        await exited
      }),
    )
    await rm(dir, { recursive: true, force: true })
  }

  try {
    for (const port of ports) {
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes',
          '--cluster-config-file', path.join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000),
          '--save', '',
          // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
          '--repl-diskless-sync-delay', '0',
          '--appendonly', 'no',
          '--dir', dir,
          '--pidfile', path.join(dir, `redis-${port}.pid`),
          '--logfile', path.join(dir, `${port}.log`),
          '--loglevel', 'warning',
        ],
        { stdio: 'ignore' },
      )
      children.set(port, child)
    }
    await Promise.all(ports.map((port) => untilAnswers(port)))
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    )
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`)
    await untilReady(ports, masters, replicas)
  } catch (error) {
    await stop()
    throw error
  }

  const masterOf = async (key: string) => {
    for (const port of ports) {
      if (children.get(port)?.exitCode !== null || children.get(port)?.signalCode !== null) continue
      const owner = await withNode(port, async (redis) => {
        const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key))
        const ranges = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][]
        const range = ranges.find(([from, to]) => slot >= from && slot <= to)
        return range ? Number(range[2][1]) : null
      }).catch(() => null)
      if (owner !== null) return owner
    }
    throw new Error(`no live node knows who serves ${key}`)
  }

  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    env: ports.map((port) => `127.0.0.1:${port}`).join(','),
    masterOf,
    async replicated(port, timeoutMs = 10_000) {
      const offsets = async () => {
        const info = await withNode(port, (redis) => redis.info('replication'))
        const replicas = [...info.matchAll(/^slave\d+:.*offset=(\d+)/gm)].map((m) => Number(m[1]))
        return { master: Number(info.match(/^master_repl_offset:(\d+)/m)?.[1]), replicas }
      }
      const target = (await offsets()).master
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const { replicas } = await offsets()
        if (replicas.length > 0 && replicas.every((offset) => offset >= target)) return
        if (Date.now() > deadline) throw new Error(`the replicas of 127.0.0.1:${port} did not catch up within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async kill(port) {
      const child = children.get(port)
      if (!child || child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    },
    async waitForFailover(key, deadPort, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const owner = await masterOf(key).catch(() => deadPort)
        const info = owner === deadPort ? '' : await withNode(owner, async (redis) => String(await redis.call('CLUSTER', 'INFO'))).catch(() => '')
        if (info.includes('cluster_state:ok')) return owner
        if (Date.now() > deadline) throw new Error(`no replica of 127.0.0.1:${deadPort} took over within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    stop,
  }
}

const DIR_PREFIX = 'kept-redis-cluster-'

/**
 * Clusters whose test process died without stopping them (killed after a
 * hook timed out: exit handlers do not run then): their nodes are killed
 * and their directory removed before a new cluster starts.
 */
async function reapOrphans(): Promise<void> {
  for (const name of (await readdir(os.tmpdir())).filter((n) => n.startsWith(DIR_PREFIX))) {
    const dir = path.join(os.tmpdir(), name)
    const owner = Number(await readFile(path.join(dir, 'owner.pid'), 'utf8').catch(() => ''))
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue
    for (const file of (await readdir(dir).catch(() => [])).filter((f) => /^redis-\d+\.pid$/.test(f))) {
      const pid = Number(await readFile(path.join(dir, file), 'utf8').catch(() => ''))
      const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      if (pid > 0 && command.startsWith('redis-server')) process.kill(pid, 'SIGKILL')
    }
    await rm(dir, { recursive: true, force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function withNode<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return await use(redis)
  } finally {
    redis.disconnect()
  }
}

async function untilAnswers(port: number): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await withNode(port, (redis) => redis.ping()).catch(() => null)) !== 'PONG') {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Every node says the cluster is ok, and every master has its replicas in sync. */
async function untilReady(ports: number[], masters: number, replicas: number): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const states = await Promise.all(
      ports.map((port) =>
        withNode(port, async (redis) => ({
          cluster: String(await redis.call('CLUSTER', 'INFO')),
          replication: await redis.info('replication'),
        })).catch(() => null),
      ),
    )
    const ok = states.every((s) => s?.cluster.includes('cluster_state:ok'))
    const syncedReplicas = states.filter((s) => s?.replication.includes('role:slave') && s.replication.includes('master_link_status:up')).length
    if (ok && syncedReplicas === masters * replicas) return
    if (Date.now() > deadline) throw new Error('the Redis Cluster did not become ready within 30 s')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Ports free on 127.0.0.1 whose cluster bus ports (port + 10000) are free too. */
async function freeClusterPorts(count: number): Promise<number[]> {
  const ports: number[] = []
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 30_000)
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.includes(port - 10_000)) continue
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port)
  }
  return ports
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
