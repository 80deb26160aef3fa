import { driftSentence, type ClaimDrift } from './claims/drift.ts'
import { formatRate, formatSeconds } from './format.ts'
import { AT_RISK_SHARE } from './budget.ts'
import { appliesTo, type MaintenanceWindow } from './maintenance.ts'
import { brokenMinutes, npsRisk, totalNpsPointsAtRisk, type BreakSpan, type NpsRisk } from './nps.ts'
import { previousWeek, weekRange, type WeekRange } from './week.ts'

// The figures of a weekly digest: per promise and in total, this week and
// the week before. Pure. The result is plain JSON (ISO strings, numbers)
// so it is stored as the digest's snapshot and rendered again unchanged.
// Numbers stay at full precision; they are rounded only where shown.

/** Runs of one promise over a week, from the hourly rollups. */
export interface RunCounts {
  runs: number
  kept: number
  atRisk: number
  broken: number
  errors: number
  /** The highest hourly p95 of the week (ms, error runs left out), or null without runs. */
  p95Ms: number | null
}

export interface DigestPromiseInput {
  id: string
  title: string
  dailyCustomers: number
  detractorRate: number
  marketingOwner: string | null
  techOwner: string | null
  paused: boolean
  /** The promise's maxSeconds budget, if it has one. */
  maxSeconds: number | null
  /** Its breaks that touch this week or the week before. */
  breaks: readonly BreakSpan[]
  /** Why its latest break of the week broke, in the alert's words (explainFailure); null without one. */
  lastBreakWhy?: string | null
  /** It is walked from regions worth naming (src/domain/region.ts namesRegions): its breaks say where. */
  regionsNamed?: boolean
  runs: RunCounts
  previousRuns: RunCounts
}

export interface DigestInput {
  /** ISO week, e.g. 2026-W47. */
  week: string
  timezone: string
  /** Open breaks run until now; a week not over yet counts until now. */
  now: Date
  promises: readonly DigestPromiseInput[]
  /** Every window touching the two weeks, global (promiseId null) or not. */
  maintenance: readonly MaintenanceWindow[]
  /** Promises whose site words drift from what customers live, now (older inputs: none). */
  claimDrift?: readonly { promiseId: string; title: string; drift: ClaimDrift }[]
}

export type Direction = 'up' | 'down' | 'flat'

export interface WeekFigures extends NpsRisk {
  /** Breaks with broken time in the week (outside maintenance). */
  breaks: number
  /** (kept + at risk) / (kept + at risk + broken); errors are ours and not counted. null without such runs. */
  keptRate: number | null
}

export interface PromiseFigures extends WeekFigures {
  promiseId: string
  title: string
  marketingOwner: string | null
  techOwner: string | null
  paused: boolean
  dailyCustomers: number
  detractorRate: number
  maxSeconds: number | null
  runs: RunCounts
  /**
   * false: no kept, at-risk or broken run and no break in the week, so
   * nothing says it was kept ("not walked"). Older snapshots lack it: walked.
   */
  walked?: boolean
  /** Walked and never broken in the week. */
  keptAllWeek: boolean
  previous: WeekFigures
  /** Of the broken time (whole minutes) against the week before: up is worse. */
  change: Direction
  /** Why a promise kept all week is close to breaking; empty when it is not. */
  warnings: string[]
  /** Why it broke this week (its latest break), in the words of its alert. Older snapshots lack it. */
  why?: string
  /** The regions it broke in this week, when it names regions ("eu"); absent on an install of one region. */
  brokenIn?: string[]
}

export interface TotalFigures {
  promises: number
  keptAllWeek: number
  broken: number
  /** Promises with no run counted in the week (older snapshots: absent, 0). */
  notWalked?: number
  /** Sum over the promises (two promises broken at once count twice). */
  brokenMinutes: number
  affectedCustomers: number
  likelyDetractors: number
  /** Weighted by daily customers (totalNpsPointsAtRisk). */
  npsPointsAtRisk: number
  previous: { broken: number; brokenMinutes: number; affectedCustomers: number; npsPointsAtRisk: number }
  change: Direction
}

export interface DigestFigures {
  week: string
  previousWeek: string
  timezone: string
  /** Monday 00:00 in the zone, ISO. */
  start: string
  /** The next Monday 00:00, ISO (exclusive). */
  end: string
  generatedAt: string
  /** false while the week is not over: figures count until generatedAt. */
  complete: boolean
  headline: string
  /** Worst first: NPS points at risk, then broken minutes, then title. */
  promises: PromiseFigures[]
  totals: TotalFigures
  /** What the site says against what customers live, at the time of the digest (older snapshots: absent). */
  claimDrift?: DriftFigures[]
}

