import path from 'node:path'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { z } from 'zod'
import { parseEnv } from '../../config/env.ts'
import { openDatabase } from '../../db/open.ts'
import type { Role } from '../../db/schema.ts'
import { randomSecret } from '../../auth/hash.ts'
import { EmailTakenError, MIN_PASSWORD_LENGTH, createUser } from '../../auth/users.ts'

/**
 * `kept user add`: a user with a password given, typed (hidden, on a
 * terminal), or generated and printed once. Returns the exit code.
 */
export async function userAddCommand(opts: { role: Role; email: string; password?: string; name?: string }): Promise<number> {
  const email = z.email().safeParse(opts.email.trim())
  if (!email.success) {
    process.stderr.write(`kept: --email: expected an email address, got "${opts.email}"\n`)
    return 2
  }
  let password = opts.password ?? (process.stdin.isTTY ? await promptPassword() : '')
  const generated = password === ''
  if (generated) password = randomSecret(15)
  if (password.length < MIN_PASSWORD_LENGTH) {
    process.stderr.write(`kept: --password: expected at least ${MIN_PASSWORD_LENGTH} characters\n`)
    return 2
  }

  const env = parseEnv()
  const database = await openDatabase({ ...env, KEPT_DATA_DIR: path.resolve(env.KEPT_DATA_DIR) }, { role: 'client' })
  try {
    await database.migrate()
    const user = await createUser(database.db, { email: email.data, password, role: opts.role, name: opts.name ?? null })
    process.stderr.write(`User ${user.email} (${user.role}) created.\n`)
    if (generated) process.stdout.write(`${password}\n`)
    if (generated) process.stderr.write('That is the password, shown only this once.\n')
    return 0
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error
    process.stderr.write(`kept: --email: ${error.message}\n`)
    return 1
  } finally {
    await database.close()
  }
}

/** Asks twice without echo; an empty answer means "generate one". */
async function promptPassword(): Promise<string> {
  const first = await askHidden('Password (empty: generate one): ')
  if (first === '') return ''
  const again = await askHidden('Again: ')
  if (again !== first) throw new Error('the two passwords differ')
  return first
}

function askHidden(question: string): Promise<string> {
  process.stderr.write(question)
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() })
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true })
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close()
      process.stderr.write('\n')
      resolve(answer)
    })
  })
}
