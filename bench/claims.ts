import { extractClaims } from '../src/domain/claims/extract.ts'
import { print, summarize, writeResult, type Summary } from './lib/report.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport } from './lib/cli.ts'

// Claim extraction over page text: milliseconds per MB of a marketing
// page's text and of hostile text (one sentence with no stop, made of the
// words the patterns look for), at two sizes, so a pattern that is not
// linear shows as a per-MB cost that grows with the size. Baseline: one
// plain regex scan for "N clicks" over the same text, the least any
// extractor pays. No browser, no services.

// Quick (--quick): 100 KB and 1 MB, 5 repetitions (the same sizes: the figure is the growth between them).

const PAGE = `Welcome to the shop. Order online in 3 clicks! Free delivery over $50, 24/7 support: call +1 (555) 123-4567.
Our products are the best in town and you can buy them in minutes. Find a store near you in under a minute.
Rated 4.5 stars by 10,000 customers since 2009. Sign up in 4 easy steps, not in 10 minutes. Open 9–5, Monday to Friday.
`
const HOSTILE = 'in under no more than a 3 - twenty one - 1.5 s clicks not 24/7 in 3 '

const of = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size)
const baseline = (text: string) => text.match(/\d+\s*clicks?/gi)?.length ?? 0

function msPerMb(fn: (text: string) => unknown, text: string): number {
  const started = performance.now()
  fn(text)
  return ((performance.now() - started) / text.length) * 1_000_000
}

export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const REPS = knob(options, 'BENCH_REPS', 5, 5, 1, 20)
  const MB = knob(options, 'CLAIMS_MB', 1, 1, 1, 20)
  const SIZES = [MB * 100_000, MB * 1_000_000]
  const cases = [
    ['page text', PAGE],
    ['hostile text', HOSTILE],
  ].flatMap(([name, unit]) => SIZES.map((size) => ({ name: name!, label: `${name}, ${size / 1000} KB`, text: of(unit!, size) })))
  const kept: Record<string, number[]> = {}
  const bare: Record<string, number[]> = {}
  const extract = (text: string) => extractClaims(text, { pageUrl: '' })
  // One pass of every case first (the patterns compiled, the code optimised), then the cases in turn each repetition.
  for (const c of cases) msPerMb(extract, c.text)
  for (let rep = 0; rep < REPS; rep++) {
    for (const c of cases) {
      ;(bare[c.label] ??= []).push(msPerMb(baseline, c.text))
      ;(kept[c.label] ??= []).push(msPerMb(extract, c.text))
    }
  }
  const results: Record<string, { kept: Summary; baseline: Summary; ratio: Summary }> = {}
  for (const c of cases) {
    results[c.label] = { kept: summarize(kept[c.label]!), baseline: summarize(bare[c.label]!), ratio: summarize(kept[c.label]!.map((k, i) => k / bare[c.label]![i]!)) }
    print(`${c.label}: Kept`, results[c.label]!.kept, 'ms/MB')
    print(`${c.label}: one regex scan`, results[c.label]!.baseline, 'ms/MB')
  }
  // Linear: the cost per MB does not grow with the size. Compared on the fastest repetition of each, the
  // one least disturbed by other work on the machine (medians are printed above).
  const growth = (name: string) => results[`${name}, ${SIZES[1]! / 1000} KB`]!.kept.min / results[`${name}, ${SIZES[0]! / 1000} KB`]!.kept.min
  console.log(`\nper-MB cost at ${SIZES[1]! / 1000} KB over ${SIZES[0]! / 1000} KB: page text ${growth('page text').toFixed(2)}, hostile text ${growth('hostile text').toFixed(2)} (fastest repetitions; 1 is linear)`)
  const params = { sizes: SIZES, reps: REPS }
  if (options.write !== false) await writeResult('claims', { params, results, growth: { pageText: growth('page text'), hostileText: growth('hostile text') } })
  const one = (v: number) => ({ median: v, min: v, max: v, n: 1 })
  return {
    benchmark: 'claims',
    quick: options.quick === true,
    params,
    figures: [
      figure(`claims: per-MB cost at ${SIZES[1]! / 1000} KB over ${SIZES[0]! / 1000} KB, page text (fastest repetitions)`, one(growth('page text')), '×', { op: '≤', value: 1.3, text: '≈ 1 (≤ 1.3)' }),
      figure(`claims: per-MB cost at ${SIZES[1]! / 1000} KB over ${SIZES[0]! / 1000} KB, hostile text (fastest repetitions)`, one(growth('hostile text')), '×', { op: '≤', value: 1.3, text: '≈ 1 (≤ 1.3)' }),
      figure(`claims: extraction, page text, ${SIZES[1]! / 1000} KB`, results[`page text, ${SIZES[1]! / 1000} KB`]!.kept, 'ms/MB'),
    ],
  }
}

if (isMain(import.meta)) await runCli(bench)
