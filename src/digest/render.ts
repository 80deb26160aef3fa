import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import {
  ARROWS,
  FORMULA_LINES,
  formatKeptRate,
  formatMinutes,
  type DigestFigures,
  type Direction,
  type PromiseFigures,
} from '../domain/digest.ts'

// The digest as an email: a subject, an HTML part that holds up in common
// mail clients (tables for layout, inline styles, CSS bars, no images, no
// script, 600 px wide) and a plain-text part with the same content.
// hono/html's `html` escapes every interpolated value, so promise titles
// and owners can hold any text.

export type Unsubscribe =
  /** A user: their signed link. */
  | { url: string }
  /** An address from KEPT_DIGEST_TO: only the admin can remove it. */
  | 'extra'
  /** The preview page. */
  | 'preview'

export interface RenderOptions {
  /** KEPT_PUBLIC_URL, no trailing slash. */
  baseUrl: string
  unsubscribe: Unsubscribe
}

export interface RenderedDigest {
  subject: string
  html: string
  text: string
}

const color = {
  ink: '#1f2933',
  muted: '#52606d',
  line: '#e4e7eb',
  page: '#f3f5f7',
  kept: '#1e8e4e',
  keptSoft: '#d3f4e0',
  broken: '#c0392b',
  brokenSoft: '#fde2e1',
  risk: '#9a6700',
  riskSoft: '#fff1c2',
}
const arrowColor: Record<Direction, string> = { up: color.broken, down: color.kept, flat: color.muted }
const FONT = 'Arial,Helvetica,sans-serif'

