import { formatDuration, formatTime } from './format.ts'
import type { BudgetKey } from './budget.ts'
import { walkFailuresOf, type Failure, type StepResult } from './run.ts'

// Alert messages, written for the person who gets paged: the promise in
// its own words, what broke and why, since when, and where to look.
// Pure: every sender (email, chat, webhook, PagerDuty) renders from this.

export type AlertKind = 'open' | 'resolve' | 'reminder' | 'grouped' | 'test'

/** The event name machine receivers see (webhook `event`, header X-Kept-Event). */
export type AlertEventName = 'break.opened' | 'break.resolved' | 'break.reminder' | 'break.grouped' | 'channel.test'

export const EVENT_OF_KIND: Record<AlertKind, AlertEventName> = {
  open: 'break.opened',
  resolve: 'break.resolved',
  reminder: 'break.reminder',
  grouped: 'break.grouped',
  test: 'channel.test',
}

/** Absolute URLs (built from KEPT_PUBLIC_URL): a message is read far from Kept. */
export interface AlertLinks {
  promiseUrl: string
  breakUrl?: string | null
  runUrl?: string | null
  screenshotUrl?: string | null
  traceUrl?: string | null
}

/** Everything a message says about one break. */
export interface BreakFacts {
  promise: { id: string; title: string; techOwner: string | null; marketingOwner: string | null }
  break: { id: string; openedAt: Date; resolvedAt: Date | null }
  /** The broken run that opened the break (its evidence), if still on record. */
  run: { id: string; startedAt: Date; steps: StepResult[]; failure: Failure | null; failures?: Failure[] | null } | null
  lastKeptRunAt: Date | null
  links: AlertLinks
  /**
   * Where it broke, when the promise is walked from regions worth naming
   * (src/domain/region.ts namesRegions): its region, and every region's
   * verdict in words ("broken in eu, kept in us"). Absent on an install of one region.
   */
  where?: { region: string; verdicts: string } | null
}

/** " in eu" when the break's region is worth saying, else "". */
const inRegion = (facts: BreakFacts) => (facts.where ? ` in ${facts.where.region}` : '')

function whereFields(facts: BreakFacts): AlertField[] {
  return facts.where ? [{ label: 'Where', value: facts.where.verdicts || facts.where.region }] : []
}

export type AlertInput =
  | { kind: 'open' | 'resolve'; facts: BreakFacts }
  | { kind: 'reminder'; facts: BreakFacts; reminder: number }
  | { kind: 'grouped'; items: BreakFacts[] }
  | { kind: 'test'; channelName: string; appUrl: string }

export interface AlertField {
  label: string
  value: string
}

export interface AlertLink {
  label: string
  url: string
}

export interface AlertMessage {
  kind: AlertKind
  event: AlertEventName
  subject: string
  /** One line: chat previews, PagerDuty summary. */
  summary: string
  /** The opening paragraph(s) of text, for chat cards that lay out fields themselves. */
  lead: string
  text: string
  /** An HTML fragment (no <html>/<body>); the email sender wraps it. */
  html: string
  fields: AlertField[]
  links: AlertLink[]
  /** The facts behind the message, for machine receivers. */
  breaks: BreakFacts[]
}

export interface MessageClock {
  now: Date
  /** IANA zone for times in the message; default UTC. */
  timezone?: string
}

export function buildAlertMessage(input: AlertInput, clock: MessageClock): AlertMessage {
  switch (input.kind) {
    case 'open':
      return openMessage(input.facts, clock)
    case 'reminder':
      return reminderMessage(input.facts, input.reminder, clock)
    case 'resolve':
      return resolveMessage(input.facts, clock)
    case 'grouped':
      return groupedMessage(input.items, clock)
    case 'test':
      return testMessage(input.channelName, input.appUrl, clock)
  }
}

// ---- kinds -----------------------------------------------------------------

function openMessage(facts: BreakFacts, clock: MessageClock): AlertMessage {
  const title = quote(facts.promise.title)
  const why = explainFailure(facts.run)
  const since = sinceText(facts.break.openedAt, clock)
  const fields = brokenFields(facts, clock)
  const links = evidenceLinks(facts.links)
  const lead = `${title} is broken${inRegion(facts)} since ${since}.`
  return compose({
    kind: 'open',
    subject: `Broken${inRegion(facts)}: ${title}`,
    summary: `${title} is broken${inRegion(facts)}: ${why}`,
    lead,
    fields,
    links,
    breaks: [facts],
  })
}

function reminderMessage(facts: BreakFacts, reminder: number, clock: MessageClock): AlertMessage {
  const title = quote(facts.promise.title)
  const brokenFor = formatDuration(clock.now.getTime() - facts.break.openedAt.getTime())
  const why = explainFailure(facts.run)
  const lead =
    `${title} is still broken${inRegion(facts)}, for ${brokenFor} now, and nobody has acknowledged it (reminder ${reminder}).` +
    (facts.links.breakUrl ? `\nAcknowledge the break to stop these reminders: ${facts.links.breakUrl}` : '')
  return compose({
    kind: 'reminder',
    subject: `Still broken${inRegion(facts)} after ${brokenFor}: ${title}`,
    summary: `${title} is still broken${inRegion(facts)} after ${brokenFor}: ${why}`,
    lead,
    fields: brokenFields(facts, clock),
    links: evidenceLinks(facts.links),
    breaks: [facts],
  })
}

