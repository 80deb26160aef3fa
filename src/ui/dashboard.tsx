import { can, type Principal } from '../auth/permissions.ts'
import { driftFigure, driftSentence } from '../domain/claims/drift.ts'
import type { PromiseState } from '../domain/run.ts'
import { PAGE_SIZE, type Dashboard, type DashboardFilters } from './dashboard-data.ts'
import { formatRate, formatTime, keptRate, plural } from './format.ts'
import { HistoryChart } from './history-chart.tsx'
import { Badge, Layout, Notice, Time } from './layout.tsx'

export const STATES: readonly PromiseState[] = ['broken', 'overdue', 'at_risk', 'kept', 'pending', 'paused']
const stateWords: Record<PromiseState, string> = {
  broken: 'Broken',
  at_risk: 'At risk',
  kept: 'Kept',
  pending: 'Pending',
  paused: 'Paused',
  overdue: 'Overdue',
}

function pageLink(filters: DashboardFilters, page: number): string {
  const q = new URLSearchParams()
  if (filters.owner) q.set('owner', filters.owner)
  if (filters.state) q.set('state', filters.state)
  if (page > 1) q.set('page', String(page))
  const s = q.toString()
  return s ? `/?${s}` : '/'
}

function EmptyState(props: { canWrite: boolean }) {
  return (
    <div class="card empty">
      <h2>No promises yet</h2>
      <p class="lead">
        A promise is something your company tells customers, like “Order online in 3 clicks”. Kept walks it in a
        real browser on a schedule and tells you when it stops being true.
      </p>
      {props.canWrite ? (
        <p>
          <a class="btn" href="/promises/new">
            Register your first promise
          </a>
        </p>
      ) : (
        <p class="muted">Ask someone with the marketing or admin role to register the first one.</p>
      )}
    </div>
  )
}

export function DashboardPage(props: {
  principal: Principal
  csrfToken: string | null
  data: Dashboard
  filters: DashboardFilters
  notice?: string
}) {
  const { data, filters, principal } = props
  const canWrite = can(principal.role, 'promise.write')
  const filtered = Boolean(filters.owner || filters.state)
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE))
  return (
    <Layout title="Promises" principal={principal} csrfToken={props.csrfToken} nav="promises">
      <div class="head">
        <div>
          <h1>Promises</h1>
          <p class="lead">Every promise made to customers, walked in a real browser, and whether it is kept.</p>
        </div>
        {canWrite ? (
          <a class="btn" href="/promises/new">
            New promise
          </a>
        ) : null}
      </div>
      <Notice notice={props.notice} />
      {data.allPromises === 0 ? (
        <EmptyState canWrite={canWrite} />
      ) : (
        <>
          <h2 class="visually-hidden">Summary</h2>
          <ul class="tiles">
            {STATES.map((s) => (
              <li>
                <strong>{data.counts[s]}</strong>
                <Badge state={s} />
              </li>
            ))}
          </ul>
          <form class="filters" method="get" action="/" role="search" aria-label="Filter promises">
            <div>
              <label for="filter-owner">Owner</label>
              <select id="filter-owner" name="owner">
                <option value="">Everyone</option>
                {data.owners.map((o) => (
                  <option value={o} selected={filters.owner === o}>
                    {o}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="filter-state">State</label>
              <select id="filter-state" name="state">
                <option value="">Any state</option>
                {STATES.map((s) => (
                  <option value={s} selected={filters.state === s}>
                    {stateWords[s]}
                  </option>
                ))}
              </select>
            </div>
            <button class="btn secondary" type="submit">
              Filter
            </button>
            {filtered ? <a href="/">Clear filters</a> : null}
          </form>
          {data.rows.length === 0 ? (
            <div class="card empty">
              <h2>No promise matches</h2>
              <p>
                {filtered ? (
                  <>
                    Nothing matches these filters. <a href="/">Show every promise</a>.
                  </>
                ) : (
                  'This page is empty.'
                )}
              </p>
            </div>
          ) : (
            <div class="table-wrap">
              <table class="cards">
                <caption class="visually-hidden">
                  {`Promises, worst first (${plural(data.total, 'promise')})`}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Promise</th>
                    <th scope="col">State</th>
                    <th scope="col" class="num">
                      Kept 7 d
                    </th>
                    <th scope="col" class="num">
                      Kept 30 d
                    </th>
                    <th scope="col">Last 30 days</th>
                    <th scope="col">Last run</th>
                    <th scope="col">Broken since</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rows.map((r) => (
                    <tr>
                      <td class="title-cell card-head">
                        <a href={`/promises/${r.id}`}>{r.title}</a>
                        <div class="muted small">
                          {[r.marketingOwner, r.techOwner].filter(Boolean).join(' · ') || 'No owner yet'}
                        </div>
                      </td>
                      <td>
                        <Badge state={r.state} />
                        {r.regionWords ? <div class="small" data-regions>{r.regionWords}</div> : null}
                        {r.claimDrift ? (
                          <div class="small drift" title={driftSentence(r.claimDrift)}>
                            site says {driftFigure(r.claimDrift.claimed)}
                          </div>
                        ) : null}
                        {r.maintenance ? (
                          <div class="small muted">
                            in maintenance until <Time at={r.maintenance.until}>{formatTime(r.maintenance.until)}</Time>
                          </div>
                        ) : null}
                      </td>
                      <td class="num" data-label="Kept 7 d">
                        {formatRate(keptRate(r.rate7.kept, r.rate7.counted))}
                      </td>
                      <td class="num" data-label="30 d">
                        {formatRate(keptRate(r.rate30.kept, r.rate30.counted))}
                      </td>
                      <td>
                        <HistoryChart days={r.days} />
                      </td>
                      <td class="small" data-label="Last run">{r.lastRunAt ? <Time at={r.lastRunAt}>{formatTime(r.lastRunAt)}</Time> : 'Not yet'}</td>
                      <td class={r.openBreakSince ? 'small' : 'small none'} data-label="Broken since">
                        {r.openBreakSince ? <Time at={r.openBreakSince}>{formatTime(r.openBreakSince)}</Time> : '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {pages > 1 ? (
            <nav class="pager" aria-label="Pages">
              {filters.page > 1 ? <a href={pageLink(filters, filters.page - 1)}>← Previous</a> : null}
              <span>
                Page {filters.page} of {pages}
              </span>
              {filters.page < pages ? <a href={pageLink(filters, filters.page + 1)}>Next →</a> : null}
            </nav>
          ) : null}
        </>
      )}
    </Layout>
  )
}
