import { describe, expect, it } from 'vitest'
import { ConfigError, parseEnv } from '../../src/config/env.ts'
import { DEFAULT_EVIDENCE_LIMITS, overLimit } from '../../src/evidence/limits.ts'
import { evidenceLimitsFromEnv, openEvidenceStore } from '../../src/evidence/open.ts'

describe('KEPT_EVIDENCE_URL and the evidence limits', () => {
  it('unset: the data dir; s3://bucket/prefix: the bucket and its prefix, trimmed of slashes', async () => {
    const plain = parseEnv({})
    expect(plain.KEPT_EVIDENCE_URL).toBeUndefined()
    expect((await openEvidenceStore(plain, '/srv/kept')).describe).toBe('/srv/kept/evidence')
    expect(parseEnv({ KEPT_EVIDENCE_URL: 's3://kept-evidence/prod/runs/' }).KEPT_EVIDENCE_URL).toEqual({ bucket: 'kept-evidence', prefix: 'prod/runs' })
    expect(parseEnv({ KEPT_EVIDENCE_URL: 's3://kept-evidence' }).KEPT_EVIDENCE_URL).toEqual({ bucket: 'kept-evidence', prefix: '' })
    const s3 = parseEnv({ KEPT_EVIDENCE_URL: 's3://kept-evidence/prod', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' })
    expect((await openEvidenceStore(s3, '/srv/kept')).describe).toBe('s3://kept-evidence/prod at http://127.0.0.1:9000')
  })

  it('names the variable and what is expected for a wrong value', () => {
    const cases: [Record<string, string>, string][] = [
      [{ KEPT_EVIDENCE_URL: '/var/kept/evidence' }, 'KEPT_EVIDENCE_URL: expected s3://bucket/prefix'],
      [{ KEPT_EVIDENCE_URL: 'https://s3.example.com/bucket' }, 'KEPT_EVIDENCE_URL: expected s3://bucket/prefix'],
      [{ KEPT_EVIDENCE_URL: 's3://Bad_Bucket/x' }, 'KEPT_EVIDENCE_URL: "Bad_Bucket" is not a bucket name'],
      [{ KEPT_EVIDENCE_URL: 's3://kept/../x' }, 'KEPT_EVIDENCE_URL: expected a prefix without . or .. parts'],
      [{ AWS_ENDPOINT_URL: 'minio:9000' }, 'AWS_ENDPOINT_URL: expected a URL like http://127.0.0.1:9000'],
      [{ KEPT_EVIDENCE_URL: 's3://kept/x', AWS_ACCESS_KEY_ID: 'k' }, 'AWS_SECRET_ACCESS_KEY: expected with AWS_ACCESS_KEY_ID'],
      [{ KEPT_EVIDENCE_MAX_TRACE_MB: '0' }, 'KEPT_EVIDENCE_MAX_TRACE_MB: expected a number of MB above 0'],
      [{ KEPT_EVIDENCE_MAX_SCREENSHOT_MB: 'lots' }, 'KEPT_EVIDENCE_MAX_SCREENSHOT_MB:'],
      [{ KEPT_EVIDENCE_RETRY_SECONDS: '-1' }, 'KEPT_EVIDENCE_RETRY_SECONDS: expected 0 or more seconds'],
    ]
    for (const [env, message] of cases) {
      expect(() => parseEnv(env), JSON.stringify(env)).toThrow(ConfigError)
      expect(() => parseEnv(env), JSON.stringify(env)).toThrow(message)
    }
  })

  it('limits default to 10 MB a screenshot and 50 MB a trace; a file over one is refused naming the file and the variable', () => {
    expect(evidenceLimitsFromEnv(parseEnv({}))).toEqual(DEFAULT_EVIDENCE_LIMITS)
    expect(DEFAULT_EVIDENCE_LIMITS).toEqual({ 'screenshot.png': 10 * 1024 * 1024, 'trace.zip': 50 * 1024 * 1024 })
    const limits = evidenceLimitsFromEnv(parseEnv({ KEPT_EVIDENCE_MAX_TRACE_MB: '20' }))
    expect(overLimit('trace.zip', 20 * 1024 * 1024, limits)).toBeNull()
    expect(overLimit('trace.zip', 63.2 * 1024 * 1024, limits)).toBe('the trace (63 MB) is over the limit of 20 MB (KEPT_EVIDENCE_MAX_TRACE_MB): it was not kept')
    expect(overLimit('screenshot.png', 12.34 * 1024 * 1024, DEFAULT_EVIDENCE_LIMITS)).toBe('the screenshot (12 MB) is over the limit of 10 MB (KEPT_EVIDENCE_MAX_SCREENSHOT_MB): it was not kept')
  })
})
