import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { freePort } from '../support/kept-process.ts'
import { until } from '../support/wait.ts'

// Services of the faults suite's own, so it can kill them without touching
// the shared ones: a redis-server without persistence and a Postgres
// cluster (initdb + pg_ctl), both on free ports of 127.0.0.1.

const PG_BIN = (() => {
  const found = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' })
  return found.status === 0 ? found.stdout.trim() : '/usr/lib/postgresql/15/bin'
})()

/** initdb refuses root: run Postgres's own tools as the postgres user then. */
function asPostgres(command: string, args: string[]): string[] {
  const root = process.getuid?.() === 0
  return root ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args]
}

function run(argv: string[]): void {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 })
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr || result.stdout}`)
}

export interface OwnPostgres {
  url: string
  stop(): void
  start(): void
  destroy(): Promise<void>
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kept-faults-pg-'))
  await chmod(dir, 0o777)
  const data = path.join(dir, 'data')
  const port = await freePort()
  run(asPostgres(path.join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']))
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = () => run(asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']))
  const stop = () => run(asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']))
  start()
  run(['psql', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'create database kept'])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/kept`,
    stop,
    start,
    async destroy() {
      try {
        stop()
      } catch {
        // already stopped
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface OwnRedis {
  url: string
  /** Kill the server and start it again, empty: a restart without persistence. */
  restartEmpty(): Promise<void>
  destroy(): Promise<void>
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort()
  let child: ChildProcess
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    await until(() => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 'redis-server to answer', 10_000)
  }
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    async restartEmpty() {
      await kill()
      await start()
    },
    destroy: kill,
  }
}
