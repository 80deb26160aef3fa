import { describe, expect, it } from 'vitest'
import { classifyAddress, hostMatches, judgeTarget, parseAllowedTargets } from '../../src/domain/target-policy.ts'

const none = parseAllowedTargets('')

describe('target policy', () => {
  it('classifies addresses', () => {
    expect(classifyAddress('169.254.169.254')).toBe('metadata')
    expect(classifyAddress('fd00:ec2::254')).toBe('metadata')
    expect(classifyAddress('169.254.10.1')).toBe('link-local')
    expect(classifyAddress('fe80::1')).toBe('link-local')
    expect(classifyAddress('127.0.0.1')).toBe('loopback')
    expect(classifyAddress('::1')).toBe('loopback')
    for (const address of ['10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '100.64.0.1', 'fc00::1', 'fd12:3456::1', '0.0.0.0']) {
      expect(classifyAddress(address), address).toBe('private')
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111']) {
      expect(classifyAddress(address), address).toBe('public')
    }
    expect(classifyAddress('::ffff:10.0.0.1')).toBe('private')
    expect(classifyAddress('::ffff:a9fe:a9fe')).toBe('metadata') // 169.254.169.254 as a URL writes it
  })

  it('always blocks cloud metadata and link-local, even when allowed', () => {
    const all = parseAllowedTargets('169.254.0.0/16,metadata.google.internal,*.internal')
    expect(judgeTarget('169.254.169.254', [], all)).toMatchObject({ allowed: false, rule: 'metadata' })
    expect(judgeTarget('[fd00:ec2::254]', [], all)).toMatchObject({ allowed: false, rule: 'metadata' })
    expect(judgeTarget('metadata.google.internal', ['169.254.169.254'], all)).toMatchObject({ allowed: false, rule: 'metadata' })
    expect(judgeTarget('router.example.com', ['169.254.1.1'], all)).toMatchObject({ allowed: false, rule: 'link-local' })
  })

  it('blocks private ranges unless a host pattern or CIDR allows them', () => {
    const verdict = judgeTarget('intranet.corp.example.com', ['10.1.2.3'], none)
    expect(verdict).toMatchObject({ allowed: false, rule: 'private' })
    expect(!verdict.allowed && verdict.reason).toContain('intranet.corp.example.com (10.1.2.3)')
    expect(!verdict.allowed && verdict.reason).toContain('KEPT_ALLOWED_TARGETS')

    const policy = parseAllowedTargets(' *.corp.example.com , 192.168.10.0/24,fd12::/16 ')
    expect(judgeTarget('intranet.corp.example.com', ['10.1.2.3'], policy)).toEqual({ allowed: true })
    expect(judgeTarget('corp.example.com', ['10.1.2.3'], policy)).toMatchObject({ allowed: false })
    expect(judgeTarget('printer', ['192.168.10.7'], policy)).toEqual({ allowed: true })
    expect(judgeTarget('printer', ['192.168.11.7'], policy)).toMatchObject({ allowed: false })
    expect(judgeTarget('[fd12::5]', [], policy)).toEqual({ allowed: true })
  })

  it('blocks a host when any of its addresses is blocked', () => {
    expect(judgeTarget('shop.example.com', ['93.184.216.34', '10.0.0.8'], none)).toMatchObject({ allowed: false, rule: 'private' })
    expect(judgeTarget('shop.example.com', ['93.184.216.34'], none)).toEqual({ allowed: true })
  })

  it('allows loopback and the public internet', () => {
    expect(judgeTarget('127.0.0.1', [], none)).toEqual({ allowed: true })
    expect(judgeTarget('localhost', ['127.0.0.1', '::1'], none)).toEqual({ allowed: true })
    expect(judgeTarget('example.com', ['93.184.216.34'], none)).toEqual({ allowed: true })
  })

  it('matches host patterns on subdomains only', () => {
    expect(hostMatches('a.corp.example.com', '*.corp.example.com')).toBe(true)
    expect(hostMatches('A.B.Corp.Example.com.', '*.corp.example.com')).toBe(true)
    expect(hostMatches('corp.example.com', '*.corp.example.com')).toBe(false)
    expect(hostMatches('evilcorp.example.com', '*.corp.example.com')).toBe(false)
    expect(hostMatches('intranet', 'intranet')).toBe(true)
  })

  it('names the entry of KEPT_ALLOWED_TARGETS at fault', () => {
    expect(() => parseAllowedTargets('10.0.0.0/33')).toThrow(/KEPT_ALLOWED_TARGETS: "10.0.0.0\/33"/)
    expect(() => parseAllowedTargets('http://x')).toThrow(/KEPT_ALLOWED_TARGETS: "http:\/\/x"/)
  })

  describe("Kept's own services", () => {
    const own = [
      { label: "Kept's Redis", host: '127.0.0.1', port: 6379, addresses: ['127.0.0.1'] },
      { label: "Kept's Postgres", host: 'db.internal', port: 5432, addresses: ['10.0.0.7'] },
      { label: "Kept's HTTP server", host: '0.0.0.0', port: 3000, addresses: ['0.0.0.0'] },
    ]
    const policy = parseAllowedTargets('10.0.0.0/8', own)

    it('blocks their host:port by any name of the same place, and nothing else', () => {
      expect(judgeTarget('127.0.0.1', [], policy, 6379)).toMatchObject({ allowed: false, rule: 'kept-service' })
      expect(judgeTarget('localhost', ['127.0.0.1', '::1'], policy, 6379)).toMatchObject({ allowed: false, rule: 'kept-service' })
      expect(judgeTarget('[::ffff:127.0.0.1]', [], policy, 6379)).toMatchObject({ allowed: false, rule: 'kept-service' })
      expect(judgeTarget('db.internal', [], policy, 5432)).toMatchObject({ allowed: false, rule: 'kept-service' })
      expect(judgeTarget('pg-alias.corp', ['10.0.0.7'], policy, 5432)).toMatchObject({ allowed: false, rule: 'kept-service' })
      expect(judgeTarget('127.0.0.1', [], policy, 3000)).toMatchObject({ allowed: false, rule: 'kept-service' })
      expect(judgeTarget('0.0.0.0', [], policy, 3000)).toMatchObject({ allowed: false, rule: 'kept-service' })
      // A local shop on another port, another host's Redis: not Kept's.
      expect(judgeTarget('127.0.0.1', [], policy, 4100)).toEqual({ allowed: true })
      expect(judgeTarget('10.0.0.8', [], policy, 5432)).toEqual({ allowed: true })
      expect(judgeTarget('127.0.0.1', [], policy)).toEqual({ allowed: true })
    })

    it('lets one through when KEPT_ALLOWED_TARGETS names it with its port, and says so when not', () => {
      const allowed = parseAllowedTargets('127.0.0.1:6379, [::1]:3000', own)
      expect(judgeTarget('127.0.0.1', [], allowed, 6379)).toEqual({ allowed: true })
      expect(judgeTarget('::1', [], allowed, 3000)).toEqual({ allowed: true })
      expect(judgeTarget('localhost', ['127.0.0.1'], allowed, 6379)).toMatchObject({ allowed: false })
      const verdict = judgeTarget('localhost', ['127.0.0.1'], policy, 6379)
      expect(verdict).toMatchObject({ reason: "localhost:6379 is Kept's Redis, Kept's own service; an operator can allow it in KEPT_ALLOWED_TARGETS as localhost:6379" })
      expect(() => parseAllowedTargets('127.0.0.1:0')).toThrow(/"127.0.0.1:0" has no valid port/)
    })
  })
})
