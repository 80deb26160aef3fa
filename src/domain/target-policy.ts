import { BlockList, isIP } from 'node:net'

// Marketing chooses the URLs that a browser inside your network visits.
// Before any request leaves the browser, its host is resolved and judged:
//
// - cloud metadata (169.254.169.254, fd00:ec2::254, metadata.google.internal)
//   and link-local addresses: always blocked;
// - private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, 0/8):
//   blocked unless KEPT_ALLOWED_TARGETS allows the host or the address;
// - Kept's own services (its Redis, Postgres and HTTP listener, by host and
//   port): blocked unless KEPT_ALLOWED_TARGETS names them with their port;
// - loopback: allowed (the demo shop and tests live there);
// - everything else (the public internet): allowed.
//
// The same policy judges alert channel URLs (src/alerts/channels/http.ts).
//
// A host with several addresses is blocked if any of them is. This file is
// pure; network-guard.ts resolves names and enforces it on every request.

export interface TargetPolicy {
  /** Host patterns: `shop.corp.example.com` or `*.corp.example.com` (subdomains only). */
  hostPatterns: string[]
  /** Allowed private addresses and ranges. */
  allowedAddresses: BlockList
  /** `host:port` entries: the only way to reach one of Kept's own services. */
  allowedEndpoints: Set<string>
  /** Kept's own Redis, Postgres and HTTP listener (ownServicesFromEnv). */
  ownServices: OwnService[]
  /** The source text, for messages. */
  source: string
}

/** One of Kept's own services, as its configuration names it, with the addresses its host resolved to. */
export interface OwnService {
  label: string
  host: string
  port: number
  addresses: string[]
}

export type Verdict =
  | { allowed: true }
  | { allowed: false; rule: 'metadata' | 'link-local' | 'private' | 'kept-service'; reason: string }

export type AddressKind = 'metadata' | 'link-local' | 'loopback' | 'private' | 'public'

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata'])
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200'])

function blockList(ranges: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList()
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family)
  return list
}

const LINK_LOCAL = blockList([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
])
const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
])
const PRIVATE = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
  ['::', 128, 'ipv6'],
])

/**
 * Parses KEPT_ALLOWED_TARGETS: a comma list of host patterns
 * (`*.corp.example.com`, `intranet.local`), addresses and CIDRs
 * (`10.1.0.0/16`, `fd12::/48`). Throws naming the entry at fault.
 */
export function parseAllowedTargets(raw: string | undefined, ownServices: OwnService[] = []): TargetPolicy {
  const policy: TargetPolicy = { hostPatterns: [], allowedAddresses: new BlockList(), allowedEndpoints: new Set(), ownServices, source: raw ?? '' }
  for (const entry of (raw ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    const endpoint = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+):(\d{1,5})$/.exec(entry)
    if (endpoint && !isIP(entry)) {
      const port = Number(endpoint[2])
      if (port < 1 || port > 65535) throw new Error(`KEPT_ALLOWED_TARGETS: "${entry}" has no valid port (expected 1 to 65535)`)
      policy.allowedEndpoints.add(endpointKey(stripBrackets(endpoint[1]!), port))
      continue
    }
    const [address, prefixText, ...rest] = entry.split('/')
    const family = isIP(address!)
    if (family !== 0) {
      const max = family === 4 ? 32 : 128
      const prefix = prefixText === undefined ? max : Number(prefixText)
      if (rest.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        throw new Error(`KEPT_ALLOWED_TARGETS: "${entry}" is not a valid CIDR (expected like 10.1.0.0/16)`)
      }
      policy.allowedAddresses.addSubnet(address!, prefix, family === 4 ? 'ipv4' : 'ipv6')
    } else if (/^(\*\.)?([a-z0-9_-]+\.)*[a-z0-9_-]+$/.test(entry)) {
      policy.hostPatterns.push(entry)
    } else {
      throw new Error(
        `KEPT_ALLOWED_TARGETS: "${entry}" is neither a host pattern (like *.corp.example.com), a CIDR (like 10.1.0.0/16) nor a host:port (like 127.0.0.1:6380)`,
      )
    }
  }
  return policy
}

