import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { unzipSync, zipSync, type Zippable } from 'fflate'
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { maskSecrets } from '../domain/mask.ts'

// Evidence of a broken or failed run: a screenshot of the page as the
// journey left it and, when the run recorded one (src/domain/evidence.ts),
// the Playwright trace of the whole walk, under <dataDir>/evidence/<runId>/.
// Kept runs keep none.

export interface Evidence {
  /** Relative to <dataDir>/evidence. */
  screenshotPath: string | null
  tracePath: string | null
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

/**
 * Writes the screenshot and the trace; a secret's every form is masked in
 * each text entry of the trace zip before it is stored, and the screenshot
 * paints over where secrets show (secretMasks). Each piece is best
 * effort: a page that crashed still leaves its trace.
 */
export async function saveEvidence(
  context: BrowserContext,
  page: Page | null,
  options: { dataDir: string; runId: string; secretForms: string[]; secretValues?: readonly string[]; traced: boolean },
): Promise<Evidence> {
  const dir = evidenceDir(options.dataDir, options.runId)
  await mkdir(dir, { recursive: true })
  const evidence: Evidence = { screenshotPath: null, tracePath: null }

  if (page && !page.isClosed()) {
    const file = path.join(dir, 'screenshot.png')
    const saved = await page
      .screenshot({
        path: file,
        fullPage: false,
        timeout: 5000,
        animations: 'disabled',
        caret: 'hide',
        mask: secretMasks(page, options.secretValues ?? []),
        maskColor: '#5f6b7a',
      })
      .then(() => true)
      .catch(() => false)
    if (saved) evidence.screenshotPath = path.posix.join(options.runId, 'screenshot.png')
  }

  const raw = path.join(dir, 'trace.raw.zip')
  const traced =
    options.traced &&
    (await context.tracing
      .stop({ path: raw })
      .then(() => true)
      .catch(() => false))
  if (traced) {
    try {
      const zip = await readFile(raw)
      await writeFile(path.join(dir, 'trace.zip'), maskZip(zip, options.secretForms))
      evidence.tracePath = path.posix.join(options.runId, 'trace.zip')
    } finally {
      await rm(raw, { force: true })
    }
  }
  // Nothing could be kept (the browser was gone): leave no empty folder behind.
  if (!evidence.screenshotPath && !evidence.tracePath) await rm(dir, { recursive: true, force: true })
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
