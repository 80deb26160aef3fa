import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from 'playwright-core'

// Typed doors to page-reads.js: what Kept reads of a page when a step
// failed, to say why in the page's own words. Evaluated in the page's
// world, on failure only: a kept walk never pays for them.

const SOURCE = readFileSync(fileURLToPath(new URL('./page-reads.js', import.meta.url)), 'utf8')

/** A function of page-reads.js as one Playwright can send to the page (its source, as written). */
function read(name: string, ...params: string[]) {
  return new Function(...params, `return (${SOURCE}).${name}(${params.join(', ')})`)
}

export interface Candidate {
  role: string
  text: string
  /** A text of the largest part of the page that holds this match and no other: what `in "…"` could say. */
  context: string
}

const describeCandidatesFn = read('describeCandidates', 'elements') as (elements: Element[]) => Candidate[]
const whyNotFn = read('whyNot', 'element') as (element: Element) => string | null
const saysWrongFn = read('saysWrong') as () => string[]

/** Each match's role, text and distinguishing context. */
export function describeCandidates(locator: Locator): Promise<Candidate[]> {
  return locator.evaluateAll(describeCandidatesFn).catch(() => [])
}

/** Why the element takes no action (disabled, covered by what, out of sight, gone), or null when nothing is in the way. */
export async function whyNot(locator: Locator, verb: string): Promise<string | null> {
  if ((await locator.count().catch(() => 0)) === 0) return `it was removed from the page (detached) before it could be ${verb}`
  return locator.first().evaluate(whyNotFn).catch(() => null)
}

/** What the page says is wrong, in every frame: its alerts, its fields marked invalid with their messages; null when it says nothing. */
export async function whatThePageSaysIsWrong(page: Page): Promise<string | null> {
  const found = await Promise.all(page.frames().map((frame) => frame.evaluate(saysWrongFn).catch(() => [] as string[])))
  const said = [...new Set(found.flat())].slice(0, 3)
  return said.length > 0 ? `the page says ${said.join('; ')}` : null
}
