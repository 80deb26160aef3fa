import type { Locator, Page } from 'playwright-core'
import { closestNames, namesFromAriaSnapshot } from './candidates.ts'
import { sleep, StepFailure } from './step-failure.ts'

// Targets resolve the way a person reads a page: an accessible role and
// name first (a button, a link…), then a field's label, then its
// placeholder, then visible text. Every way is tried with the exact name
// before any is tried with a substring. Only visible elements count. Two
// matches at the first level that finds any is ambiguous: the step fails
// rather than guess.

export type TargetAction = 'click' | 'fill' | 'select' | 'check'

type AriaRole = Parameters<Page['getByRole']>[0]

const ROLES: Record<TargetAction, AriaRole[]> = {
  click: ['button', 'link', 'checkbox', 'radio', 'menuitem', 'tab', 'option', 'switch'],
  fill: ['textbox', 'searchbox', 'combobox', 'spinbutton'],
  select: ['combobox', 'listbox'],
  check: ['checkbox', 'radio', 'switch'],
}

/** What a person calls the targets of an action, in messages. */
const NOUN: Record<TargetAction, string> = {
  click: 'button or link',
  fill: 'field',
  select: 'list',
  check: 'checkbox',
}

interface Way {
  label: string
  locate(page: Page, name: string, exact: boolean): Locator
}

function waysFor(action: TargetAction): Way[] {
  const roles: Way = {
    label: 'role',
    locate: (page, name, exact) =>
      ROLES[action].map((role) => page.getByRole(role, { name, exact })).reduce((all, one) => all.or(one)),
  }
  const label: Way = { label: 'label', locate: (page, name, exact) => page.getByLabel(name, { exact }) }
  const placeholder: Way = { label: 'placeholder', locate: (page, name, exact) => page.getByPlaceholder(name, { exact }) }
  const text: Way = { label: 'text', locate: (page, name, exact) => page.getByText(name, { exact }) }
  if (action === 'fill') return [roles, label, placeholder]
  if (action === 'select') return [roles, label]
  return [roles, label, placeholder, text]
}

type Lookup = { found: Locator } | { ambiguous: Locator; count: number } | null

async function lookup(page: Page, action: TargetAction, name: string): Promise<Lookup> {
  for (const exact of [true, false]) {
    for (const way of waysFor(action)) {
      const locator = way.locate(page, name, exact).filter({ visible: true })
      const count = await locator.count()
      if (count === 1) return { found: locator }
      if (count > 1) return { ambiguous: locator, count }
    }
  }
  return null
}

/**
 * The one element `name` designates for `action`, waiting until `deadline`
 * (epoch ms) for it to appear. Fails the step when it is missing or
 * ambiguous, saying what the page offered instead.
 */
export async function findTarget(page: Page, action: TargetAction, name: string, deadline: number): Promise<Locator> {
  // Keep the end of the step's time to say what the page offered instead.
  const searchUntil = deadline - Math.min(1000, Math.max(0, deadline - Date.now()) / 4)
  for (let pause = 50; ; pause = Math.min(pause * 2, 400)) {
    const result = await lookup(page, action, name).catch(() => null)
    if (result && 'found' in result) return result.found
    if (result && 'ambiguous' in result) throw new StepFailure(await ambiguousMessage(page, name, result.ambiguous, result.count))
    if (Date.now() + pause >= searchUntil) break
    await sleep(pause)
  }
  throw new StepFailure(await missingMessage(page, action, name))
}

async function missingMessage(page: Page, action: TargetAction, name: string): Promise<string> {
  const snapshot = await page.locator('body').ariaSnapshot({ timeout: 2000 }).catch(() => '')
  const roles = action === 'click' ? ['button', 'link'] : ROLES[action]
  const names = namesFromAriaSnapshot(snapshot, roles).map((c) => c.name)
  const where = `no ${NOUN[action]} "${name}" on ${page.url()}`
  const closest = closestNames(name, names)
  if (closest.length > 0) return `${where}; closest: ${closest.map((n) => `"${n}"`).join(', ')}`
  if (names.length > 0) return `${where}; the page offers: ${[...new Set(names)].slice(0, 5).map((n) => `"${n}"`).join(', ')}`
  return `${where}; the page has no ${action === 'click' ? 'buttons or links' : `${NOUN[action]}s`}`
}

async function ambiguousMessage(page: Page, name: string, locator: Locator, count: number): Promise<string> {
  const described = await locator
    .evaluateAll((elements) =>
      elements.slice(0, 4).map((element) => {
        const role = element.getAttribute('role') ?? element.tagName.toLowerCase()
        const text = ((element as HTMLElement).innerText || element.getAttribute('aria-label') || (element as HTMLInputElement).value || '')
          .trim()
          .replace(/\s+/g, ' ')
          .slice(0, 40)
        return `${role} "${text}"`
      }),
    )
    .catch(() => [] as string[])
  return `"${name}" is ambiguous on ${page.url()}: ${count} elements match${described.length ? ` (${described.join(', ')})` : ''}; name one of them more precisely`
}
