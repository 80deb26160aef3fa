import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { RESULTS_DIR, type Summary } from './lib/report.ts'

// Prints the latest results (bench/results/*.json) as the markdown table of
// bench/README.md: `node --import tsx bench/summary.ts`.

type Json = Record<string, any>
const f = (s: Summary | undefined, digits = 1, unit = '') =>
  s ? `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : 'n/a'

const results: Record<string, Json> = {}
// <date>-<host>.json are whole `npm run bench` runs (bench/all.ts prints their table).
for (const file of (await readdir(RESULTS_DIR)).filter((name) => name.endsWith('.json') && !/^\d{4}-\d{2}-\d{2}-/.test(name)).sort()) {
  results[path.basename(file, '.json')] = JSON.parse(await readFile(path.join(RESULTS_DIR, file), 'utf8'))
}

const rows: string[][] = []
const j = results.journeys
if (j) {
  rows.push(['journeys: runs/s, C=' + j.params.concurrency, `bare ${f(j.bare.runsPerSecond, 2)}`, `Kept ${f(j.kept.runsPerSecond, 2)}`, `**${f(j.ratio, 2)}**`, '≥ 0.9'])
  rows.push(['journeys: latency per run', `bare ${f(j.bare.latencyMs, 0, ' ms')}`, `Kept ${f(j.kept.latencyMs, 0, ' ms')} (walk ${f(j.kept.walkMs, 0, ' ms')})`, '', ''])
  for (const [name, v] of Object.entries<Json>(j.attribution ?? {})) rows.push([`journeys: ${name}`, `${f(v.runsPerSecond, 2)} runs/s`, '', '', ''])
}
const p = results['playwright-test']
if (p) rows.push([`vs @playwright/test: journeys/min (${p.params.journeysPerStart} per start)`, `playwright test ${f(p.playwrightTestJourneysPerMinute)}`, `Kept ${f(p.keptJourneysPerMinute)}`, `**${f(p.ratio, 2)}**`, ''])
const m = results.memory
if (m) for (const [level, v] of Object.entries<Json>(m.levels)) rows.push([`memory: MB per journey, ${level}`, `idle ${f(v.idleMb, 0, ' MB')}`, `peak ${f(v.peakMb, 0, ' MB')}`, `**${f(v.perJourneyMb, 0, ' MB')}**`, '< 120 MB'])
const s = results.schedule
if (s) rows.push([`schedule ${s.params.promises} promises`, `fresh ${f(s.freshSeconds, 2, ' s')}`, `unchanged ${f(s.unchangedSeconds, 2, ' s')}`, '', ''])
const r = results.record
if (r) rows.push([`record ${r.params.results} results`, `bare stream read + ack ${f(r.bareStreamEntriesPerSecond, 0, '/s')}`, `Kept ${f(r.keptResultsPerSecond, 0, '/s')}`, `**${f(r.keptResultsPerSecond, 0, '/s')}**`, '≥ 5,000/s'])
const a = results.api
if (a) {
  for (const [name, v] of Object.entries<Json>(a.endpoints)) {
    const cache = a.params.cacheMs ? `, read cache ${a.params.cacheMs} ms` : ''
    const bare = name.startsWith('bare')
    const versus = a.ratiosToBare?.[name]
    const ratio = versus ? `**${f(versus.throughput, 2)}** of bare's req/s; ${f(versus.cpuPerRequest, 2, '×')} its CPU a request` : ''
    const what = bare ? name : `${name} (${a.params.promises} promises, ${a.params.runs} runs, ${a.params.connections} conns${cache})`
    const cpu = v.serverCpuUsPerRequest ? `, server CPU ${f(v.serverCpuUsPerRequest, 0, ' µs')} a request` : ''
    rows.push([what, `${f(v.requestsPerSecond, 0, ' req/s')}`, `p50 ${f(v.p50Ms, 0, ' ms')}, p99 ${f(v.p99Ms, 0, ' ms')}${cpu}`, ratio, bare ? '' : 'p99 < 50 ms'])
  }
}
const c = results.claims
if (c) {
  for (const [name, v] of Object.entries<Json>(c.results)) rows.push([`claims: extraction, ${name}`, `one regex scan ${f(v.baseline, 1, ' ms/MB')}`, `Kept ${f(v.kept, 0, ' ms/MB')}`, '', ''])
  rows.push(['claims: per-MB cost, 1 MB over 100 KB (fastest repetitions)', '', '', `page text ${c.growth.pageText.toFixed(2)}, hostile text ${c.growth.hostileText.toFixed(2)}`, '≈ 1 (linear)'])
}
const d = results.dashboard
if (d) for (const [name, v] of Object.entries<Json>(d.pages)) rows.push([`dashboard ${name}, ${d.params.promises} promises`, f(v.ms, 0, ' ms'), '', '', ''])
for (const name of Object.keys(results).filter((n) => n.startsWith('detection'))) {
  const v = results[name]!
  if (v.skipped) rows.push([name, `skipped: ${v.skipped}`, '', '', ''])
  else rows.push([`detection, every ${v.params.intervalSeconds} s, group window ${v.params.alertGroupSeconds} s`, `break → alert ${f(v.detectionSeconds, 1, ' s')}`, `confirmation run ${f(v.confirmationRunMs, 0, ' ms')}`, '', `< ${v.target.seconds.toFixed(1)} s`])
}

console.log('| benchmark | baseline / figure | Kept / figure | ratio or result | target |')
console.log('|---|---|---|---|---|')
for (const row of rows) console.log(`| ${row.join(' | ')} |`)
const machines = new Set(Object.values(results).map((v) => `${v.machine.cores} cores (${v.machine.cpu}), ${v.machine.memoryMb} MB, Node ${v.machine.node}, ${v.machine.chromium}, ${v.machine.os}`))
console.log(`\nMachine: ${[...machines].join('; ')}.`)
console.log(`Dates and load averages: ${Object.entries(results).map(([n, v]) => `${n} ${v.machine.date.slice(0, 16)}Z load ${v.machine.loadAverage[0]}`).join('; ')}.`)