export function renderDigest(figures: DigestFigures, options: RenderOptions): RenderedDigest {
  const subject = digestSubject(figures)
  return {
    subject,
    html: sync(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${subject}</title>
</head>
<body style="margin:0;padding:0;background:${color.page}">
${bodyMarkup(figures, options)}
</body>
</html>`).toString(),
    text: digestText(figures, options),
  }
}

export function digestSubject(figures: DigestFigures): string {
  return `Kept ${figures.week}: ${figures.headline}`
}

/** The digest's own markup, without <html>/<body>: the email's body, and the preview page's content. */
export function digestBodyHtml(figures: DigestFigures, options: RenderOptions): string {
  return bodyMarkup(figures, options).toString()
}

function bodyMarkup(figures: DigestFigures, options: RenderOptions): HtmlEscapedString {
  const { totals } = figures
  const warned = figures.promises.filter((p) => p.warnings.length > 0)
  return sync(html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:${color.page}">
<tr><td align="center" style="padding:16px 8px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid ${color.line};border-collapse:collapse;font-family:${FONT};color:${color.ink}">
<tr><td style="padding:20px 20px 4px;font-size:13px;color:${color.muted}">Kept · weekly NPS-risk digest · ${figures.week} · ${weekLabel(figures)}</td></tr>
<tr><td style="padding:4px 20px 12px"><h1 style="margin:0;font-size:20px;line-height:1.3;font-weight:bold;color:${color.ink}">${figures.headline}</h1></td></tr>
${figures.complete ? '' : html`<tr><td style="padding:0 20px 12px;font-size:13px;color:${color.risk}">This week is not over yet: the figures count until ${timeLabel(figures.generatedAt, figures.timezone)}.</td></tr>`}
<tr><td style="padding:0 20px 16px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;border-collapse:collapse">
<tr>
${summaryCell('NPS points at risk', totals.npsPointsAtRisk.toFixed(2), `${ARROWS[totals.change]} last week ${totals.previous.npsPointsAtRisk.toFixed(2)}`, totals.change)}
${summaryCell('Broken time', formatMinutes(totals.brokenMinutes), `${ARROWS[totals.change]} last week ${formatMinutes(totals.previous.brokenMinutes)}`, totals.change)}
${summaryCell('Customers affected', `about ${Math.round(totals.affectedCustomers)}`, `last week about ${Math.round(totals.previous.affectedCustomers)}`, null)}
</tr>
</table>
</td></tr>
${figures.promises.length > 0 ? html`<tr><td style="padding:8px 20px 4px;font-size:12px;font-weight:bold;letter-spacing:.04em;text-transform:uppercase;color:${color.muted}">Promises, worst first</td></tr>` : ''}
${figures.promises.map((promise) => promiseRow(promise, options.baseUrl))}
${
  warned.length > 0
    ? html`<tr><td style="padding:20px 20px 4px;font-size:12px;font-weight:bold;letter-spacing:.04em;text-transform:uppercase;color:${color.risk}">At risk: kept, but close to a budget</td></tr>
${warned.map(
  (promise) => html`<tr><td style="padding:6px 20px;font-size:13px;line-height:1.4;overflow-wrap:anywhere;word-break:break-word">
<a href="${promiseUrl(options.baseUrl, promise)}" style="color:${color.ink};font-weight:bold">${promise.title}</a>: ${promise.warnings.join('; ')}
</td></tr>`,
)}`
    : ''
}
${
  figures.claimDrift?.length
    ? html`<tr><td style="padding:20px 20px 4px;font-size:12px;font-weight:bold;letter-spacing:.04em;text-transform:uppercase;color:${color.risk}">What the site says, and what customers live</td></tr>
${figures.claimDrift.map(
  (drift) => html`<tr><td style="padding:6px 20px;font-size:13px;line-height:1.4;overflow-wrap:anywhere;word-break:break-word">
<a href="${promiseUrl(options.baseUrl, drift)}" style="color:${color.ink};font-weight:bold">${drift.title}</a>: ${drift.sentence} <span style="color:${color.muted}">On <a href="${drift.pageUrl}" style="color:${color.muted}">${drift.pageUrl}</a>, since ${timeLabel(drift.since, figures.timezone)}.</span>
</td></tr>`,
)}`
    : ''
}
<tr><td style="padding:20px 20px 8px;border-top:1px solid ${color.line};font-size:12px;line-height:1.5;color:${color.muted}">
<strong style="color:${color.ink}">How these figures are computed.</strong>
${FORMULA_LINES.map((line) => html`<br>${line}`)}
<br>Times are in ${figures.timezone}; the week runs Monday 00:00 to Monday 00:00.
</td></tr>
<tr><td style="padding:8px 20px 20px;font-size:12px;line-height:1.5;color:${color.muted}">${unsubscribeHtml(options.unsubscribe)}</td></tr>
</table>
</td></tr>
</table>`)
}

function summaryCell(label: string, value: string, sub: string, change: Direction | null) {
  return html`<td valign="top" style="padding:10px;border:1px solid ${color.line};background:#fafbfc;overflow-wrap:anywhere">
<div style="font-size:12px;color:${color.muted}">${label}</div>
<div style="font-size:20px;font-weight:bold;color:${color.ink}">${value}</div>
<div style="font-size:12px;color:${change ? arrowColor[change] : color.muted}">${sub}</div>
</td>`
}

function promiseRow(promise: PromiseFigures, baseUrl: string) {
  const status = statusOf(promise)
  return html`<tr><td style="padding:12px 20px;border-top:1px solid ${color.line}">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;border-collapse:collapse">
<tr>
<td valign="top" style="overflow-wrap:anywhere;word-break:break-word">
<a href="${promiseUrl(baseUrl, promise)}" style="color:${color.ink};font-size:15px;font-weight:bold;text-decoration:none">${promise.title}</a>
<span style="display:inline-block;margin-left:6px;padding:1px 6px;border-radius:3px;font-size:11px;font-weight:bold;background:${status.background};color:${status.color}">${status.label}</span>
<div style="margin-top:4px;font-size:13px;line-height:1.4;color:${color.muted}">${statsLine(promise)}</div>
${promise.brokenIn?.length ? html`<div style="margin-top:4px;font-size:13px;line-height:1.4;color:${color.ink}">Broken in: ${promise.brokenIn.join(', ')}</div>` : ''}
${promise.why ? html`<div style="margin-top:4px;font-size:13px;line-height:1.4;color:${color.ink}">Why: ${promise.why}</div>` : ''}
</td>
<td width="120" valign="top" align="right" style="width:120px;text-align:right">
<div style="font-size:20px;font-weight:bold;color:${promise.npsPointsAtRisk > 0 ? color.broken : color.kept}">${promise.npsPointsAtRisk.toFixed(2)}</div>
<div style="font-size:11px;color:${color.muted}">NPS points at risk</div>
</td>
</tr>
<tr><td colspan="2" style="padding-top:6px">${keptRateBar(promise.keptRate)}</td></tr>
<tr><td colspan="2" style="padding-top:6px;font-size:12px;line-height:1.4;color:${color.muted};overflow-wrap:anywhere;word-break:break-word">
<span style="color:${arrowColor[promise.change]};font-weight:bold">${ARROWS[promise.change]}</span> ${changeWords(promise)} · ${ownersLine(promise)}
</td></tr>
</table>
</td></tr>`
}

/** Green for kept and at-risk runs, red for broken ones; nothing without runs. */
function keptRateBar(rate: number | null) {
  if (rate === null) return ''
  const kept = Math.round(rate * 1000) / 10
  const cell = (width: number, background: string) =>
    width > 0 ? html`<td width="${width}%" style="width:${width}%;height:8px;line-height:8px;font-size:0;background:${background}">&nbsp;</td>` : ''
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse"><tr>${cell(kept, color.kept)}${cell(Math.round((100 - kept) * 10) / 10, color.broken)}</tr></table>`
}

function statusOf(promise: PromiseFigures): { label: string; color: string; background: string } {
  if (promise.walked === false) return { label: promise.paused ? 'not walked · paused' : 'not walked', color: color.muted, background: '#eef1f4' }
  if (!promise.keptAllWeek) {
    return { label: promise.paused ? 'broke · paused' : 'broke', color: color.broken, background: color.brokenSoft }
  }
  if (promise.warnings.length > 0) return { label: 'at risk', color: color.risk, background: color.riskSoft }
  return { label: 'kept', color: color.kept, background: color.keptSoft }
}

function statsLine(promise: PromiseFigures): string {
  const rate = promise.keptRate === null ? 'no runs' : `kept rate ${formatKeptRate(promise.keptRate)}`
  if (promise.walked === false) return 'not walked this week: no run checked it, so Kept cannot say it was kept'
  if (promise.keptAllWeek) return `${rate} · no breaks`
  const customers = Math.round(promise.affectedCustomers)
  const detractors = Math.round(promise.likelyDetractors)
  return [
    rate,
    `${promise.breaks} ${promise.breaks === 1 ? 'break' : 'breaks'}`,
    `broken ${formatMinutes(promise.brokenMinutes)}`,
    `about ${customers} ${customers === 1 ? 'customer' : 'customers'} affected`,
    `about ${detractors} likely ${detractors === 1 ? 'detractor' : 'detractors'}`,
  ].join(' · ')
}

function changeWords(promise: PromiseFigures): string {
  const before = `${formatMinutes(promise.previous.brokenMinutes)}, ${promise.previous.npsPointsAtRisk.toFixed(2)} pts`
  return promise.change === 'flat' ? `same as last week (${before})` : `last week ${before}`
}

function ownersLine(promise: PromiseFigures): string {
  const owners = [
    promise.marketingOwner ? `marketing ${promise.marketingOwner}` : null,
    promise.techOwner ? `tech ${promise.techOwner}` : null,
  ].filter((owner) => owner !== null)
  return owners.length > 0 ? `owners: ${owners.join(', ')}` : 'no owners set'
}

function unsubscribeHtml(unsubscribe: Unsubscribe) {
  if (unsubscribe === 'preview') return 'Each recipient’s copy ends with their own unsubscribe link.'
  if (unsubscribe === 'extra') return 'You receive this digest because your address is in KEPT_DIGEST_TO: ask your Kept administrator to remove it.'
  return html`You receive this digest as a Kept user. <a href="${unsubscribe.url}" style="color:${color.muted}">Unsubscribe from the weekly digest</a>.`
}

// --- plain text ------------------------------------------------------------

export function digestText(figures: DigestFigures, options: RenderOptions): string {
  const { totals } = figures
  const lines: string[] = [
    `Kept weekly NPS-risk digest: ${figures.week} (${weekLabel(figures)})`,
    '',
    figures.headline,
    `NPS points at risk: ${totals.npsPointsAtRisk.toFixed(2)} ${ARROWS[totals.change]} (last week ${totals.previous.npsPointsAtRisk.toFixed(2)})`,
    `Broken time: ${formatMinutes(totals.brokenMinutes)} (last week ${formatMinutes(totals.previous.brokenMinutes)}); about ${Math.round(totals.affectedCustomers)} customers affected`,
  ]
  if (!figures.complete) lines.push(`This week is not over yet: the figures count until ${timeLabel(figures.generatedAt, figures.timezone)}.`)
  if (figures.promises.length > 0) lines.push('', 'PROMISES, WORST FIRST')
  figures.promises.forEach((promise, index) => {
    lines.push(
      '',
      `${index + 1}. ${promise.title} [${statusOf(promise).label}]`,
      `   NPS points at risk ${promise.npsPointsAtRisk.toFixed(2)} ${ARROWS[promise.change]} ${changeWords(promise)}`,
      `   ${capitalise(statsLine(promise))}`,
      ...(promise.brokenIn?.length ? [`   Broken in: ${promise.brokenIn.join(', ')}`] : []),
      ...(promise.why ? [`   Why: ${promise.why}`] : []),
      `   ${capitalise(ownersLine(promise))}`,
      `   ${promiseUrl(options.baseUrl, promise)}`,
    )
  })
  const warned = figures.promises.filter((p) => p.warnings.length > 0)
  if (warned.length > 0) {
    lines.push('', 'AT RISK: KEPT, BUT CLOSE TO A BUDGET')
    for (const promise of warned) {
      lines.push(`- ${promise.title}: ${promise.warnings.join('; ')}`, `  ${promiseUrl(options.baseUrl, promise)}`)
    }
  }
  if (figures.claimDrift?.length) {
    lines.push('', 'WHAT THE SITE SAYS, AND WHAT CUSTOMERS LIVE')
    for (const drift of figures.claimDrift) {
      lines.push(`- ${drift.title}: ${drift.sentence}`, `  On ${drift.pageUrl}, since ${timeLabel(drift.since, figures.timezone)}. ${promiseUrl(options.baseUrl, drift)}`)
    }
  }
  lines.push('', 'HOW THESE FIGURES ARE COMPUTED', ...FORMULA_LINES)
  lines.push(`Times are in ${figures.timezone}; the week runs Monday 00:00 to Monday 00:00.`, '')
  const unsubscribe = options.unsubscribe
  if (unsubscribe === 'extra') lines.push('You receive this digest because your address is in KEPT_DIGEST_TO: ask your Kept administrator to remove it.')
  else if (unsubscribe !== 'preview') lines.push(`Unsubscribe from the weekly digest: ${unsubscribe.url}`)
  return lines.join('\n') + '\n'
}

// --- helpers -----------------------------------------------------------------

export function promiseUrl(baseUrl: string, promise: Pick<PromiseFigures, 'promiseId'>): string {
  return `${baseUrl}/promises/${encodeURIComponent(promise.promiseId)}`
}

/** "Mon 16 Nov – Sun 22 Nov 2026, Europe/Paris" */
export function weekLabel(figures: Pick<DigestFigures, 'start' | 'end' | 'timezone'>): string {
  return `${weekDates(new Date(figures.start), new Date(figures.end), figures.timezone)}, ${figures.timezone}`
}

/** "Mon 16 Nov – Sun 22 Nov 2026": the first and last day of [start, end) in the zone. */
export function weekDates(start: Date, end: Date, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' })
  const year = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric' })
  const last = new Date(end.getTime() - 1)
  return `${day.format(start)} – ${day.format(last)} ${year.format(last)}`
}

function timeLabel(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso))
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** Every template here is synchronous; hono/html's type also allows a promise. */
function sync(value: HtmlEscapedString | Promise<HtmlEscapedString>): HtmlEscapedString {
  if (value instanceof Promise) throw new Error('digest templates must not be asynchronous')
  return value
}
