import { AxeBuilder } from '@axe-core/playwright'
import type { Page } from 'playwright-core'

// Accessibility budget: axe-core on the pages a journey reaches. We count
// the rules violated with a serious or critical impact (axe's own words
// for "blocks or seriously hinders people"), once per rule per page:
// minor and moderate findings are real but too noisy to break a promise.

export const COUNTED_IMPACTS = ['serious', 'critical']

export async function countA11yViolations(page: Page): Promise<number> {
  const results = await new AxeBuilder({ page }).analyze()
  return results.violations.filter((v) => v.impact && COUNTED_IMPACTS.includes(v.impact)).length
}
