import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'

/**
 * Every address a host resolves to (an address is its own answer), in the
 * resolver's order: what the target policy judges, for journeys
 * (runner/network-guard.ts), alert channels and Kept's own services alike.
 */
export async function resolveAll(host: string): Promise<string[]> {
  if (isIP(host)) return [host]
  if (host === 'localhost' || host.endsWith('.localhost')) return ['127.0.0.1']
  const records = await lookup(host, { all: true, verbatim: true })
  return records.map((r) => r.address)
}
