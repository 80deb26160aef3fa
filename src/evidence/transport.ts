import type { RedisClient } from '../infra/redis.ts'

// How a journey worker's screenshots and traces reach the control plane:
// through the Redis it already talks to, in chunks of at most
// EVIDENCE_CHUNK_BYTES (one list per file), next to the result it
// publishes. A worker needs Redis and a browser, nothing else. Every key
// is under the queue prefix, so on Redis Cluster (prefix `{kept}`) a file's
// keys share one slot; every key has a TTL, so a file nobody collects
// (a control plane away for a day, a try nobody looked at) does not stay.
//
//   <prefix>:evidence:<runId>/<file>        list of chunks, in order
//   <prefix>:evidence:<runId>/<file>:bytes  the file's size, written last:
//                                           present means complete

export const EVIDENCE_CHUNK_BYTES = 512 * 1024
/** How long the evidence of a run waits in Redis for the control plane. */
export const EVIDENCE_TTL_SECONDS = 24 * 3600
/** A try's evidence lives as long as its result (results-stream.ts). */
export const TRY_EVIDENCE_TTL_SECONDS = 3600

export const evidenceChunksKey = (prefix: string, key: string) => `${prefix}:evidence:${key}`
const bytesKey = (prefix: string, key: string) => `${prefix}:evidence:${key}:bytes`

/** Puts one file in Redis, chunk by chunk; the same file sent again (a retried job) replaces it. */
export async function sendEvidence(redis: RedisClient, prefix: string, key: string, bytes: Uint8Array, ttlSeconds = EVIDENCE_TTL_SECONDS): Promise<void> {
  const list = evidenceChunksKey(prefix, key)
  const size = bytesKey(prefix, key)
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  await redis.multi().del(size).del(list).exec()
  for (let at = 0; at < buffer.length || at === 0; at += EVIDENCE_CHUNK_BYTES) {
    await redis.multi().rpush(list, buffer.subarray(at, at + EVIDENCE_CHUNK_BYTES)).expire(list, ttlSeconds).exec()
    if (buffer.length === 0) break
  }
  await redis.set(size, String(buffer.length), 'EX', ttlSeconds)
}

export class IncompleteEvidence extends Error {}

/** The size of a file waiting in Redis, or null when none is there (never sent, collected, or expired). */
export async function evidenceBytes(redis: RedisClient, prefix: string, key: string): Promise<number | null> {
  const value = await redis.get(bytesKey(prefix, key))
  return value === null ? null : Number(value)
}

/** A file waiting in Redis, whole, or null when none is there. */
export async function receiveEvidence(redis: RedisClient, prefix: string, key: string): Promise<Buffer | null> {
  const bytes = await evidenceBytes(redis, prefix, key)
  if (bytes === null) return null
  const list = evidenceChunksKey(prefix, key)
  const count = await redis.llen(list)
  const chunks: Buffer[] = []
  // One chunk a round trip: no answer is bigger than EVIDENCE_CHUNK_BYTES.
  for (let i = 0; i < count; i++) {
    const [chunk] = await redis.lrangeBuffer(list, i, i)
    if (chunk) chunks.push(chunk)
  }
  const file = Buffer.concat(chunks)
  if (file.length !== bytes) throw new IncompleteEvidence(`${key} is ${file.length} bytes in Redis, not the ${bytes} sent`)
  return file
}

/** Forgets files once they are stored. */
export async function dropEvidence(redis: RedisClient, prefix: string, keys: readonly string[]): Promise<void> {
  // One key a command: on a cluster each may be its own slot only if the prefix has no hash tag.
  await Promise.all(keys.flatMap((key) => [redis.del(bytesKey(prefix, key)), redis.del(evidenceChunksKey(prefix, key))]))
}