function resolveMessage(facts: BreakFacts, clock: MessageClock): AlertMessage {
  const title = quote(facts.promise.title)
  const resolvedAt = facts.break.resolvedAt ?? clock.now
  const brokenFor = formatDuration(resolvedAt.getTime() - facts.break.openedAt.getTime())
  const lead =
    `${title} is kept again${inRegion(facts)} since ${formatTime(resolvedAt, clock.timezone)}. ` +
    `It was broken for ${brokenFor}, since ${formatTime(facts.break.openedAt, clock.timezone)}.`
  const fields: AlertField[] = [
    { label: 'Broken for', value: brokenFor },
    { label: 'What had failed', value: explainFailure(facts.run) },
    ...whereFields(facts),
    ...ownerFields(facts),
  ]
  const links = [{ label: 'Promise', url: facts.links.promiseUrl }]
  if (facts.links.breakUrl) links.push({ label: 'Break', url: facts.links.breakUrl })
  return compose({
    kind: 'resolve',
    subject: `Kept again${inRegion(facts)}: ${title} (broken for ${brokenFor})`,
    summary: `${title} is kept again${inRegion(facts)}, after ${brokenFor} broken`,
    lead,
    fields,
    links,
    breaks: [facts],
  })
}

function groupedMessage(items: BreakFacts[], clock: MessageClock): AlertMessage {
  const titles = items.map((item) => quote(item.promise.title))
  const named = titles.length <= 3 ? joinAnd(titles) : `${titles.slice(0, 2).join(', ')} and ${titles.length - 2} more`
  const lead =
    `${items.length} promises broke at nearly the same time, which often means one cause ` +
    `(the site itself, a shared service, or the network). One message instead of ${items.length}:`
  const fields = items.map((item) => ({
    label: item.promise.title,
    value: `broken${inRegion(item)} since ${sinceText(item.break.openedAt, clock)}: ${explainFailure(item.run)}`,
  }))
  const links = items.map((item) => ({
    label: item.promise.title,
    url: item.links.runUrl ?? item.links.promiseUrl,
  }))
  return compose({
    kind: 'grouped',
    subject: `${items.length} promises broken: ${named}`,
    summary: `${items.length} promises broke at once: ${named}`,
    lead,
    fields,
    links,
    breaks: items,
  })
}

function testMessage(channelName: string, appUrl: string, clock: MessageClock): AlertMessage {
  const lead =
    `This is a test from Kept, sent ${formatTime(clock.now, clock.timezone)}. ` +
    `If you can read it, alerts about broken promises reach the channel ${quote(channelName)}.`
  return compose({
    kind: 'test',
    subject: `Kept test alert for ${quote(channelName)}`,
    summary: `Test alert: Kept can reach ${quote(channelName)}`,
    lead,
    fields: [],
    links: [{ label: 'Kept', url: appUrl }],
    breaks: [],
  })
}

// ---- parts -----------------------------------------------------------------

function brokenFields(facts: BreakFacts, clock: MessageClock): AlertField[] {
  const [why, ...also] = explainFailures(facts.run)
  const fields: AlertField[] = [{ label: 'Why', value: why ?? explainFailure(facts.run) }]
  // A step that failed after a budget was blown: the budget is said too.
  if (also.length > 0) fields.push({ label: 'Also', value: also.join('; ') })
  const step = failingStep(facts.run)
  if (step) fields.push({ label: 'Failing step', value: `line ${step.line}: ${step.text}` })
  fields.push(...whereFields(facts))
  fields.push({ label: 'Broken since', value: sinceText(facts.break.openedAt, clock) })
  fields.push({
    label: 'Last kept run',
    value: facts.lastKeptRunAt ? formatTime(facts.lastKeptRunAt, clock.timezone) : 'none on record',
  })
  return [...fields, ...ownerFields(facts)]
}

function ownerFields(facts: BreakFacts): AlertField[] {
  const fields: AlertField[] = []
  if (facts.promise.techOwner) fields.push({ label: 'Tech owner', value: facts.promise.techOwner })
  if (facts.promise.marketingOwner) fields.push({ label: 'Marketing owner', value: facts.promise.marketingOwner })
  return fields
}

function evidenceLinks(links: AlertLinks): AlertLink[] {
  const out: AlertLink[] = []
  if (links.runUrl) out.push({ label: 'Run', url: links.runUrl })
  if (links.screenshotUrl) out.push({ label: 'Screenshot', url: links.screenshotUrl })
  if (links.traceUrl) out.push({ label: 'Trace', url: links.traceUrl })
  out.push({ label: 'Promise', url: links.promiseUrl })
  return out
}