export interface DriftFigures {
  promiseId: string
  title: string
  /** driftSentence: what the site says, what customers need, what the promise allows. */
  sentence: string
  pageUrl: string
  since: string
}

/** The digest of a week from its promises, breaks, maintenance and run counts. */
export function computeDigest(input: DigestInput): DigestFigures {
  const range = weekRange(input.week, input.timezone)
  const previous = previousWeek(input.week)
  const previousRange = weekRange(previous, input.timezone)

  const promises = input.promises
    .map((promise) => {
      const windows = input.maintenance.filter((window) => appliesTo(window, promise.id))
      const current = weekFigures(promise, promise.runs, range, windows, input.now)
      const before = weekFigures(promise, promise.previousRuns, previousRange, windows, input.now)
      const walked = touches(promise.breaks, range, input.now) || promise.runs.kept + promise.runs.atRisk + promise.runs.broken > 0
      const keptAllWeek = walked && current.breaks === 0
      const figures: PromiseFigures = {
        promiseId: promise.id,
        title: promise.title,
        marketingOwner: promise.marketingOwner,
        techOwner: promise.techOwner,
        paused: promise.paused,
        dailyCustomers: promise.dailyCustomers,
        detractorRate: promise.detractorRate,
        maxSeconds: promise.maxSeconds,
        runs: promise.runs,
        ...current,
        walked,
        keptAllWeek,
        previous: before,
        change: direction(current.brokenMinutes, before.brokenMinutes),
        warnings: keptAllWeek ? earlyWarnings(promise) : [],
        ...(current.breaks > 0 && promise.lastBreakWhy ? { why: promise.lastBreakWhy } : {}),
        ...(current.breaks > 0 && promise.regionsNamed ? { brokenIn: regionsBrokenIn(promise.breaks, range, windows, input.now) } : {}),
      }
      return figures
    })
    // A paused promise is reported only for the weeks it broke in.
    .filter((figures) => !figures.paused || figures.breaks > 0)
    .sort(
      (a, b) =>
        b.npsPointsAtRisk - a.npsPointsAtRisk ||
        b.brokenMinutes - a.brokenMinutes ||
        a.title.localeCompare(b.title) ||
        a.promiseId.localeCompare(b.promiseId),
    )

  const totals = totalFigures(promises)
  return {
    week: input.week,
    previousWeek: previous,
    timezone: input.timezone,
    start: range.start.toISOString(),
    end: range.end.toISOString(),
    generatedAt: input.now.toISOString(),
    complete: input.now >= range.end,
    headline: headline(totals),
    promises,
    totals,
    claimDrift: (input.claimDrift ?? [])
      .map((d) => ({ promiseId: d.promiseId, title: d.title, sentence: driftSentence(d.drift), pageUrl: d.drift.pageUrl, since: d.drift.since }))
      .sort((a, b) => a.since.localeCompare(b.since) || a.title.localeCompare(b.title)),
  }
}

/** The regions of the breaks with broken time in the week, sorted. */
function regionsBrokenIn(spans: readonly BreakSpan[], range: WeekRange, windows: readonly MaintenanceWindow[], now: Date): string[] {
  const regions = spans.filter((span) => span.region && brokenMinutes([span], range, windows, now) > 0).map((span) => span.region!)
  return [...new Set(regions)].sort()
}

function weekFigures(
  promise: DigestPromiseInput,
  runs: RunCounts,
  range: WeekRange,
  windows: readonly MaintenanceWindow[],
  now: Date,
): WeekFigures {
  const minutes = brokenMinutes(promise.breaks, range, windows, now)
  const breaks = promise.breaks.filter((span) => brokenMinutes([span], range, windows, now) > 0).length
  return { ...npsRisk(promise, minutes), breaks, keptRate: keptRate(runs) }
}

/** A break open during some of the range (maintenance or not): its runs walked the promise. */
function touches(breaks: readonly BreakSpan[], range: WeekRange, now: Date): boolean {
  return breaks.some((span) => span.openedAt < range.end && (span.resolvedAt ?? now) > range.start)
}

export function keptRate(runs: Pick<RunCounts, 'kept' | 'atRisk' | 'broken'>): number | null {
  const counted = runs.kept + runs.atRisk + runs.broken
  return counted > 0 ? (runs.kept + runs.atRisk) / counted : null
}

/** Compared in whole minutes, so seconds of difference read as no change. */
export function direction(current: number, previous: number): Direction {
  const now = Math.round(current)
  const before = Math.round(previous)
  return now > before ? 'up' : now < before ? 'down' : 'flat'
}

