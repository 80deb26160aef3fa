import { readFile } from 'node:fs/promises'
import type { ElementHandle, Locator, Page } from 'playwright-core'
import type { Which } from '../domain/journey/ast.ts'
import { ENGINE } from '../runner/engine.ts'
import { lookup, type TargetAction, type TargetQuery } from '../runner/targets.ts'

// From a point on the page to the words of a step. The element at the point
// and the names a person may call it by come from the runner's own target
// engine (target-engine.js, pointAt), evaluated in the page; then each way
// of saying it, plainest first — the name alone, `in "…"` a text of its
// card or row, `the 2nd`, its test id — is resolved back with the runner's
// lookup (targets.ts), and the first that finds exactly that element is
// the one written. What the builder writes is what a walk will find.

export type PointAction = 'click' | 'fill' | 'text'

export interface PointInfo {
  /** click, check, uncheck, fill, select, text; field: a click landed on a field; frame: inside a frame; none: nothing there. */
  kind: 'click' | 'check' | 'uncheck' | 'fill' | 'select' | 'text' | 'field' | 'frame' | 'none'
  names: string[]
  scopes: string[]
  testIds: string[]
  /** For text: the text shown at the point. */
  text?: string
  /** For field: a drop-down list (a select step), not a text field. */
  list?: boolean
}

export interface Pointed {
  element: ElementHandle | null
  info: PointInfo
}

let engineSource: Promise<string> | null = null

/** What is at (x, y) of the page's viewport, as the runner's engine sees it. */
export async function pointAt(page: Page, x: number, y: number, action: PointAction): Promise<Pointed> {
  engineSource ??= readFile(ENGINE, 'utf8')
  const source = await engineSource
  const handle = await page.evaluateHandle(`(() => { const kept = ${source}; return kept.pointAt(document, ${x}, ${y}, ${JSON.stringify(action)}) })()`)
  try {
    const element = (await handle.getProperty('element')).asElement()
    const info = (await (await handle.getProperty('info')).jsonValue()) as PointInfo
    return { element, info }
  } finally {
    // The element handle stays valid on its own.
    void handle.dispose().catch(() => {})
  }
}

/** The Which of a step (with its name) that designates exactly `element`, or null when no way of saying it does. */
export async function nameOf(page: Page, action: TargetAction, pointed: Pointed): Promise<(Which & { target: string }) | null> {
  const { element, info } = pointed
  if (!element) return null
  const is = (query: TargetQuery) => designates(page, query, element)
  const names = info.names.slice(0, 4)
  for (const name of names) if (await is({ action, name })) return { target: name }
  for (const name of names.slice(0, 2)) {
    for (const within of info.scopes) if (await is({ action, name, within })) return { target: name, within }
  }
  for (const name of names.slice(0, 2)) {
    const found = await lookup(page, { action, name }).catch(() => null)
    if (!found || !('ambiguous' in found)) continue
    for (let nth = 1; nth <= Math.min(found.count, 30); nth++) {
      if (await is({ action, name, nth })) return { target: name, nth: nth === found.count && nth > 2 ? -1 : nth }
    }
  }
  for (const id of info.testIds) if (await is({ action, name: id, testId: true })) return { target: id, testId: true }
  return null
}

/** Whether `query` finds exactly one element, and that it is `element` (or holds it, or is inside it). */
async function designates(page: Page, query: TargetQuery, element: ElementHandle): Promise<boolean> {
  const found = await lookup(page, query).catch(() => null)
  if (!found || !('found' in found)) return false
  return sameElement(page, found.found, element)
}

async function sameElement(page: Page, locator: Locator, element: ElementHandle): Promise<boolean> {
  const other = await locator.elementHandle({ timeout: 1000 }).catch(() => null)
  if (!other) return false
  try {
    // A label stands in for its hidden checkbox.
    return await page.evaluate(
      ([a, b]) => a === b || a.contains(b) || b.contains(a) || ('control' in a && a.control === b) || ('control' in b && b.control === a),
      [other, element] as const,
    )
  } catch {
    return false // another frame's element
  } finally {
    void other.dispose().catch(() => {})
  }
}
