import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { unzipSync, zipSync, type Zippable } from 'fflate'
import type { BrowserContext, Page } from 'playwright-core'
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

export async function startTrace(context: BrowserContext): Promise<void> {
  await context.tracing.start({ screenshots: true, snapshots: true })
}

/** Ends tracing without keeping anything (a kept run). */
export async function discardTrace(context: BrowserContext): Promise<void> {
  await context.tracing.stop().catch(() => {})
}

/**
 * Writes the screenshot and the trace; a secret's every form is masked in
 * each text entry of the trace zip before it is stored. Each piece is best
 * effort: a page that crashed still leaves its trace.
 */
export async function saveEvidence(
  context: BrowserContext,
  page: Page | null,
  options: { dataDir: string; runId: string; secretForms: string[]; traced: boolean },
): Promise<Evidence> {
  const dir = evidenceDir(options.dataDir, options.runId)
  await mkdir(dir, { recursive: true })
  const evidence: Evidence = { screenshotPath: null, tracePath: null }

  if (page && !page.isClosed()) {
    const file = path.join(dir, 'screenshot.png')
    const saved = await page
      .screenshot({ path: file, fullPage: false, timeout: 5000, animations: 'disabled' })
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
