import proxyaddr from 'proxy-addr'

// KEPT_TRUST_PROXY, read once at boot (src/auth/client-address.ts uses it).

export type TrustProxy = (address: string, hop: number) => boolean

/**
 * KEPT_TRUST_PROXY: empty (trust no proxy), a hop count ("1": the socket
 * is one proxy), or a comma list of addresses, CIDRs and proxy-addr's names
 * (loopback, linklocal, uniquelocal). Throws naming what is wrong.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy | null {
  const value = (raw ?? '').trim()
  if (value === '' || value === '0' || value === 'false') return null
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean)
  try {
    return proxyaddr.compile(entries)
  } catch (error) {
    throw new Error(`expected a number of proxies (like 1) or addresses and CIDRs (like 10.0.0.0/8,loopback): ${(error as Error).message}`)
  }
}
