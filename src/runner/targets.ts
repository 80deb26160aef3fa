import type { Frame, Locator, Page } from 'playwright-core'
import { ordinal } from '../domain/journey/render.ts'
import { closestNames, namesFromAriaSnapshot } from './candidates.ts'
import { keptSelector, type EngineQuery } from './engine.ts'
import { describeCandidates } from './page-reads.ts'
import { sleep, StepFailure } from './step-failure.ts'

// Targets resolve the way a person reads a page (target-engine.js): a
// control by any of its names (visible text, aria-label, label, title, an
// inner image's alt, placeholder), then visible text; exact names before
// partial ones; only what a person can see. Every frame of the page is
// searched, cross-origin ones too. Two matches are ambiguous unless the
// step says which one (the 2nd, the last, in "…"): the step fails rather
// than guess, and says how to tell them apart.

export type TargetAction = 'click' | 'fill' | 'select' | 'check' | 'hover' | 'scroll'

export interface TargetQuery {
  action: TargetAction
  /** The name, or the test id. */
  name: string
  testId?: boolean
  /** 1-based, -1 for the last. */
  nth?: number
  /** A text of the part of the page the target is in. */
  within?: string
}

/** What a person calls the targets of an action, in messages. */
const PLURAL: Record<TargetAction, string> = {
  click: 'buttons or links',
  fill: 'fields',
  select: 'lists',
  check: 'checkboxes or radio buttons',
  hover: 'elements',
  scroll: 'elements',
}

const NOUN: Record<TargetAction, string> = {
  click: 'button or link',
  fill: 'field',
  select: 'list',
  check: 'checkbox',
  hover: 'element',
  scroll: 'element',
}

/** Roles named when a target is missing: what the page offers instead. */
const OFFERED: Record<TargetAction, string[]> = {
  click: ['button', 'link'],
  fill: ['textbox', 'searchbox', 'combobox', 'spinbutton'],
  select: ['combobox', 'listbox'],
  check: ['checkbox', 'radio', 'switch'],
  hover: ['button', 'link', 'menuitem'],
  scroll: ['heading', 'button', 'link'],
}

export type Lookup = { found: Locator } | { ambiguous: Locator[]; count: number } | { tooFew: number } | null

/** Every frame's matches of `query`, main frame first: the one meant, or why there is none (once, without waiting). */
export async function lookup(page: Page, query: TargetQuery): Promise<Lookup> {
  const frames = page.frames()
  const countIn = (selector: string) => frameCounts(frames, selector)
  let selector = keptSelector(engineQuery(query))
  let counts = await countIn(selector)
  // Matches in several frames: only the best way's count (a button in one frame beats a heading of the same name in another).
  if (counts.filter((n) => n > 0).length > 1) {
    for (let upTo = 1; upTo <= 5; upTo++) {
      const narrowed = keptSelector(engineQuery(query, { upTo }))
      const found = await countIn(narrowed)
      if (found.some((n) => n > 0)) {
        selector = narrowed
        counts = found
        break
      }
    }
  }
  const located = frames.map((frame) => frame.locator(selector))
  const total = counts.reduce((sum, n) => sum + n, 0)
  if (total === 0) return null
  if (query.nth === undefined) {
    if (total === 1) return { found: located[counts.findIndex((n) => n === 1)]! }
    return { ambiguous: located.filter((_, i) => counts[i]! > 0), count: total }
  }
  let index = query.nth === -1 ? total - 1 : query.nth - 1
  if (index >= total) return { tooFew: total }
  for (const [i, n] of counts.entries()) {
    if (index < n) return { found: located[i]!.nth(index) }
    index -= n
  }
  return null
}

function engineQuery(query: TargetQuery, extra: Partial<EngineQuery> = {}): EngineQuery {
  return {
    op: 'find',
    action: query.action,
    name: query.name,
    ...(query.testId ? { testId: true } : {}),
    ...(query.within !== undefined ? { within: query.within } : {}),
    ...extra,
  } as EngineQuery
}

/**
 * The one element `query` designates, in whichever frame it is, waiting
 * until `deadline` (epoch ms) for it to appear. Fails the step when it is
 * missing or ambiguous, saying what the page offered instead.
 */
