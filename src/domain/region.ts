// Where journeys are walked from. Workers announce their region
// (KEPT_REGION); `kept start` and a worker that names none walk the
// default one. A promise is walked in each of its regions, and has a
// verdict in each (src/recorder/record.ts keeps one break state a region).

export const DEFAULT_REGION = 'local'

/** What a region name may be: it names a queue and a Redis key. */
export const REGION_NAME = /^[a-z0-9-]{1,32}$/
export const REGION_EXPECTED = 'expected 1 to 32 lowercase letters, digits or -, like eu or us-east'

/** Most regions one promise may be walked from. */
export const MAX_REGIONS = 16

/**
 * The BullMQ queue of a region's journeys. The region `local` keeps the
 * name the one queue had before regions ("journeys"), so an install that
 * upgrades loses no job, scheduler or tool that knew it.
 */
export function journeysQueueName(region: string): string {
  return region === DEFAULT_REGION ? 'journeys' : `journeys-${region}`
}

/** A region's verdict as stored, plus "not walked": no live worker of that region. */
export type RegionState = 'pending' | 'kept' | 'at_risk' | 'broken' | 'not_walked'

export interface RegionVerdict {
  region: string
  state: RegionState
  lastRunAt: Date | null
}

type Stored = 'pending' | 'kept' | 'at_risk' | 'broken'
const WORST_FIRST: Stored[] = ['broken', 'at_risk', 'kept', 'pending']

/**
 * The promise's one state from its regions': the worst verdict of a
 * region that was walked (broken before at risk before kept), pending
 * while none was.
 */
export function worstState(states: readonly Stored[]): Stored {
  for (const state of WORST_FIRST) if (states.includes(state)) return state
  return 'pending'
}

/**
 * Whether the words of a promise name its regions: not on an install of
 * one region, where every promise is walked from the default one ("in
 * local" everywhere says nothing).
 */
export function namesRegions(regions: readonly string[]): boolean {
  return regions.length > 1 || (regions.length === 1 && regions[0] !== DEFAULT_REGION)
}

const WORDS: Record<RegionState, string> = {
  broken: 'broken',
  at_risk: 'at risk',
  kept: 'kept',
  pending: 'not walked yet',
  not_walked: 'not walked (no worker)',
}

/**
 * "broken in eu, kept in us": regions of the same verdict together,
 * worst first; "" when the promise names no region (namesRegions).
 */
export function regionSummary(verdicts: readonly RegionVerdict[]): string {
  if (!namesRegions(verdicts.map((v) => v.region))) return ''
  const order: RegionState[] = ['broken', 'not_walked', 'at_risk', 'kept', 'pending']
  const parts: string[] = []
  for (const state of order) {
    const names = verdicts.filter((v) => v.state === state).map((v) => v.region)
    if (names.length > 0) parts.push(`${WORDS[state]} in ${listWords(names)}`)
  }
  return parts.join(', ')
}

function listWords(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

/**
 * A region's shown verdict: "not walked" when no worker of the region is
 * live (its last verdict is old news, never "kept"), else as stored. An
 * open break stays "broken": it is still the last thing known.
 */
export function regionState(stored: Stored, live: boolean): RegionState {
  if (live || stored === 'broken') return stored
  return 'not_walked'
}

/** A region's verdict as a row holds it (a JSON aggregate gives its time as text). */
export interface StoredRegion {
  region: string
  state: Stored
  lastRunAt: Date | string | null
}

/**
 * Its verdict in each of its regions: as stored (pending where none is),
 * or "not walked" in a region with no live worker when the live regions
 * are known.
 */
export function regionVerdicts(regions: readonly string[], stored: readonly StoredRegion[], live?: ReadonlySet<string>): RegionVerdict[] {
  const byRegion = new Map(stored.map((r) => [r.region, r]))
  return regions.map((region) => {
    const row = byRegion.get(region)
    const state = row?.state ?? 'pending'
    return { region, state: live ? regionState(state, live.has(region)) : state, lastRunAt: row?.lastRunAt ? new Date(row.lastRunAt) : null }
  })
}
