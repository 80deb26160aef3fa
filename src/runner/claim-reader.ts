import type { Page } from 'playwright-core'
import { extractClaims, type Claim } from '../domain/claims/extract.ts'

// What the site tells customers on the pages a walk visits: each page's
// text read once (by address), after its step, in Playwright's own world of
// the page, excluded from the walk's time; its checkable claims kept for
// the recorder's drift judgment (src/domain/claims/drift.ts).

/** A page's text is read up to this much: a claim sits in a sentence, not in a megabyte of it. */
const MAX_TEXT = 200_000
const MAX_CLAIMS = 50

export class ClaimReader {
  private readonly read = new Set<string>()
  private readonly found: Claim[] = []
  /** False once a page meant to be read could not be: the claims are then not the whole story. */
  private complete = true

  /** Reads the page's claims once per address. */
  async readPage(page: Page, timeoutMs = 2000): Promise<void> {
    const url = page.url()
    if (!/^https?:/i.test(url) || this.read.has(url)) return
    this.read.add(url)
    try {
      const [text, lang] = await Promise.all([
        page.locator('body').innerText({ timeout: timeoutMs }),
        page.locator('html').getAttribute('lang', { timeout: timeoutMs }).catch(() => null),
      ])
      this.add(extractClaims(text.slice(0, MAX_TEXT), { pageUrl: url, lang }))
    } catch {
      this.complete = false
    }
  }

  /** The promise's claimUrl, after the walk: opened in the walk's last tab, read, its failure only noted. */
  async readUrl(page: Page, url: string, timeoutMs = 10_000): Promise<void> {
    try {
      const response = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs })
      if (response && response.status() >= 400) throw new Error(`HTTP ${response.status()}`)
      await this.readPage(page)
    } catch {
      this.complete = false
    }
  }

  /** The claims read, each (kind, value, sentence) once; undefined when a page could not be read (drift keeps its last judgment). */
  claims(): Claim[] | undefined {
    return this.complete ? this.found : undefined
  }

  private add(claims: Claim[]): void {
    for (const claim of claims) {
      if (this.found.length >= MAX_CLAIMS) return
      if (!this.found.some((c) => c.kind === claim.kind && c.value === claim.value && c.text === claim.text)) this.found.push(claim)
    }
  }
}