/** Runs at risk, or the slowest hour's p95 above 80% of maxSeconds. */
export function earlyWarnings(promise: Pick<DigestPromiseInput, 'runs' | 'maxSeconds'>): string[] {
  const warnings: string[] = []
  const { atRisk, p95Ms } = promise.runs
  if (atRisk > 0) {
    warnings.push(`${atRisk} ${atRisk === 1 ? 'run' : 'runs'} at risk (a time budget more than 80% used)`)
  }
  if (promise.maxSeconds && p95Ms !== null && p95Ms > AT_RISK_SHARE * promise.maxSeconds * 1000) {
    const share = Math.round((100 * p95Ms) / (promise.maxSeconds * 1000))
    warnings.push(
      `slowest hour's p95 ${formatSeconds(p95Ms)} of a ${promise.maxSeconds} s budget (${share}%)`,
    )
  }
  return warnings
}

function totalFigures(promises: readonly PromiseFigures[]): TotalFigures {
  const sum = (pick: (p: PromiseFigures) => number) => promises.reduce((total, p) => total + pick(p), 0)
  const broken = promises.filter((p) => p.breaks > 0).length
  const notWalked = promises.filter((p) => p.walked === false).length
  const brokenMinutesTotal = sum((p) => p.brokenMinutes)
  const previousMinutes = sum((p) => p.previous.brokenMinutes)
  return {
    promises: promises.length,
    keptAllWeek: promises.length - broken - notWalked,
    broken,
    notWalked,
    brokenMinutes: brokenMinutesTotal,
    affectedCustomers: sum((p) => p.affectedCustomers),
    likelyDetractors: sum((p) => p.likelyDetractors),
    npsPointsAtRisk: totalNpsPointsAtRisk(promises),
    previous: {
      broken: promises.filter((p) => p.previous.breaks > 0).length,
      brokenMinutes: previousMinutes,
      affectedCustomers: sum((p) => p.previous.affectedCustomers),
      npsPointsAtRisk: totalNpsPointsAtRisk(
        promises.map((p) => ({ dailyCustomers: p.dailyCustomers, likelyDetractors: p.previous.likelyDetractors })),
      ),
    },
    change: direction(brokenMinutesTotal, previousMinutes),
  }
}

// --- words -----------------------------------------------------------------

/** "9 of 11 promises kept all week; 2 broke for 3 h 12 min, about 410 customers affected" */
export function headline(
  totals: Pick<TotalFigures, 'promises' | 'keptAllWeek' | 'broken' | 'brokenMinutes' | 'affectedCustomers' | 'notWalked'>,
): string {
  const { promises, keptAllWeek, broken } = totals
  const notWalked = totals.notWalked ?? 0
  if (promises === 0) return 'No promises to report this week'
  const unwalked = notWalked > 0 ? `; ${notWalked} not walked` : ''
  if (broken === 0 && notWalked === 0) return promises === 1 ? 'The 1 promise was kept all week' : `All ${promises} promises kept all week`
  if (broken === 0) return `${keptAllWeek} of ${promises} ${promises === 1 ? 'promise' : 'promises'} kept all week${unwalked}`
  const customers = Math.round(totals.affectedCustomers)
  return (
    `${keptAllWeek} of ${promises} ${promises === 1 ? 'promise' : 'promises'} kept all week; ` +
    `${broken} broke for ${formatMinutes(totals.brokenMinutes)}, ` +
    `about ${customers} ${customers === 1 ? 'customer' : 'customers'} affected${unwalked}`
  )
}

/** Whole minutes: "45 min", "3 h 12 min", "2 h"; "< 1 min" for a few seconds. */
export function formatMinutes(minutes: number): string {
  if (minutes > 0 && minutes < 0.5) return '< 1 min'
  const whole = Math.round(minutes)
  const hours = Math.floor(whole / 60)
  const rest = whole % 60
  if (hours === 0) return `${rest} min`
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`
}

/** "97.5 %", "100 %"; "no runs" when nothing was counted (never rounded up to 100 %). */
export function formatKeptRate(rate: number | null): string {
  return formatRate(rate, 'no runs')
}

export function formatPoints(points: number): string {
  return `${points.toFixed(2)} pts`
}

export const ARROWS: Record<Direction, string> = { up: '↑', down: '↓', flat: '→' }

/** The NPS-risk model in plain words, for the digest's footer. */
export const FORMULA_LINES: readonly string[] = [
  'Broken time is the time a promise had an open break during the week, not counting maintenance windows.',
  'Customers affected = customers a day on that journey × broken minutes ÷ 1,440 minutes in a day.',
  'Likely detractors = customers affected × detractor rate (the share of customers who meet a broken promise and become detractors; 25% unless set on the promise).',
  'NPS points at risk = 100 × likely detractors ÷ (customers a day × 7 days).',
  'The total is weighted by each journey’s customers a day. Kept rate = kept and at-risk runs ÷ all runs but our own errors.',
]
