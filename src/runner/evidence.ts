import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { unzipSync, zipSync, type Zippable } from 'fflate'
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { maskSecrets } from '../domain/mask.ts'
import { DEFAULT_EVIDENCE_LIMITS, EVIDENCE_FILES, overLimit, type EvidenceFile, type EvidenceLimits } from '../evidence/limits.ts'
import { fsEvidenceStore } from '../evidence/fs-store.ts'
import { evidenceType } from '../evidence/store.ts'

// Evidence of a broken or failed run: a screenshot of the page as the
// journey left it and, when the run recorded one (src/domain/evidence.ts),
// the Playwright trace of the whole walk, kept as `<runId>/screenshot.png`
// and `<runId>/trace.zip`: on a journey worker sent through Redis to the
// control plane's evidence store (src/evidence/), elsewhere (`kept test`)
// under <dataDir>/evidence/. Kept runs keep none.

export interface Evidence {
  /** Keys in the evidence store (paths relative to <dataDir>/evidence by default). */
  screenshotPath: string | null
  tracePath: string | null
  /** Files not kept, and why (over a limit, Redis away): the run says so. */
  problems?: string[]
}

export function evidenceDir(dataDir: string, runId: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(runId) || runId.includes('..')) throw new Error(`run id "${runId}" cannot name a folder`)
  return path.join(dataDir, 'evidence', runId)
}

/**
 * A walk that types secrets records no screencast: a frame is a picture of
 * the page, which no text masking reaches. Its DOM snapshots stay, and
 * those are text, masked with the rest of the trace (maskZip).
 */
export async function startTrace(context: BrowserContext, options: { withSecrets: boolean }): Promise<void> {
  await context.tracing.start({ screenshots: !options.withSecrets, snapshots: true })
}

/** Every field a person types into: the places a filled secret shows. */
export const TYPED_FIELDS =
  'input:not([type=button]):not([type=submit]):not([type=reset]):not([type=image]):not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=range]):not([type=color]),' +
  ' textarea, [contenteditable=""], [contenteditable="true"]'

/**
 * What the screenshot paints over when the walk had secrets: every typed
 * field and every element whose text shows a secret value, in every frame.
 * The boxes do not depend on what was typed, so two walks that differ only
 * in a secret's value leave the same picture.
 */
function secretMasks(page: Page, secretValues: readonly string[]): Locator[] {
  if (secretValues.length === 0) return []
  return page.frames().flatMap((frame) => [
    frame.locator(TYPED_FIELDS),
    ...secretValues.filter((value) => value.trim().length > 0).map((value) => frame.getByText(value)),
  ])
}

/** Ends tracing without keeping anything (a kept run). */
export async function discardTrace(context: BrowserContext): Promise<void> {
  await context.tracing.stop().catch(() => {})
}

/** Keeps one evidence file under its key (`<runId>/<file>`): the data dir, or Redis on a journey worker. */
export type KeepEvidence = (key: string, bytes: Uint8Array) => Promise<void>

/** Keeps evidence in `<dataDir>/evidence` (`kept test`, and walks outside a worker). */
export function keepInDataDir(dataDir: string): KeepEvidence {
  const store = fsEvidenceStore(dataDir)
  return (key, bytes) => store.put(key, bytes, evidenceType(key))
}

/**
 * Takes the screenshot and the trace and keeps each (options.keep); a
 * secret's every form is masked in each text entry of the trace zip before
 * it is kept, and the screenshot paints over where secrets show
 * (secretMasks). Each piece is best effort: a page that crashed still
 * leaves its trace. A file over its limit, or one that could not be kept,
 * is said in `problems`, for the run to say.
 */
export async function saveEvidence(
  context: BrowserContext,
  page: Page | null,
  options: { runId: string; keep: KeepEvidence; limits?: EvidenceLimits; secretForms: string[]; secretValues?: readonly string[]; traced: boolean },
): Promise<Evidence> {
  evidenceDir('.', options.runId) // refuses a run id that cannot name a folder
  const evidence: Evidence = { screenshotPath: null, tracePath: null, problems: [] }
  const limits = options.limits ?? DEFAULT_EVIDENCE_LIMITS
  const keep = async (file: EvidenceFile, bytes: Uint8Array): Promise<string | null> => {
    const refused = overLimit(file, bytes.byteLength, limits)
    if (refused) {
      evidence.problems!.push(refused)
      return null
    }
    const key = path.posix.join(options.runId, file)
    try {
      await options.keep(key, bytes)
      return key
    } catch (error) {
      evidence.problems!.push(`the ${EVIDENCE_FILES[file].label} could not be kept: ${(error as Error).message}`)
      return null
    }
  }

  if (page && !page.isClosed()) {
    const png = await page
      .screenshot({
        fullPage: false,
        timeout: 5000,
        animations: 'disabled',
        caret: 'hide',
        mask: secretMasks(page, options.secretValues ?? []),
        maskColor: '#5f6b7a',
      })
      .catch(() => null)
    if (png) evidence.screenshotPath = await keep('screenshot.png', png)
  }

  // The raw trace passes through the machine's temporary folder, never the data dir.
  const raw = path.join(os.tmpdir(), `kept-trace-${options.runId}-${randomUUID().slice(0, 8)}.zip`)
  const traced =
    options.traced &&
    (await context.tracing
      .stop({ path: raw })
      .then(() => true)
      .catch(() => false))
  if (traced) {
    try {
      const zip = await readFile(raw)
      evidence.tracePath = await keep('trace.zip', maskZip(zip, options.secretForms))
    } finally {
      await rm(raw, { force: true })
    }
  }
  return evidence
}

/** The zip with every UTF-8 text entry masked; binary entries (images) unchanged. */
export function maskZip(zip: Uint8Array, secretForms: string[]): Uint8Array {
  if (secretForms.length === 0) return zip
  const entries = unzipSync(zip)
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const encoder = new TextEncoder()
  const out: Zippable = {}
  for (const [name, bytes] of Object.entries(entries)) {
    let text: string | null = null
    try {
      text = decoder.decode(bytes)
    } catch {
      text = null
    }
    out[name] = text === null ? bytes : encoder.encode(maskSecrets(text, secretForms))
  }
  return zipSync(out, { level: 6 })
}
