import type { Readable } from 'node:stream'

// Where the control plane keeps the evidence of runs (screenshots, traces):
// the data dir (fs-store.ts, the default) or an S3-compatible bucket
// (s3-store.ts, KEPT_EVIDENCE_URL=s3://bucket/prefix). Keys are the paths
// a run records, `<runId>/screenshot.png` and `<runId>/trace.zip`. Journey
// workers never touch a store: their evidence reaches the control plane
// through Redis (transport.ts), which puts it here (keeper.ts).

export interface StoredEvidence {
  body: Readable
  /** Bytes, when the store knows them. */
  size: number | null
}

export interface EvidenceStore {
  /** Where it keeps things, said in logs and errors (never a credential). */
  readonly describe: string
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>
  /** The stored file, or null when there is none. */
  get(key: string): Promise<StoredEvidence | null>
  /** Every file of these runs; runs with none are fine. */
  deleteRuns(runIds: readonly string[]): Promise<void>
}

/** The content type of an evidence file, by its name. */
export function evidenceType(key: string): string {
  return key.endsWith('.png') ? 'image/png' : key.endsWith('.zip') ? 'application/zip' : 'application/octet-stream'
}

/** A stored key names a file of one run: `<runId>/<file>`, nothing that climbs or hides. */
export function isEvidenceKey(key: string): boolean {
  return /^[A-Za-z0-9_.:-]+\/[A-Za-z0-9_.-]+$/.test(key) && !key.split('/').some((part) => part === '.' || part === '..')
}

export function isRunId(runId: string): boolean {
  return /^[A-Za-z0-9_.:-]+$/.test(runId) && !runId.includes('..')
}

/** Reads a whole stored file (small ones: a screenshot for an email). */
export async function readEvidence(store: EvidenceStore, key: string): Promise<Buffer | null> {
  const stored = await store.get(key)
  if (!stored) return null
  const chunks: Buffer[] = []
  for await (const chunk of stored.body) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}
