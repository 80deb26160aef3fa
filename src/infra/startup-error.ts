/**
 * A problem that stops Kept from starting, told in terms the operator can
 * act on: which environment variable is involved (if any), what went wrong,
 * and what to do about it. The CLI prints it without a stack trace.
 */
export class StartupError extends Error {
  constructor(
    readonly variable: string | null,
    message: string,
    readonly hint?: string,
  ) {
    super(variable ? `${variable}: ${message}` : message)
    this.name = 'StartupError'
  }
}

/** For messages about a URL: `redis://user:secret@host` → `redis://user:***@host`. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '<unparsable url>'
  }
}
