import { ConfigError } from '../config/env.ts'
import { StartupError } from '../infra/startup-error.ts'

/**
 * Prints an error that stops a command in words a person can act on,
 * naming the variable when configuration is at fault, and exits 1.
 */
export function reportFatal(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`kept: ${error.message}\n`)
  } else if (error instanceof StartupError) {
    // Its message already starts with the variable at fault.
    process.stderr.write(`kept: ${error.message}\n`)
    if (error.hint) process.stderr.write(`      ${error.hint.replace(/\n/g, '\n      ')}\n`)
  } else {
    process.stderr.write(`kept: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  }
  process.exit(1)
}
