import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { uniquePrefix } from './db.ts'
import { until } from './wait.ts'

// `kept` as a real process, for the end-to-end and faults suites.

const KEPT = path.resolve('src/cli/kept.ts')

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A CLI command, waited for. */
export function kept(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', 'tsx', KEPT, ...args], { env, encoding: 'utf8', timeout: 60_000 })
}

export interface Started {
  child: ChildProcess
  env: NodeJS.ProcessEnv
  url: string
  output: () => string
}

/** `kept start` (or other args) on free ports, once its health says ok. */
export async function startKept(extra: NodeJS.ProcessEnv, args = ['start']): Promise<Started> {
  const port = extra.PORT ? Number(extra.PORT) : await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    KEPT_DEMO_PORT: String(await freePort()),
    KEPT_QUEUE_PREFIX: uniquePrefix('start'),
    KEPT_SECRET_KEY: 'e2e-secret-key-0123456789abcdefghijkl',
    LOG_LEVEL: 'warn',
    KEPT_WORKER_CONCURRENCY: '2',
    ...extra,
  }
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', KEPT, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const url = `http://127.0.0.1:${port}`
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`kept ${args.join(' ')} exited with ${child.exitCode}:\n${output}`)
      // Refused until the server listens.
      return (await fetch(`${url}/api/v1/health`).catch(() => null))?.ok
    },
    `kept ${args.join(' ')} to answer`,
    120_000, // PGlite opens slowly on two busy cores
  ).catch((error) => {
    throw new Error(`${(error as Error).message}\n${output}`)
  })
  return { child, env, url, output: () => output }
}

export async function stopKept(started: Started | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return started?.child.exitCode ?? null
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)))
  started.child.kill(signal)
  return exited
}