export function hostMatches(host: string, pattern: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '')
  if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1
  return name === pattern
}

export function classifyAddress(address: string): AddressKind {
  const ip = unmapIPv4(address.toLowerCase())
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4'
  if (METADATA_ADDRESSES.has(ip)) return 'metadata'
  if (LINK_LOCAL.check(ip, family)) return 'link-local'
  if (LOOPBACK.check(ip, family)) return 'loopback'
  if (PRIVATE.check(ip, family)) return 'private'
  return 'public'
}

function endpointKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`
}

/** Wildcard listen addresses: a service bound there answers on loopback too. */
const ANY_ADDRESS = new Set(['0.0.0.0', '::', ''])

/** The own service a connection to host:port (resolved to addresses) would reach, if any. */
function ownServiceAt(name: string, addresses: string[], port: number, policy: TargetPolicy): OwnService | null {
  const targets = (isIP(name) ? [name] : addresses).map(unmapIPv4)
  for (const service of policy.ownServices) {
    if (service.port !== port) continue
    const serviceHost = stripBrackets(service.host).toLowerCase()
    const serviceAddresses = new Set([...service.addresses, serviceHost].map(unmapIPv4))
    const local = ANY_ADDRESS.has(serviceHost) || serviceHost === 'localhost' || [...serviceAddresses].some((a) => isIP(a) && classifyAddress(a) === 'loopback')
    const reaches = (address: string) =>
      serviceAddresses.has(address) || (local && (ANY_ADDRESS.has(address) || (isIP(address) !== 0 && classifyAddress(address) === 'loopback')))
    if (name === serviceHost || targets.some(reaches)) return service
  }
  return null
}

/**
 * Judges a host (as written in the URL) and the addresses it resolved to;
 * with the port, also whether it is one of Kept's own services.
 */
export function judgeTarget(host: string, addresses: string[], policy: TargetPolicy, port?: number): Verdict {
  const name = stripBrackets(host).toLowerCase().replace(/\.$/, '')
  if (METADATA_HOSTS.has(name)) {
    return { allowed: false, rule: 'metadata', reason: `${name} is a cloud metadata service, always blocked` }
  }
  const own = port === undefined ? null : ownServiceAt(name, addresses, port, policy)
  if (own && !policy.allowedEndpoints.has(endpointKey(name, port!))) {
    return {
      allowed: false,
      rule: 'kept-service',
      reason: `${name}:${port} is ${own.label}, Kept's own service; an operator can allow it in KEPT_ALLOWED_TARGETS as ${name}:${port}`,
    }
  }
  const hostAllowed = policy.hostPatterns.some((pattern) => hostMatches(name, pattern))
  for (const address of isIP(name) ? [name] : addresses) {
    const kind = classifyAddress(address)
    const shown = address === name ? address : `${name} (${address})`
    if (kind === 'metadata') {
      return { allowed: false, rule: 'metadata', reason: `${shown} is a cloud metadata address, always blocked` }
    }
    if (kind === 'link-local') {
      return { allowed: false, rule: 'link-local', reason: `${shown} is a link-local address, always blocked` }
    }
    if (kind === 'private' && !hostAllowed && !policy.allowedAddresses.check(unmapIPv4(address), isIP(unmapIPv4(address)) === 6 ? 'ipv6' : 'ipv4')) {
      return {
        allowed: false,
        rule: 'private',
        reason: `${shown} is a private address; an operator can allow it in KEPT_ALLOWED_TARGETS`,
      }
    }
  }
  return { allowed: true }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/** ::ffff:10.0.0.1 (or ::ffff:a00:1, as URLs write it) is 10.0.0.1. */
function unmapIPv4(address: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (dotted) return dotted[1]!
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (!hex) return address
  const high = Number.parseInt(hex[1]!, 16)
  const low = Number.parseInt(hex[2]!, 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}
