// Placeholders in journey values: {{secrets.NAME}}, and the run's own
// values {{run.id}}, {{run.email}} and {{today}} (run-values.ts). The
// parser checks them and lists the secrets' names; the runner fills them
// in at the last moment, so a step's text and every result keep the
// placeholder, never a secret's value.

const NAME = '[A-Za-z_][A-Za-z0-9_]*'
const PLACEHOLDER_AT = new RegExp(`\\{\\{\\s*(?:secrets\\.(${NAME})|run\\.id|run\\.email|today)\\s*\\}\\}`, 'y')
const PLACEHOLDERS = new RegExp(`\\{\\{\\s*secrets\\.(${NAME})\\s*\\}\\}`, 'g')

/** What a placeholder may be, for messages. */
export const PLACEHOLDER_EXAMPLES = '{{secrets.NAME}} (letters, digits and _), {{run.id}}, {{run.email}} or {{today}}'

export interface PlaceholderScan {
  /** Secret names in order of appearance (duplicates kept). */
  names: string[]
  /** Index of the first `{{` that does not open a valid placeholder, or null. */
  malformedAt: number | null
}

export function scanPlaceholders(value: string): PlaceholderScan {
  const names: string[] = []
  let from = 0
  for (;;) {
    const at = value.indexOf('{{', from)
    if (at < 0) return { names, malformedAt: null }
    PLACEHOLDER_AT.lastIndex = at
    const match = PLACEHOLDER_AT.exec(value)
    if (!match) return { names, malformedAt: at }
    if (match[1] !== undefined) names.push(match[1])
    from = PLACEHOLDER_AT.lastIndex
  }
}

/** Renders a secret reference, as a person would write it. */
export function secretPlaceholder(name: string): string {
  return `{{secrets.${name}}}`
}

/**
 * Replaces every secret placeholder in `value` by the secret's value.
 * Throws when a referenced secret is not given, naming it (never a value).
 */
export function fillSecrets(value: string, secrets: Readonly<Record<string, string>>): string {
  return value.replace(PLACEHOLDERS, (_whole, name: string) => {
    if (!Object.hasOwn(secrets, name)) throw new Error(`the secret ${name} is not set for this promise`)
    return secrets[name]!
  })
}
