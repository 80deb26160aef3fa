import { getServers } from 'node:dns'
import { isIP, Socket } from 'node:net'
import os from 'node:os'
import type { JourneySpec } from './jobs.ts'

// Before a broken run is blamed on the site, the worker checks itself: a
// worker that lost its network would otherwise report every promise as
// broken at once. The rule, conservative so a real break is never hidden:
//
// - the target answers TCP: the worker reached the site, the break stands;
// - the target is on loopback: nothing between worker and site can fail,
//   so the site is down and the break stands;
// - otherwise the worker is offline if it has no network interface up, or
//   if none of its sanity probes (hosts it should always reach: its DNS
//   servers, its Redis when remote, any configured) answers either.
// With no probes and an interface up, the break stands.

export interface SelfCheckFacts {
  /** Did the journey's first URL accept a TCP connection? null: no URL known (a code check). */
  targetReachable: boolean | null
  targetIsLoopback: boolean
  hasNetworkInterface: boolean
  probesReachable: boolean[]
}

export function looksOffline(facts: SelfCheckFacts): boolean {
  if (facts.targetReachable === true || facts.targetIsLoopback) return false
  if (!facts.hasNetworkInterface) return true
  return facts.probesReachable.length > 0 && facts.probesReachable.every((reachable) => !reachable)
}

export interface SelfCheckOptions {
  /** host:port pairs the worker should always reach. */
  probes: string[]
  timeoutMs?: number
}

/** True when a broken run of `spec` is more likely the worker's own fault (see the rule above). */
export async function workerLooksOffline(spec: JourneySpec, options: SelfCheckOptions): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 2000
  const target = journeyTarget(spec)
  const targetReachable = target ? await canConnect(target.host, target.port, timeoutMs) : null
  if (targetReachable || (target && isLoopback(target.host))) return false
  const probesReachable = await Promise.all(
    options.probes.map((probe) => {
      const { host, port } = parseHostPort(probe)
      return canConnect(host, port, timeoutMs)
    }),
  )
  return looksOffline({
    targetReachable,
    targetIsLoopback: false,
    hasNetworkInterface: hasNetworkInterface(),
    probesReachable,
  })
}

/** Default probes: the system's DNS servers (TCP 53) and Redis (its nodes), leaving out loopback ones (they prove nothing). */
export function defaultProbes(redis: { host: string; port: number }[] = []): string[] {
  const probes = getServers()
    .map((server) => server.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([\d.]+):\d+$/, '$1'))
    .filter((host) => !isLoopback(host))
    .map((host) => (isIP(host) === 6 ? `[${host}]:53` : `${host}:53`))
  for (const node of redis) {
    if (!isLoopback(node.host)) probes.push(isIP(node.host) === 6 ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`)
  }
  return probes
}

/** The host and port of the journey's first `go to`, or null. */
export function journeyTarget(spec: JourneySpec): { host: string; port: number } | null {
  const match = spec.journey?.match(/^\s*go to\s+(\S+)/im)
  if (!match) return null
  try {
    const url = new URL(match[1]!)
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
    return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port }
  } catch {
    return null
  }
}

export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('error', () => done(false))
    socket.connect(port, host, () => done(true))
  })
}

function parseHostPort(probe: string): { host: string; port: number } {
  const match = probe.match(/^\[?([^\]]+?)\]?:(\d+)$/)
  if (!match) throw new Error(`sanity probe "${probe}": expected host:port`)
  return { host: match[1]!, port: Number(match[2]) }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

function hasNetworkInterface(): boolean {
  return Object.values(os.networkInterfaces()).some((addresses) => addresses?.some((a) => !a.internal))
}
