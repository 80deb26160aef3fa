import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// One load run: autocannon in its own process (bench/lib/load.ts) against
// an endpoint, with the server's CPU time per request counted in this
// process (which holds the servers) from the end of the warm-up.

const LOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load.ts')

export const CLIENT_ENCODINGS = { 'accept-encoding': 'gzip, deflate, br' }

export interface Load {
  requestsPerSecond: number
  requests: number
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number }
  non2xx: number
  errors: number
  timeouts: number
  /**
   * CPU time (user + system) of this process, which holds the servers, per
   * request sampled: steadier than requests per second when the load
   * generator shares the cores.
   */
  serverCpuUs: number
}

export interface Endpoint {
  url: string
  paths: string[]
  headers: Record<string, string>
}

export function runLoad(token: string, { url, paths, headers }: Endpoint, options: { connections: number; seconds: number; warmupSeconds: number }): Promise<Load> {
  return new Promise((resolve, reject) => {
    const input = { url, token, paths, headers, ...options }
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD, JSON.stringify(input)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    let sampling: NodeJS.CpuUsage | null = null
    child.stdout.on('data', (chunk) => {
      out += chunk
      if (!sampling && out.includes('sampling\n')) sampling = process.cpuUsage()
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0 || !sampling) return reject(new Error(`autocannon exited with ${code}`))
      const cpu = process.cpuUsage(sampling)
      const figures = JSON.parse(out.trim().split('\n').at(-1)!) as Omit<Load, 'serverCpuUs'>
      resolve({ ...figures, serverCpuUs: (cpu.user + cpu.system) / figures.requests })
    })
  })
}
