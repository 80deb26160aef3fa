import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { count } from 'drizzle-orm'
import { createUser, findUserByEmail } from '../auth/users.ts'
import type { Db } from '../db/client.ts'
import { promises, type Role } from '../db/schema.ts'
import { hasDemoPromises, seedDemo } from '../demo/seed.ts'
import { startDemoShop, type DemoShop } from '../demo/shop.tsx'
import { StartupError } from '../infra/startup-error.ts'
import type { Runtime } from './runtime.ts'

const DEMO_USERS: { email: string; role: Role; name: string }[] = [
  { email: 'admin@demo.kept.local', role: 'admin', name: 'Demo admin' },
  { email: 'marketing@demo.kept.local', role: 'marketing', name: 'Ana (marketing)' },
  { email: 'tech@demo.kept.local', role: 'tech', name: 'Tom (tech)' },
  { email: 'viewer@demo.kept.local', role: 'viewer', name: 'Vic (viewer)' },
]

/**
 * The demo: the bundled shop on KEPT_DEMO_PORT, three promises against it
 * on a database that has none, and one user per role. Passwords are random,
 * made once, and kept in `<dataDir>/demo-logins.txt` (mode 600) so a later
 * start can print them again.
 */
export async function startDemo(rt: Runtime, db: Db): Promise<{ shop: DemoShop; seeded: string[] } | null> {
  const { env, logger, dataDir } = rt
  // Only on a database with no promises at all, or one the demo seeded.
  const [row] = await db.select({ n: count() }).from(promises)
  if ((row?.n ?? 0) > 0 && !(await hasDemoPromises(db))) return null

  const shop = await startDemoShop({ port: env.KEPT_DEMO_PORT }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') {
      throw new StartupError('KEPT_DEMO_PORT', `port ${env.KEPT_DEMO_PORT} is already in use`, 'Set KEPT_DEMO_PORT to a free port, or KEPT_DEMO=0 to start without the demo.')
    }
    throw error
  })
  rt.lifecycle.onStop('demo shop', () => shop.close())
  const seeded = await seedDemo(db, shop.url, rt.env.KEPT_REGION)
  const fresh = seeded.length > 0
  const logins = await ensureDemoUsers(db, path.join(dataDir, 'demo-logins.txt'))
  logger.info({ url: shop.url }, fresh ? 'demo shop started and three demo promises seeded' : 'demo shop started')
  if (logins) {
    process.stderr.write(
      `\nDemo logins (also in ${path.join(dataDir, 'demo-logins.txt')}):\n` +
        logins.map((l) => `  ${l.role.padEnd(9)} ${l.email}  ${l.password}`).join('\n') +
        `\nBreak the demo shop with \`npx kept demo break\`, mend it with \`npx kept demo fix\`.\n\n`,
    )
  }
  return { shop, seeded }
}

type Login = { email: string; role: Role; password: string }

async function ensureDemoUsers(db: Db, file: string): Promise<Login[] | null> {
  const saved = await readLogins(file)
  const logins: Login[] = []
  for (const user of DEMO_USERS) {
    const known = saved.find((l) => l.email === user.email)
    const existing = await findUserByEmail(db, user.email)
    if (existing && !known) continue // made by someone else: leave it alone
    const password = known?.password ?? randomBytes(9).toString('base64url')
    if (!existing) await createUser(db, { ...user, password })
    logins.push({ email: user.email, role: user.role, password })
  }
  if (logins.length === 0) return null
  await writeFile(file, logins.map((l) => `${l.role}\t${l.email}\t${l.password}`).join('\n') + '\n', { mode: 0o600 })
  return logins
}

async function readLogins(file: string): Promise<Login[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [role, email, password] = line.split('\t')
      return { role: role as Role, email: email!, password: password! }
    })
}
