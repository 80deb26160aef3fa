import { describe, expect, it } from 'vitest'
import { ConfigError, parseEnv } from '../../src/config/env.ts'

describe('KEPT_RUN_EMAIL_DOMAIN', () => {
  it('defaults to example.com and takes a domain in any case', () => {
    expect(parseEnv({}).KEPT_RUN_EMAIL_DOMAIN).toBe('example.com')
    expect(parseEnv({ KEPT_RUN_EMAIL_DOMAIN: ' Tests.Shop.Example ' }).KEPT_RUN_EMAIL_DOMAIN).toBe('tests.shop.example')
  })

  it('names the variable and what is expected for anything else', () => {
    for (const bad of ['example', '@example.com', 'shop example.com', 'https://example.com', '-a.example.com']) {
      expect(() => parseEnv({ KEPT_RUN_EMAIL_DOMAIN: bad }), bad).toThrow(ConfigError)
      expect(() => parseEnv({ KEPT_RUN_EMAIL_DOMAIN: bad }), bad).toThrow('KEPT_RUN_EMAIL_DOMAIN: expected a domain like example.com')
    }
  })
})
