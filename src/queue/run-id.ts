import { createHash } from 'node:crypto'
import { DEFAULT_REGION } from '../domain/region.ts'

// A fixed namespace so run ids derived from job ids never collide with
// ids derived for anything else (RFC 4122 name-based, version 5).
const NAMESPACE = Buffer.from('6b657074-7275-6e73-8000-000000000000'.replaceAll('-', ''), 'hex')

/**
 * The run id of a job that carries none (a scheduled run): a UUID v5 of
 * the BullMQ job id, so a retried or stalled job keeps its run id and the
 * recorder counts it once.
 */
export function runIdForJob(jobId: string, region: string = DEFAULT_REGION): string {
  // Each region's queue has its own schedulers of the same ids: the region
  // tells their runs apart (the region local's ids are as before regions).
  const name = region === DEFAULT_REGION ? jobId : `${region}/${jobId}`
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
