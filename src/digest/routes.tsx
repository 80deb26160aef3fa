import { HtmlDocument } from '../ui/html-document.tsx'
import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import { secureHeaders } from 'hono/secure-headers'
import { authenticate, type AuthEnv } from '../auth/middleware.ts'
import { signInPath } from '../auth/sessions.ts'
import type { Db } from '../db/client.ts'
import { users } from '../db/schema.ts'
import { Layout } from '../ui/layout.tsx'
import { WeekError, previousWeek, weekRange } from '../domain/week.ts'
import { lastWeek } from './build.ts'
import { previewDigest } from './preview.ts'
import { digestBodyHtml, weekDates } from './render.ts'
import { verifyUnsubscribe } from './unsubscribe.ts'

// /digests: the unsubscribe link of the emails (no sign-in: the link is
// signed) and the preview of any past week's digest as a page (signed-in
// users only). The unsubscribe pages are plain; the preview sits in the
// app's own frame and navigation. The digest brings its own inline styles
// (it is an email), so the CSP allows inline styles besides our own files.

export interface DigestRoutesDeps {
  db: Db
  secretKey: Buffer
  timezone: string
  baseUrl: string
  /** For tests: the clock of the preview. */
  now?: () => Date
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Weeks offered by the preview's picker. */
const PICKER_WEEKS = 12

const headers = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  // The unsubscribe URL carries a signature: never send it on.
  referrerPolicy: 'no-referrer',
})

const previewHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  referrerPolicy: 'same-origin',
})

const pageStyle = 'margin:0;padding:0;background:#f3f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933'
const boxStyle = 'max-width:600px;margin:0 auto;padding:16px 8px'

export function digestRoutes(deps: DigestRoutesDeps) {
  const app = new Hono<AuthEnv>()

  app.get('/unsubscribe', headers, async (c) => {
    c.header('Cache-Control', 'no-store')
    const userId = c.req.query('u') ?? ''
    const signature = c.req.query('sig') ?? ''
    if (!UUID.test(userId) || !verifyUnsubscribe(deps.secretKey, userId, signature)) {
      c.status(400)
      return c.html(
        <Page title="Link not valid">
          <h1 style="font-size:20px">This unsubscribe link is not valid</h1>
          <p>It may have been cut short by your mail program. Open the link from the digest email again, or ask your Kept administrator.</p>
        </Page>,
      )
    }
    const [user] = await deps.db
      .update(users)
      .set({ digestOptOut: true })
      .where(eq(users.id, userId))
      .returning({ email: users.email })
    if (!user) {
      c.status(404)
      return c.html(
        <Page title="Not found">
          <h1 style="font-size:20px">No such user</h1>
          <p>This Kept user no longer exists, so nothing more will be sent to them.</p>
        </Page>,
      )
    }
    return c.html(
      <Page title="Unsubscribed">
        <h1 style="font-size:20px">You are unsubscribed</h1>
        <p>
          <strong>{user.email}</strong> will no longer receive Kept’s weekly NPS-risk digest, from next week’s on.
        </p>
        <p style="color:#52606d">To receive it again, ask your Kept administrator.</p>
      </Page>,
    )
  })

  app.get('/preview', previewHeaders, authenticate({ db: deps.db }), async (c) => {
    const principal = c.get('principal')
    if (!principal) {
      return c.redirect(signInPath(c.req.url), 303)
    }
    c.header('Cache-Control', 'no-store')
    const now = deps.now?.() ?? new Date()
    const picked = c.req.query('week')?.trim() || lastWeek(now, deps.timezone)
    const choices = pickerWeeks(now, deps.timezone)
    const frame = (title: string, body: Child) => (
      <Layout title={title} principal={principal} csrfToken={c.get('csrfToken')} nav="digest">
        <div class="digest-preview">{body}</div>
      </Layout>
    )
    try {
      const preview = await previewDigest(deps.db, { week: picked, timezone: deps.timezone, baseUrl: deps.baseUrl, now })
      return c.html(
        frame(
          `Digest ${preview.week}`,
          <>
            <h1>Weekly digest</h1>
            <WeekPicker weeks={choices} selected={preview.week} timezone={deps.timezone} />
            <p class="muted small">
              Subject: <strong>{preview.subject}</strong>. This is the email both owners receive.
            </p>
            {raw(digestBodyHtml(preview.figures, { baseUrl: deps.baseUrl, unsubscribe: 'preview' }))}
          </>,
        ),
      )
    } catch (error) {
      if (!(error instanceof WeekError)) throw error
      c.status(400)
      return c.html(
        frame(
          'Digest preview',
          <>
            <h1>Weekly digest</h1>
            <WeekPicker weeks={choices} selected={null} timezone={deps.timezone} />
            <p class="notice bad" role="alert">
              {error.message}
            </p>
          </>,
        ),
      )
    }
  })

  return app
}

/** The last PICKER_WEEKS weeks, newest first. */
function pickerWeeks(now: Date, timezone: string): string[] {
  const weeks = [lastWeek(now, timezone)]
  while (weeks.length < PICKER_WEEKS) weeks.push(previousWeek(weeks[weeks.length - 1]!))
  return weeks
}

function WeekPicker(props: { weeks: string[]; selected: string | null; timezone: string }) {
  const inList = props.selected === null || props.weeks.includes(props.selected)
  return (
    <form method="get" class="week-picker">
      <label for="week">Week</label>
      <select id="week" name="week">
        {inList ? null : (
          <option value={props.selected!} selected>
            {props.selected}
          </option>
        )}
        {props.weeks.map((week) => (
          <option value={week} selected={week === props.selected}>
            {`${week} · ${rangeOf(week, props.timezone)}`}
          </option>
        ))}
      </select>{' '}
      <button class="btn secondary small" type="submit">
        Show
      </button>
    </form>
  )
}

function rangeOf(week: string, timezone: string): string {
  const { start, end } = weekRange(week, timezone)
  return weekDates(start, end, timezone)
}

function Page(props: { title: string; children: Child }) {
  return (
    <HtmlDocument title={`${props.title} · Kept`} head={<meta name="robots" content="noindex" />} bodyStyle={pageStyle}>
      <main style={boxStyle}>{props.children}</main>
    </HtmlDocument>
  )
}
