import { Hono } from 'hono'
import type { EvidenceStore } from '../evidence/store.ts'
import type { Db } from '../db/client.ts'
import type { RunResult } from '../domain/run.ts'
import type { JourneySpec } from '../queue/jobs.ts'
import type { PromiseScheduler } from '../queue/scheduler-port.ts'
import type { RegionDirectory } from '../queue/regions.ts'
import { alertRoutes } from './alerts.tsx'
import { assetRoutes } from './assets/index.ts'
import { breakRoutes } from './breaks.tsx'
import { channelRoutes } from './channels.tsx'
import { loadDashboard, type DashboardFilters } from './dashboard-data.ts'
import { DashboardPage, STATES } from './dashboard.tsx'
import { pageGuards, type UiEnv, signedIn } from './guards.tsx'
import { loginRoutes } from './login.tsx'
import { loginLimiter, type LoginLimiter } from './login-limiter.ts'
import type { TrustProxy } from '../auth/client-address.ts'
import { maintenanceRoutes } from './maintenance.tsx'
import { promiseRoutes } from './promises.tsx'
import { secretRoutes } from './secrets.tsx'
import { runPageRoutes } from './run-page.tsx'
import { traceViewerRoutes } from './trace-viewer.ts'
import { userRoutes } from './users.tsx'

export interface PageDeps {
  db: Db
  scheduler: PromiseScheduler
  /** The default and live regions (src/queue/regions.ts); absent: one region, not shown. */
  regions?: RegionDirectory
  /** Walks a journey once through the queue ("Try it now"); nothing is recorded. */
  tryJourney: (spec: JourneySpec) => Promise<RunResult>
  /** KEPT_DATA_DIR: evidence is read from <dataDir>/evidence unless `evidence` says otherwise. */
  dataDir: string
  /** The evidence store (KEPT_EVIDENCE_URL); default <dataDir>/evidence. */
  evidence?: EvidenceStore
  /** Reads a try's evidence where its worker left it (Redis); default: the store. */
  readTryEvidence?: (key: string) => Promise<Uint8Array | null>
  /** Default: 5 failures of an account per client in 15 min, 50 per client an hour. */
  loginLimiter?: LoginLimiter
  /** KEPT_TRUST_PROXY, parsed: whose X-Forwarded-For names the client. */
  trustProxy?: TrustProxy | null
  /** Encrypts channel settings; without it the channels page cannot add channels. */
  secretKey?: Buffer
  /** false: SMTP_URL is not set; email is kept in the outbox (the Alerts page). */
  mailConfigured?: boolean
  /** KEPT_PUBLIC_URL when set: notes to the tech team link there (else to the request's origin). */
  publicUrl?: string
  /** Sends a test message on a channel (the API's testChannel). */
  testChannel?: (channelId: string) => Promise<'sent' | 'logged' | void>
}

/**
 * The server-rendered pages for both owners, mounted at '/'. Every route
 * brings its own guards (authentication, sign-in, role, CSRF on POST), so
 * nothing here runs in front of the API's routes.
 */
export function pageRoutes(deps: PageDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>()
  const guards = pageGuards(deps.db)

  app.route('/', assetRoutes())
  app.route('/', loginRoutes({ db: deps.db, limiter: deps.loginLimiter ?? loginLimiter(), trustProxy: deps.trustProxy ?? null }))

  app.get('/', guards.read, async (c) => {
    const state = c.req.query('state')
    const filters: DashboardFilters = {
      owner: c.req.query('owner')?.trim() || undefined,
      state: STATES.includes(state as never) ? (state as DashboardFilters['state']) : undefined,
      page: Math.max(1, Math.min(10_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1)),
    }
    const live = deps.regions ? await deps.regions.live().catch(() => null) : null
    const data = await loadDashboard(deps.db, filters, new Date(), live ? new Set(live) : undefined)
    return c.html(
      <DashboardPage
        {...signedIn(c)}
        data={data}
        filters={filters}
        notice={c.req.query('notice')}
      />,
    )
  })

  app.route('/', promiseRoutes(deps))
  app.route('/', breakRoutes({ db: deps.db }))
  app.route('/', runPageRoutes({ db: deps.db, dataDir: deps.dataDir, ...(deps.evidence ? { evidence: deps.evidence } : {}), ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}) }))
  app.route('/', traceViewerRoutes({ db: deps.db }))
  app.route('/', alertRoutes({ db: deps.db, mailConfigured: deps.mailConfigured ?? true }))
  app.route('/', channelRoutes(deps))
  app.route('/', maintenanceRoutes({ db: deps.db }))
  app.route('/', secretRoutes({ db: deps.db, scheduler: deps.scheduler, ...(deps.secretKey ? { secretKey: deps.secretKey } : {}) }))
  app.route('/', userRoutes({ db: deps.db }))
  return app
}
