// Small formatting helpers shared by the pages. Times are shown in UTC and
// carried in <time datetime> so a reader or a script can convert them.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const pad = (n: number) => String(n).padStart(2, '0')

/** "23 Nov 17:05 UTC" */
export function formatTime(at: Date): string {
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`
}

/** "1 h 5 min", "42 s", "3 d 2 h" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** "2.4 s" for step and run times. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}

/** Kept rate as a percentage, or null when nothing was counted. */
export function keptRate(kept: number, counted: number): number | null {
  return counted > 0 ? kept / counted : null
}

export function formatRate(rate: number | null): string {
  if (rate === null) return '—'
  const pct = rate * 100
  return `${pct === 100 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)} %`
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
