import { BlockList, isIP } from 'node:net'

// Marketing chooses the URLs that a browser inside your network visits.
// Before any request leaves the browser, its host is resolved and judged:
//
// - cloud metadata (169.254.169.254, fd00:ec2::254, metadata.google.internal)
//   and link-local addresses: always blocked;
// - private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, 0/8):
//   blocked unless KEPT_ALLOWED_TARGETS allows the host or the address;
// - loopback: allowed (the demo shop and tests live there);
// - everything else (the public internet): allowed.
//
// A host with several addresses is blocked if any of them is. This file is
// pure; network-guard.ts resolves names and enforces it on every request.

export interface TargetPolicy {
  /** Host patterns: `shop.corp.example.com` or `*.corp.example.com` (subdomains only). */
  hostPatterns: string[]
  /** Allowed private addresses and ranges. */
  allowedAddresses: BlockList
  /** The source text, for messages. */
  source: string
}

export type Verdict = { allowed: true } | { allowed: false; rule: 'metadata' | 'link-local' | 'private'; reason: string }

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
export function parseAllowedTargets(raw: string | undefined): TargetPolicy {
  const policy: TargetPolicy = { hostPatterns: [], allowedAddresses: new BlockList(), source: raw ?? '' }
  for (const entry of (raw ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)) {
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
      throw new Error(`KEPT_ALLOWED_TARGETS: "${entry}" is neither a host pattern (like *.corp.example.com) nor a CIDR (like 10.1.0.0/16)`)
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

/** Judges a host (as written in the URL) and the addresses it resolved to. */
export function judgeTarget(host: string, addresses: string[], policy: TargetPolicy): Verdict {
  const name = stripBrackets(host).toLowerCase().replace(/\.$/, '')
  if (METADATA_HOSTS.has(name)) {
    return { allowed: false, rule: 'metadata', reason: `${name} is a cloud metadata service, always blocked` }
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
