import { Hono } from 'hono'
import { raw } from 'hono/html'
import { desc } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { promises, runs } from '../db/schema.ts'

// A plain status page at /: every promise with its state and last runs.
// The full dashboard for both owners replaces it (issue: web app).

const stateLabel: Record<string, string> = {
  pending: 'waiting for its first run',
  kept: 'kept',
  at_risk: 'at risk',
  broken: 'broken',
  paused: 'paused',
}

const css = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2933}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d9dee3}
.s{font-weight:600;padding:.1rem .5rem;border-radius:3px}.kept{background:#d3f4e0;color:#0a5c36}
.at_risk{background:#fff1c2;color:#7a5200}.broken{background:#fde2e1;color:#8f1a14}.pending,.paused,.error{background:#e8ecf0;color:#333}
small{color:#52606d}`

export function homeRoutes(deps: { db: Db }) {
  const app = new Hono()
  app.get('/', async (c) => {
    const rows = await deps.db.select().from(promises).orderBy(promises.title)
    const recent = await deps.db
      .select({
        id: runs.id,
        promiseId: runs.promiseId,
        outcome: runs.outcome,
        clicks: runs.clicks,
        durationMs: runs.durationMs,
        startedAt: runs.startedAt,
        failure: runs.failure,
      })
      .from(runs)
      .orderBy(desc(runs.startedAt))
      .limit(20)
    const titles = new Map(rows.map((p) => [p.id, p.title]))
    return c.html(
      <>
        {raw('<!doctype html>')}
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta http-equiv="refresh" content="10" />
            <title>Kept · promises</title>
            <style>{css}</style>
          </head>
          <body>
            <main>
              <h1>Kept</h1>
              <p>
                Promises made to customers, walked in a real browser. <small>Refreshes every 10 s.</small>
              </p>
              <h2>Promises</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Promise</th>
                    <th scope="col">State</th>
                    <th scope="col">Last run</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((p) => {
                    const state = p.paused ? 'paused' : p.state
                    return (
                      <tr>
                        <td>{p.title}</td>
                        <td>
                          <span class={`s ${state}`}>{stateLabel[state] ?? state}</span>
                        </td>
                        <td>{p.lastRunAt ? p.lastRunAt.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—'}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
              <h2>Latest runs</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">When (UTC)</th>
                    <th scope="col">Promise</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Clicks</th>
                    <th scope="col">Time</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {recent.map((r) => (
                    <tr>
                      <td>{r.startedAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
                      <td>{titles.get(r.promiseId) ?? r.promiseId}</td>
                      <td>
                        <span class={`s ${r.outcome}`}>{r.outcome.replace('_', ' ')}</span>
                      </td>
                      <td>{r.clicks}</td>
                      <td>{(r.durationMs / 1000).toFixed(1)} s</td>
                      <td>{r.failure?.message ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>
                <small>
                  API: <a href="/api/docs">/api/docs</a> · health: <a href="/api/v1/health">/api/v1/health</a>
                </small>
              </p>
            </main>
          </body>
        </html>
      </>,
    )
  })
  return app
}
