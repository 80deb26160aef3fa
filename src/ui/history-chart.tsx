import type { DayRate } from './dashboard-data.ts'
import { formatRate, keptRate } from './format.ts'

// A small inline SVG: one bar per day with runs, all of the same height so
// a broken day stands out as much as a kept one; its colour is the day's
// kept rate (green, amber, red), a day without runs a thin grey line. The
// label says it in words, for screen readers too.

const BAR = 4
const GAP = 1
const HEIGHT = 28

function barClass(rate: number | null): string {
  if (rate === null) return 'bar-none'
  if (rate >= 0.99) return 'bar-kept'
  if (rate >= 0.9) return 'bar-risk'
  return 'bar-broken'
}

export function describeHistory(days: DayRate[]): string {
  const measured = days.filter((d) => d.counted > 0)
  if (measured.length === 0) return `No runs in the last ${days.length} days`
  const total = measured.reduce((acc, d) => ({ kept: acc.kept + d.kept, counted: acc.counted + d.counted }), {
    kept: 0,
    counted: 0,
  })
  const worst = measured.reduce((a, b) => (b.kept / b.counted < a.kept / a.counted ? b : a))
  const worstRate = keptRate(worst.kept, worst.counted)
  const tail = worstRate !== null && worstRate < 1 ? `; lowest ${formatRate(worstRate)} on ${worst.day}` : '; every run kept'
  return `Kept rate per day over ${days.length} days: ${formatRate(keptRate(total.kept, total.counted))} overall${tail}`
}

export function HistoryChart(props: { days: DayRate[] }) {
  const width = props.days.length * (BAR + GAP) - GAP
  const label = describeHistory(props.days)
  return (
    <svg
      class="chart"
      width={width}
      height={HEIGHT}
      viewBox={`0 0 ${width} ${HEIGHT}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      {props.days.map((d, i) => {
        const rate = keptRate(d.kept, d.counted)
        const h = rate === null ? 2 : HEIGHT
        return <rect class={barClass(rate)} x={i * (BAR + GAP)} y={HEIGHT - h} width={BAR} height={h} rx={1} />
      })}
    </svg>
  )
}
