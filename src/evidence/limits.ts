// How big a run's evidence files may be (KEPT_EVIDENCE_MAX_SCREENSHOT_MB,
// KEPT_EVIDENCE_MAX_TRACE_MB): checked by the worker before it sends a
// file and by the control plane before it stores one. A file over its
// limit is not kept; the run is, saying which file and which limit.

export const EVIDENCE_FILES = {
  'screenshot.png': { label: 'screenshot', variable: 'KEPT_EVIDENCE_MAX_SCREENSHOT_MB' },
  'trace.zip': { label: 'trace', variable: 'KEPT_EVIDENCE_MAX_TRACE_MB' },
} as const

export type EvidenceFile = keyof typeof EVIDENCE_FILES

/** Bytes each file may have. */
export type EvidenceLimits = Record<EvidenceFile, number>

export const DEFAULT_EVIDENCE_LIMITS_MB = { screenshot: 10, trace: 50 } as const

const MB = 1024 * 1024

export function evidenceLimits(mb: { screenshot: number; trace: number }): EvidenceLimits {
  return { 'screenshot.png': Math.round(mb.screenshot * MB), 'trace.zip': Math.round(mb.trace * MB) }
}

export const DEFAULT_EVIDENCE_LIMITS = evidenceLimits(DEFAULT_EVIDENCE_LIMITS_MB)

/** The file a stored key names (`<runId>/trace.zip` → trace.zip), if it is one of a run's. */
export function evidenceFileOf(key: string): EvidenceFile | null {
  const name = key.slice(key.lastIndexOf('/') + 1)
  return Object.hasOwn(EVIDENCE_FILES, name) ? (name as EvidenceFile) : null
}

export function labelOf(key: string): string {
  const file = evidenceFileOf(key)
  return file ? EVIDENCE_FILES[file].label : key
}

/** Why a file is refused, or null when it fits. */
export function overLimit(file: EvidenceFile, bytes: number, limits: EvidenceLimits): string | null {
  const limit = limits[file]
  if (bytes <= limit) return null
  const { label, variable } = EVIDENCE_FILES[file]
  return `the ${label} (${megabytes(bytes)}) is over the limit of ${megabytes(limit)} (${variable}): it was not kept`
}

function megabytes(bytes: number): string {
  if (bytes < MB / 10) return `${Math.max(1, Math.round(bytes / 1024))} KB`
  const mb = bytes / MB
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`
}
