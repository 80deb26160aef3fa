// Values unique to each run, for sites that refuse the same sign-up twice:
// {{run.id}} (12 characters of the run's id), {{run.email}} (an address
// with that id, on the domain KEPT_RUN_EMAIL_DOMAIN names) and {{today}}
// (the date of the run, YYYY-MM-DD, in KEPT_TIMEZONE). Pure: the runner
// gives the run's id and the time.

export interface RunValues {
  id: string
  email: string
  today: string
}

export interface RunValueSettings {
  /** The domain of {{run.email}}; default example.com. */
  emailDomain?: string
  /** IANA zone of {{today}}; default UTC. */
  timezone?: string
}

export const DEFAULT_RUN_EMAIL_DOMAIN = 'example.com'

export function runValues(runId: string, now: Date, settings: RunValueSettings = {}): RunValues {
  const id = runId.replace(/[^0-9a-zA-Z]/g, '').slice(0, 12).toLowerCase()
  // en-CA writes dates as YYYY-MM-DD.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: settings.timezone ?? 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
  return { id, email: `kept-${id}@${settings.emailDomain ?? DEFAULT_RUN_EMAIL_DOMAIN}`, today }
}

const RUN_PLACEHOLDERS = /\{\{\s*(run\.id|run\.email|today)\s*\}\}/g

/** Replaces {{run.id}}, {{run.email}} and {{today}} in `value`. */
export function fillRunValues(value: string, run: RunValues): string {
  return value.replace(RUN_PLACEHOLDERS, (_whole, name: string) => (name === 'run.id' ? run.id : name === 'run.email' ? run.email : run.today))
}
