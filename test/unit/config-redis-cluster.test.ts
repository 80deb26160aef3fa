import { describe, expect, it } from 'vitest'
import { ConfigError, parseEnv } from '../../src/config/env.ts'

// REDIS_CLUSTER_NODES and the prefix a cluster needs, as read at boot.

const problemsOf = (env: Record<string, string>) => {
  try {
    parseEnv(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('REDIS_CLUSTER_NODES', () => {
  it('reads host:port seeds, IPv6 in brackets, and takes them over REDIS_URL', () => {
    const env = parseEnv({ REDIS_CLUSTER_NODES: ' redis-0.redis:6379, 10.0.0.12:7001 ,[fd00::13]:6379', REDIS_URL: 'redis://127.0.0.1:6379' })
    expect(env.REDIS_CLUSTER_NODES).toEqual([
      { host: 'redis-0.redis', port: 6379 },
      { host: '10.0.0.12', port: 7001 },
      { host: 'fd00::13', port: 6379 },
    ])
    expect(parseEnv({ REDIS_CLUSTER_NODES: '' }).REDIS_CLUSTER_NODES).toBeUndefined()
  })

  it.each([
    ['a URL', 'redis://10.0.0.11:6379', /"redis:\/\/10\.0\.0\.11:6379" is not host:port; expected host:port,host:port/],
    ['a host without a port', '10.0.0.11:6379,10.0.0.12', /"10\.0\.0\.12" is not host:port/],
    ['port 0', '10.0.0.11:0', /"10\.0\.0\.11:0" is not host:port/],
    ['a port above 65535', '10.0.0.11:70000', /is not host:port/],
    ['only commas', ' , ', /expected host:port,host:port,… \(e\.g\. /],
  ])('refuses %s, naming the variable', (_name, value, message) => {
    const problems = problemsOf({ REDIS_CLUSTER_NODES: value })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ variable: 'REDIS_CLUSTER_NODES', message: expect.stringMatching(message) })
  })
})

describe('KEPT_QUEUE_PREFIX on a cluster', () => {
  const nodes = { REDIS_CLUSTER_NODES: '10.0.0.11:6379' }

  it('is wrapped in a hash tag so every key of Kept lies in one slot', () => {
    expect(parseEnv(nodes).KEPT_QUEUE_PREFIX).toBe('{kept}')
    expect(parseEnv({ ...nodes, KEPT_QUEUE_PREFIX: 'acme:kept' }).KEPT_QUEUE_PREFIX).toBe('{acme:kept}')
  })

  it('keeps a prefix that brings its own hash tag, with or without a cluster', () => {
    expect(parseEnv({ ...nodes, KEPT_QUEUE_PREFIX: 'prod:{kept}' }).KEPT_QUEUE_PREFIX).toBe('prod:{kept}')
    expect(parseEnv({ KEPT_QUEUE_PREFIX: '{kept}' }).KEPT_QUEUE_PREFIX).toBe('{kept}')
  })

  it('stays as it is on a single Redis', () => {
    expect(parseEnv({}).KEPT_QUEUE_PREFIX).toBe('kept')
  })

  it.each(['{a}{b}', '{}', 'ke{pt', 'kept}', 'kept prod', ''])('refuses %j, saying what a prefix may hold', (prefix) => {
    expect(problemsOf({ KEPT_QUEUE_PREFIX: prefix })[0]).toMatchObject({ variable: 'KEPT_QUEUE_PREFIX', message: expect.stringMatching(/expected/) })
  })
})

describe('KEPT_REGION and KEPT_WORKER_HEALTH_PORT', () => {
  it('default to the region local and no health listener', () => {
    const env = parseEnv({})
    expect(env.KEPT_REGION).toBe('local')
    expect(env.KEPT_WORKER_HEALTH_PORT).toBeUndefined()
    expect(parseEnv({ KEPT_REGION: 'us-east-1', KEPT_WORKER_HEALTH_PORT: '9464' })).toMatchObject({ KEPT_REGION: 'us-east-1', KEPT_WORKER_HEALTH_PORT: 9464 })
  })

  it.each(['eu west', 'EU', 'a'.repeat(33), 'eu_west'])('refuses the region %j, naming the rule', (region) => {
    expect(problemsOf({ KEPT_REGION: region })[0]).toMatchObject({ variable: 'KEPT_REGION', message: expect.stringMatching(/1 to 32 lowercase letters, digits or -/) })
  })
})
