import type { Readable } from 'node:stream'
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { EVIDENCE_FILES } from './limits.ts'
import type { S3Location } from './s3-url.ts'
import { isEvidenceKey, isRunId, type EvidenceStore } from './store.ts'


export interface S3StoreOptions extends S3Location {
  /** AWS_ENDPOINT_URL: a custom S3-compatible server (MinIO, Ceph, R2…), addressed path-style. */
  endpoint?: string
  /** AWS_REGION; default us-east-1. */
  region?: string
  /** Default: the SDK's chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, an instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string }
}

const RUN_FILES = Object.keys(EVIDENCE_FILES)

/** Evidence in an S3-compatible bucket, under `<prefix>/<runId>/`. */
export function s3EvidenceStore(options: S3StoreOptions): EvidenceStore & { client: S3Client } {
  const client = new S3Client({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Kept retries a store that is down itself (keeper.ts), over minutes: one quick retry here.
    maxAttempts: 2,
  })
  const Bucket = options.bucket
  const keyOf = (key: string) => (options.prefix ? `${options.prefix}/${key}` : key)
  return {
    client,
    describe: `s3://${Bucket}/${options.prefix}${options.endpoint ? ` at ${options.endpoint}` : ''}`,
    async put(key, bytes, contentType) {
      if (!isEvidenceKey(key)) throw new Error(`"${key}" cannot name an evidence file`)
      await client.send(new PutObjectCommand({ Bucket, Key: keyOf(key), Body: bytes, ContentType: contentType, ContentLength: bytes.byteLength }))
    },
    async get(key) {
      if (!isEvidenceKey(key)) return null
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(key) }))
        if (!answer.Body) return null
        return { body: answer.Body as Readable, size: answer.ContentLength ?? null }
      } catch (error) {
        if (isNotFound(error)) return null
        throw error
      }
    },
    async deleteRuns(runIds) {
      // A run's files have known names: deleted by name, 1,000 keys a request, no listing.
      const keys = runIds.filter(isRunId).flatMap((runId) => RUN_FILES.map((file) => ({ Key: keyOf(`${runId}/${file}`) })))
      for (let i = 0; i < keys.length; i += 1000) {
        const answer = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.slice(i, i + 1000), Quiet: true } }))
        const failed = answer.Errors ?? []
        if (failed.length > 0) throw new Error(`the evidence store kept ${failed.map((e) => `${e.Key} (${e.Code ?? e.Message})`).join(', ')}`)
      }
    },
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404
}
