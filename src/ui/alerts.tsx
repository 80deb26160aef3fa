import { Hono } from 'hono'
import { desc, eq, isNotNull } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { alertDeliveries, breaks, channels, outbox, promises } from '../db/schema.ts'
import { targetWords } from '../alerts/targets.ts'
import { NOT_SENT_REASON } from '../notify/outbox.ts'
import { formatTime } from './format.ts'
import { pageGuards, principalOf, type UiEnv, signedIn } from './guards.tsx'
import { Layout, Time } from './layout.tsx'
import { DataTable } from './table.tsx'

// The Alerts page: every alert Kept sent or tried lately, and the outbox of
// email it kept unsent because SMTP_URL is not set. Every role reads it: it
// is where a break's alert can be seen to have reached someone.

const PER_PAGE = 50

type OutboxRow = typeof outbox.$inferSelect

interface DeliveryItem {
  id: string
  breakId: string | null
  promiseTitle: string | null
  to: string
  kind: string
  status: string
  at: Date
  error: string | null
}

const kindWords: Record<string, string> = { open: 'opened', resolve: 'resolved', reminder: 'reminder', test: 'test', grouped: 'grouped' }
const statusWords: Record<string, string> = {
  sent: 'sent',
  logged: 'in the outbox',
  failed: 'failed',
  pending: 'pending',
  held: 'held (maintenance)',
  cancelled: 'cancelled',
}

function OutboxEntry(props: { row: OutboxRow }) {
  const r = props.row
  return (
    <article class="card" aria-labelledby={`outbox-${r.id}`}>
      <h3 id={`outbox-${r.id}`}>{r.subject}</h3>
      <p class="small">
        To <strong>{r.to.join(', ')}</strong> · <Time at={r.createdAt}>{formatTime(r.createdAt)}</Time> · {r.kind}
        {r.promiseTitle ? (
          <>
            {' '}
            · {r.promiseId ? <a href={`/promises/${r.promiseId}`}>{r.promiseTitle}</a> : <>{r.promiseTitle} (deleted since)</>}
          </>
        ) : null}
        {r.breakId ? (
          <>
            {' '}
            · <a href={`/breaks/${r.breakId}`}>the break</a>
          </>
        ) : null}
      </p>
      <p class="small muted">{r.reason}</p>
      <details>
        <summary>The message</summary>
        <pre class="mail">{r.text}</pre>
      </details>
    </article>
  )
}

export function AlertsPage(props: {
  principal: ReturnType<typeof principalOf>
  csrfToken: string | null
  mailConfigured: boolean
  outbox: OutboxRow[]
  deliveries: DeliveryItem[]
  page: number
  hasMore: boolean
}) {
  return (
    <Layout title="Alerts" principal={props.principal} csrfToken={props.csrfToken} nav="alerts">
      <h1>Alerts</h1>
      <p class="lead">Every alert Kept sent or tried lately, and where it went.</p>
      {props.mailConfigured ? null : (
        <p class="notice" role="status">
          SMTP_URL is not set, so Kept sends no email: alert and digest emails are kept in the outbox below ({NOT_SENT_REASON}
          ). Set SMTP_URL to send them; chat and webhook channels send as usual.
        </p>
      )}
      <h2 id="deliveries">Latest deliveries</h2>
      {props.deliveries.length === 0 ? (
        <p class="muted">No alert yet: they come when a promise breaks.</p>
      ) : (
        <DataTable caption="Alert deliveries, newest first" columns={['When', 'Promise', 'Alert', 'To', 'Status']}>
          {props.deliveries.map((d) => (
            <tr>
              <td>
                <Time at={d.at}>{formatTime(d.at)}</Time>
              </td>
              <td>{d.breakId ? <a href={`/breaks/${d.breakId}`}>{d.promiseTitle ?? 'a deleted promise'}</a> : '—'}</td>
              <td>{kindWords[d.kind] ?? d.kind}</td>
              <td>{d.to}</td>
              <td>
                <span class={`delivery d-${d.status}`}>{statusWords[d.status] ?? d.status}</span>
                {d.error && d.status !== 'logged' ? <div class="small muted">{d.error}</div> : null}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2 id="outbox">Outbox</h2>
      {props.outbox.length === 0 ? (
        <p class="muted">{props.mailConfigured ? 'Empty: email goes out through SMTP.' : 'Empty so far.'}</p>
      ) : (
        <div class="stack">{props.outbox.map((row) => <OutboxEntry row={row} />)}</div>
      )}
      {props.page > 1 || props.hasMore ? (
        <nav class="pager" aria-label="Outbox pages">
          {props.page > 1 ? <a href={`/alerts?page=${props.page - 1}#outbox`}>← Newer</a> : null}
          <span>Page {props.page}</span>
          {props.hasMore ? <a href={`/alerts?page=${props.page + 1}#outbox`}>Older →</a> : null}
        </nav>
      ) : null}
    </Layout>
  )
}

export function alertRoutes(deps: { db: Db; mailConfigured: boolean }) {
  const app = new Hono<UiEnv>()
  const guards = pageGuards(deps.db)
  const { db } = deps

  app.get('/alerts', guards.read, async (c) => {
    const page = Math.max(1, Math.min(10_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1))
    const [kept, sent] = await Promise.all([
      db
        .select()
        .from(outbox)
        .orderBy(desc(outbox.createdAt), desc(outbox.id))
        .limit(PER_PAGE + 1)
        .offset((page - 1) * PER_PAGE),
      db
        .select({
          row: alertDeliveries,
          channelName: channels.name,
          promiseTitle: promises.title,
        })
        .from(alertDeliveries)
        .leftJoin(channels, eq(channels.id, alertDeliveries.channelId))
        .leftJoin(breaks, eq(breaks.id, alertDeliveries.breakId))
        .leftJoin(promises, eq(promises.id, breaks.promiseId))
        .where(isNotNull(alertDeliveries.breakId))
        .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
        .limit(30),
    ])
    const deliveries: DeliveryItem[] = sent.map(({ row, channelName, promiseTitle }) => ({
      id: row.id,
      breakId: row.breakId,
      promiseTitle,
      to: targetWords(row, channelName),
      kind: row.kind,
      status: row.status,
      at: row.sentAt ?? row.createdAt,
      error: row.lastError,
    }))
    return c.html(
      <AlertsPage
        {...signedIn(c)}
        mailConfigured={deps.mailConfigured}
        outbox={kept.slice(0, PER_PAGE)}
        hasMore={kept.length > PER_PAGE}
        page={page}
        deliveries={deliveries}
      />,
    )
  })

  return app
}
