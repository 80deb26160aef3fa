import type { Env } from '../config/env.ts'
import { fsEvidenceStore } from './fs-store.ts'
import { evidenceLimits, type EvidenceLimits } from './limits.ts'
import type { EvidenceStore } from './store.ts'

type StoreEnv = Pick<Env, 'KEPT_EVIDENCE_URL' | 'AWS_ENDPOINT_URL' | 'AWS_REGION' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY'>

/** The configured evidence store: KEPT_EVIDENCE_URL's bucket, else `<dataDir>/evidence`. */
export async function openEvidenceStore(env: StoreEnv, dataDir: string): Promise<EvidenceStore> {
  const location = env.KEPT_EVIDENCE_URL
  if (!location) return fsEvidenceStore(dataDir)
  // The S3 client loads only when a bucket is configured.
  const { s3EvidenceStore } = await import('./s3-store.ts')
  return s3EvidenceStore({
    ...location,
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } }
      : {}),
  })
}

export function evidenceLimitsFromEnv(env: Pick<Env, 'KEPT_EVIDENCE_MAX_SCREENSHOT_MB' | 'KEPT_EVIDENCE_MAX_TRACE_MB'>): EvidenceLimits {
  return evidenceLimits({ screenshot: env.KEPT_EVIDENCE_MAX_SCREENSHOT_MB, trace: env.KEPT_EVIDENCE_MAX_TRACE_MB })
}
