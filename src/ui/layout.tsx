import type { Child } from 'hono/jsx'
import { can, type Action, type Principal } from '../auth/permissions.ts'
import type { PromiseState, Outcome, StepOutcome } from '../domain/run.ts'
import { SCRIPT_URL, STYLESHEET_URL } from './assets/index.ts'
import { HtmlDocument } from './html-document.tsx'

export type NavKey = 'promises' | 'breaks' | 'alerts' | 'channels' | 'secrets' | 'maintenance' | 'users' | 'digest' | 'none'

export interface PageProps {
  title: string
  principal: Principal | null
  csrfToken: string | null
  nav?: NavKey
  /** Load the page script (the promise form, the promise page's live status). */
  script?: boolean
  children: Child
}

/** The header's links in order; some only for the roles that may use them. */
const NAV: { key: NavKey | null; href: string; label: string; action?: Action }[] = [
  { key: 'promises', href: '/', label: 'Promises' },
  { key: 'breaks', href: '/breaks', label: 'Breaks' },
  { key: 'alerts', href: '/alerts', label: 'Alerts' },
  { key: 'channels', href: '/channels', label: 'Channels', action: 'channel.write' },
  { key: 'maintenance', href: '/maintenance', label: 'Maintenance' },
  { key: 'secrets', href: '/settings/secrets', label: 'Secrets', action: 'promise.write' },
  { key: 'users', href: '/users', label: 'Users', action: 'user.admin' },
  { key: 'digest', href: '/digests/preview', label: 'Weekly digest' },
  { key: null, href: '/api/docs', label: 'API' },
]

/** The frame of every page: skip link, header with navigation, main. */
export function Layout(props: PageProps) {
  const { principal, nav = 'none' } = props
  const head = (
    <>
      <link rel="stylesheet" href={STYLESHEET_URL} />
      {props.script ? <script src={SCRIPT_URL} defer></script> : null}
    </>
  )
  return (
    <HtmlDocument title={`${props.title} · Kept`} head={head}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="top-in">
          <a class="brand" href="/">
            <span class="brand-mark" aria-hidden="true"></span>Kept
          </a>
          {principal ? (
            <nav aria-label="Main">
              <ul class="nav">
                {NAV.filter((item) => !item.action || can(principal.role, item.action)).map((item) => (
                  <li>
                    <a href={item.href} {...(item.key !== null && nav === item.key ? { 'aria-current': 'page' as const } : {})}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {principal ? (
            <div class="who">
              <span>
                {principal.name} <span class="muted">({principal.role})</span>
              </span>
              {props.csrfToken ? (
                <form method="post" action="/logout">
                  <input type="hidden" name="_csrf" value={props.csrfToken} />
                  <button class="btn secondary small" type="submit">
                    Sign out
                  </button>
                </form>
              ) : null}
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" tabindex={-1}>
        {props.children}
      </main>
    </HtmlDocument>
  )
}

const stateLabels: Record<PromiseState | Outcome | StepOutcome, string> = {
  kept: 'Kept',
  at_risk: 'At risk',
  broken: 'Broken',
  paused: 'Paused',
  pending: 'Pending',
  overdue: 'Overdue',
  error: 'Error (ours)',
  passed: 'Passed',
  failed: 'Failed',
  skipped: 'Skipped',
}

/** A state with its words, never colour alone. */
export function Badge(props: { state: PromiseState | Outcome | StepOutcome }) {
  return <span class={`badge b-${props.state}`}>{stateLabels[props.state] ?? props.state}</span>
}

/** A small POST button in a row, its words for everyone and `about` (the row's name) for screen readers too. */
export function RowAction(props: { action: string; csrfToken: string | null; label: string; about?: string }) {
  return (
    <form method="post" action={props.action}>
      <Csrf token={props.csrfToken} />
      <button class="btn secondary small" type="submit">
        {props.label}
        {props.about ? <span class="visually-hidden"> {props.about}</span> : null}
      </button>
    </form>
  )
}

/** The hidden CSRF field every form carries. */
export function Csrf(props: { token: string | null }) {
  return <input type="hidden" name="_csrf" value={props.token ?? ''} />
}

export function Time(props: { at: Date; children?: Child }) {
  return <time datetime={props.at.toISOString()}>{props.children}</time>
}

/** Fixed messages after a redirect (?notice=…): never user text from the URL. */
const notices: Record<string, string> = {
  saved: 'Saved.',
  'saved-unscheduled': 'Saved, but the schedule could not be updated right now. Save again later.',
  paused: 'Paused: the promise is not walked until you resume it.',
  resumed: 'Resumed: it is being walked now, then on its schedule again.',
  'run-queued': 'Walking it now; the result shows below in a few seconds.',
  deleted: 'The promise and its history were deleted.',
  acknowledged: 'Acknowledged.',
  'note-added': 'Note added.',
  'channel-added': 'Channel added.',
  'test-sent': 'Test message sent.',
  'secret-saved': 'Secret saved. The journeys that use it have it from their next walk.',
  'secret-deleted': 'Secret deleted.',
  'maintenance-planned': 'Maintenance window planned.',
  'maintenance-saved': 'Maintenance window saved.',
  'maintenance-ended': 'Maintenance window ended: alerts held by it go out now.',
  'channel-saved': 'Channel saved.',
  'channel-deleted': 'Channel deleted. Promises that named it now use the default channels, else their tech owner.',
  'test-logged': 'Test message kept in the outbox (Alerts page): not sent, SMTP_URL is not set.',
  'user-added': 'User added. Give them their password privately; they sign in at /login.',
  'user-disabled': 'User disabled: their sessions and tokens stop working.',
  'user-enabled': 'User enabled.',
  'token-revoked': 'Token revoked.',
}

export function Notice(props: { notice: string | undefined; error?: string | null }) {
  if (props.error) {
    return (
      <p class="notice bad" role="alert">
        {props.error}
      </p>
    )
  }
  const text = props.notice ? notices[props.notice] : undefined
  return text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null
}