/** The step the failure names, else the first failed step. */
export function failingStep(run: BreakFacts['run']): StepResult | null {
  if (!run) return null
  const line = run.failure?.line
  if (line != null) {
    const named = run.steps.find((step) => step.line === line)
    if (named) return named
  }
  return run.steps.find((step) => step.outcome === 'failed') ?? null
}

/** Why the promise is broken, in one sentence: its first failure. */
export function explainFailure(run: BreakFacts['run']): string {
  return explainFailures(run)[0] ?? 'the journey did not complete (no details recorded)'
}

/** Every failure of the run in a sentence each, in order: the failed step's, then each exceeded budget's. */
export function explainFailures(run: BreakFacts['run']): string[] {
  if (!run) return []
  return walkFailuresOf(run).map((failure) => {
    if (failure.kind === 'budget') return explainBudget(failure, run.steps)
    if (failure.kind === 'error') return `Kept could not check it: ${failure.message}`
    const step = (failure.line != null ? run.steps.find((s) => s.line === failure.line) : undefined) ?? run.steps.find((s) => s.outcome === 'failed')
    if (!step) return failure.message
    return `the step on line ${step.line} (${step.text}) failed: ${failure.message}`
  })
}

// limit and actual are in the budget's own unit: seconds for the *Seconds
// keys, milliseconds for maxLcpMs, counts otherwise.
function explainBudget(failure: Failure, steps: StepResult[]): string {
  const { budget: key, limit, actual } = failure
  if (!key || limit == null || actual == null) return `a budget was exceeded: ${failure.message}`
  const words = BUDGET_WORDS[key]
  const over = actual - limit
  const share = limit > 0 ? `, +${Math.round((over / limit) * 100)}%` : ''
  const step = failure.line != null ? `the step on line ${failure.line}` : 'the slowest step'
  // The journey's time is named by its slowest step: where the time went.
  const slowest = key === 'maxSeconds' && failure.line != null ? steps.find((s) => s.line === failure.line) : undefined
  return (
    `${words.measured(words.format(actual), step)}, where the promise allows at most ` +
    `${words.format(limit)}${words.per} (${words.short(over)} over${share})` +
    (slowest ? `; the slowest step was line ${slowest.line} (${slowest.text}), ${seconds(slowest.durationMs / 1000)}` : '')
  )
}

const seconds = (n: number) => `${round1(n)} s`

const BUDGET_WORDS: Record<
  BudgetKey,
  {
    format: (n: number) => string
    /** The excess: counts go bare ("2 over"), times keep their unit. */
    short: (n: number) => string
    measured: (value: string, step: string) => string
    per: string
  }
> = {
  maxClicks: { format: (n) => plural(n, 'click'), short: String, measured: (v) => `the journey took ${v}`, per: '' },
  maxSeconds: { format: seconds, short: seconds, measured: (v) => `the journey took ${v}`, per: '' },
  maxStepSeconds: { format: seconds, short: seconds, measured: (v, step) => `${step} took ${v}`, per: ' per step' },
  maxLcpMs: {
    format: (n) => seconds(n / 1000),
    short: (n) => seconds(n / 1000),
    measured: (v) => `the largest contentful paint came after ${v}`,
    per: '',
  },
  maxA11yViolations: {
    format: (n) => plural(n, 'accessibility violation'),
    short: String,
    measured: (v) => `the page had ${v}`,
    per: '',
  },
}

function sinceText(at: Date, clock: MessageClock): string {
  return `${formatTime(at, clock.timezone)} (${formatDuration(clock.now.getTime() - at.getTime())} ago)`
}

function compose(parts: {
  kind: AlertKind
  subject: string
  summary: string
  lead: string
  fields: AlertField[]
  links: AlertLink[]
  breaks: BreakFacts[]
}): AlertMessage {
  const text = [
    parts.lead,
    parts.fields.map((f) => `${f.label}: ${f.value}`).join('\n'),
    parts.links.map((l) => `${l.label}: ${l.url}`).join('\n'),
  ]
    .filter(Boolean)
    .join('\n\n')
  const html = [
    ...parts.lead.split('\n').map((line) => `<p>${escapeHtml(line)}</p>`),
    parts.fields.length
      ? `<table cellpadding="4">${parts.fields
          .map((f) => `<tr><th align="left" valign="top">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`)
          .join('')}</table>`
      : '',
    parts.links.length
      ? `<p>${parts.links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join(' · ')}</p>`
      : '',
  ]
    .filter(Boolean)
    .join('\n')
  return {
    kind: parts.kind,
    event: EVENT_OF_KIND[parts.kind],
    subject: parts.subject,
    summary: parts.summary,
    lead: parts.lead,
    text,
    html,
    fields: parts.fields,
    links: parts.links,
    breaks: parts.breaks,
  }
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

function quote(title: string): string {
  return `“${title}”`
}

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function round1(n: number): string {
  return String(Math.round(n * 10) / 10)
}
