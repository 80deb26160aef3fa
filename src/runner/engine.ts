import { fileURLToPath } from 'node:url'
import { selectors } from 'playwright-core'

// Kept's selector engine (target-engine.js) runs in Playwright's utility
// world of each document: finding a target or waiting for a quiet page
// costs one round trip and never loads a script into the page's own world.
// Selector engines travel with each new context, so the engine is
// registered once per process, before the first context.

/** The engine's file: the journey builder evaluates it in a page too (pointAt). */
export const ENGINE = fileURLToPath(new URL('./target-engine.js', import.meta.url))

let registered: Promise<void> | null = null

export function registerKeptEngine(): Promise<void> {
  registered ??= selectors.register('kept', { path: ENGINE }, { contentScript: true }).catch((error: Error) => {
    if (/already registered/.test(error.message)) return
    registered = null
    throw error
  })
  return registered
}

export type EngineQuery =
  | { op: 'find'; action: string; name: string; testId?: boolean; within?: string; anyVisibility?: boolean; upTo?: number }
  | { op: 'quiet'; ms: number; after?: number }

/** The selector of a query to Kept's engine. */
export function keptSelector(query: EngineQuery): string {
  return `kept=${encodeURIComponent(JSON.stringify(query))}`
}
