// ISO weeks (Monday to Monday) in a time zone, e.g. "2026-W47" in
// Europe/Paris. Pure; time zones come from Intl, so DST weeks are 167 or
// 169 hours long and start at local midnight whatever the offset.

export interface IsoWeek {
  year: number
  week: number
}

export interface WeekRange {
  /** Monday 00:00 in the zone (inclusive). */
  start: Date
  /** The next Monday 00:00 in the zone (exclusive). */
  end: Date
}

const DAY_MS = 86_400_000
const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/

export class WeekError extends Error {
  constructor(
    readonly field: 'week' | 'timeZone',
    message: string,
  ) {
    super(`${field}: ${message}`)
    this.name = 'WeekError'
  }
}

/** "2026-W47" → {year: 2026, week: 47}; a clear error naming `week` otherwise. */
export function parseIsoWeek(text: string): IsoWeek {
  const match = WEEK_PATTERN.exec(text.trim())
  if (!match) throw new WeekError('week', `expected an ISO week like 2026-W47, got "${text}"`)
  const year = Number(match[1])
  const week = Number(match[2])
  const last = weeksInYear(year)
  if (week < 1 || week > last) {
    throw new WeekError('week', `expected a week from 01 to ${last} in ${year}, got "${text}"`)
  }
  return { year, week }
}

export function formatIsoWeek({ year, week }: IsoWeek): string {
  return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`
}

/** Monday 00:00 to the next Monday 00:00 of the week, in the zone. */
export function weekRange(week: string, timeZone: string): WeekRange {
  const monday = mondayOf(parseIsoWeek(week))
  return {
    start: startOfLocalDay(monday, timeZone),
    end: startOfLocalDay(monday + 7 * DAY_MS, timeZone),
  }
}

/** The ISO week holding this instant, as seen in the zone. */
export function weekOf(date: Date, timeZone: string): string {
  const { year, month, day } = localDate(date, timeZone)
  return formatIsoWeek(isoWeekOfDay(Date.UTC(year, month - 1, day)))
}

export function previousWeek(week: string): string {
  return formatIsoWeek(isoWeekOfDay(mondayOf(parseIsoWeek(week)) - 7 * DAY_MS))
}

export function nextWeek(week: string): string {
  return formatIsoWeek(isoWeekOfDay(mondayOf(parseIsoWeek(week)) + 7 * DAY_MS))
}

/** Throws a WeekError naming `timeZone` unless it is an IANA zone Intl knows. */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone)
}

// --- calendar days, as UTC midnights (zone-free day arithmetic) ----------

function weeksInYear(year: number): number {
  // Dec 28 always lies in the year's last ISO week.
  return isoWeekOfDay(Date.UTC(year, 11, 28)).week
}

/** The Monday of week 1 is the Monday on or before January 4. */
function mondayOf({ year, week }: IsoWeek): number {
  const jan4 = Date.UTC(year, 0, 4)
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7 // Monday = 0
  return jan4 - weekday * DAY_MS + (week - 1) * 7 * DAY_MS
}

/** A day's ISO week is that of its week's Thursday. */
function isoWeekOfDay(dayUtc: number): IsoWeek {
  const weekday = (new Date(dayUtc).getUTCDay() + 6) % 7
  const thursday = dayUtc + (3 - weekday) * DAY_MS
  const year = new Date(thursday).getUTCFullYear()
  return { year, week: 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) }
}

// --- time zones ----------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone)
  if (!found) {
    try {
      found = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
      })
    } catch {
      throw new WeekError('timeZone', `expected an IANA time zone like Europe/Paris, got "${timeZone}"`)
    }
    formatters.set(timeZone, found)
  }
  return found
}

function localDate(date: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = formatter(timeZone).formatToParts(date)
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return { year: part('year'), month: part('month'), day: part('day') }
}

const dayKey = (year: number, month: number, day: number) => year * 10_000 + month * 100 + day

/**
 * The first instant of a calendar day in the zone: the first minute whose
 * local date is that day. A binary search rather than offset arithmetic,
 * so a day that starts at 01:00 (DST starting at midnight) is right too.
 */
function startOfLocalDay(dayUtc: number, timeZone: string): Date {
  const day = new Date(dayUtc)
  const target = dayKey(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate())
  const reached = (minute: number) => {
    const local = localDate(new Date(minute * 60_000), timeZone)
    return dayKey(local.year, local.month, local.day) >= target
  }
  // UTC offsets lie within -12 h and +14 h: local midnight is within ±15 h of UTC midnight.
  let low = dayUtc / 60_000 - 15 * 60 // local date still the day before
  let high = dayUtc / 60_000 + 15 * 60 // local date already the day
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2)
    if (reached(middle)) high = middle
    else low = middle
  }
  return new Date(high * 60_000)
}
