// Small formatting helpers shared by the pages. Times are shown in UTC and
// carried in <time datetime> so a reader or a script can convert them.

import { formatDuration } from '../domain/format.ts'

// One set of words for times, durations and rates (src/domain/format.ts); the pages' short time is formatTime here.
export { formatDuration, formatRate, formatSeconds, formatShortTime as formatTime } from '../domain/format.ts'

/** Kept rate as a percentage, or null when nothing was counted. */
export function keptRate(kept: number, counted: number): number | null {
  return counted > 0 ? kept / counted : null
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

/** "4 min 12 s", "58 s", "2 h 5 min": how long until a moment, for "next walk in …". */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`
  return formatDuration(ms)
}
