// The words for times, durations and rates, the same on the pages, in the
// digest and in the alerts. Pure.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const pad = (n: number) => String(n).padStart(2, '0')

/** A duration for people: "45 s", "12 min", "1 h 12 min", "2 d 3 h". Whole units, rounded down: 59.9 s is "59 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`
  const days = Math.floor(hours / 24)
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`
}

/** "2.4 s" for step and run times; whole seconds from 10 s. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}

/** Seconds with one decimal, more when needed to tell `actual` from `limit` (60.04 s, not 60.0 s). */
export function formatSecondsAgainst(actual: number, limit: number): string {
  for (let digits = 1; digits < 3; digits++) {
    const shown = actual.toFixed(digits)
    if (Number(shown) !== limit || actual === limit) return `${shown} s`
  }
  return `${actual.toFixed(3)} s`
}

/**
 * A kept rate as a percentage: "97.5 %", "100 %", `empty` when nothing was
 * counted. Rounded down to a tenth, so a week with one broken run never
 * shows 100 %.
 */
export function formatRate(rate: number | null, empty = '—'): string {
  if (rate === null) return empty
  if (rate >= 1) return '100 %'
  if (rate <= 0) return '0 %'
  return `${(Math.floor(rate * 1000) / 10).toFixed(1)} %`
}

/** "23 Nov 17:05 UTC": the pages' short time, carried in <time datetime> for the exact one. */
export function formatShortTime(at: Date): string {
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`
}

/** "2026-05-12 14:02 UTC", or in the given IANA zone: emails and messages, read far from a browser. */
export function formatTime(at: Date, timezone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at)
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${timezone}`
}