export async function findTarget(page: Page, query: TargetQuery, deadline: number): Promise<Locator> {
  // Keep the end of the step's time to say what the page offered instead.
  const searchUntil = deadline - Math.min(1000, Math.max(0, deadline - Date.now()) / 4)
  let last: Lookup = null
  for (let pause = 50; ; pause = Math.min(pause * 2, 400)) {
    last = await lookup(page, query).catch(() => null)
    if (last && 'found' in last) return last.found
    if (last && 'ambiguous' in last) throw new StepFailure(await ambiguousMessage(page, query, last.ambiguous, last.count))
    if (Date.now() + pause >= searchUntil) break
    await sleep(pause)
  }
  if (last && 'tooFew' in last) {
    throw new StepFailure(`no ${ordinal(query.nth!)} ${described(query)} on ${page.url()}: the page shows ${last.tooFew}`)
  }
  throw new StepFailure(await missingMessage(page, query))
}

/** `"Add to cart" in "Backpack"`, `test id "cart"`: the target as the journey says it. */
function described(query: TargetQuery): string {
  const name = query.testId ? `element with test id "${query.name}"` : `${NOUN[query.action]} "${query.name}"`
  return query.within === undefined ? name : `${name} in "${query.within}"`
}

/** How many elements match `selector` in each of `frames` (none in a frame that went away). */
export function frameCounts(frames: Frame[], selector: string): Promise<number[]> {
  return Promise.all(frames.map((frame) => frame.locator(selector).count().catch(() => 0)))
}

/** How many elements of any frame match `query` with other settings. */
async function countEverywhere(page: Page, query: EngineQuery): Promise<number> {
  const counts = await frameCounts(page.frames(), keptSelector(query))
  return counts.reduce((sum, n) => sum + n, 0)
}

async function missingMessage(page: Page, query: TargetQuery): Promise<string> {
  const where = `no ${described(query)} on ${page.url()}`
  if (query.within !== undefined) {
    const scopes = await countEverywhere(page, { op: 'find', action: 'text', name: query.within })
    if (scopes === 0) return `${where}: the page shows no "${query.within}"`
  }
  const hidden = await countEverywhere(page, engineQuery(query, { anyVisibility: true }))
  if (hidden > 0) return `${where}: ${hidden === 1 ? 'the one there is hidden' : `the ${hidden} there are hidden`} (not shown to a person)`
  if (query.testId) return where
  const snapshots = await Promise.all(page.frames().map((frame) => frame.locator('body').ariaSnapshot({ timeout: 2000 }).catch(() => '')))
  const names = snapshots.flatMap((snapshot) => namesFromAriaSnapshot(snapshot, OFFERED[query.action]).map((c) => c.name))
  const closest = closestNames(query.name, names)
  if (closest.length > 0) return `${where}; closest: ${closest.map((n) => `"${n}"`).join(', ')}`
  if (names.length > 0) return `${where}; the page offers: ${[...new Set(names)].slice(0, 5).map((n) => `"${n}"`).join(', ')}`
  return `${where}; the page has no ${PLURAL[query.action]}`
}

async function ambiguousMessage(page: Page, query: TargetQuery, located: Locator[], count: number): Promise<string> {
  const described = (await Promise.all(located.map((locator) => describeCandidates(locator)))).flat()
  const listed = described
    .slice(0, 4)
    .map((c) => `${c.role}${c.text ? ` "${c.text}"` : ''}${c.context ? ` in "${c.context}"` : ''}`)
    .join(', ')
  // A part of the page that tells this match from the others: one shown by no other match (two rows that both say "Buy milk" are told apart only by their order).
  const contexts = described.map((c) => c.context)
  const first = described.find((c) => c.context && c.context !== query.name && contexts.indexOf(c.context) === contexts.lastIndexOf(c.context))
  const name = query.testId ? `test id "${query.name}"` : `"${query.name}"`
  const hint = first ? `"${query.name}" in "${first.context}", or the 2nd ${name}` : `the 2nd ${name} or the last ${name}`
  return `${name} is ambiguous on ${page.url()}: ${count} elements match${listed ? ` (${listed}${count > 4 ? ', …' : ''})` : ''}; say which one, like ${hint}`
}
