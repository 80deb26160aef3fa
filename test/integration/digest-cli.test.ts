import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { breaks, promises, users } from '../../src/db/schema.ts'
import { freshDatabase } from '../support/db.ts'
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../support/smtp.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

function kept(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/kept.ts', ...args],
      { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

// Each command is a new Node process compiling TypeScript: seconds each on a busy machine.
describe('kept digest', { timeout: 120_000 }, () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let smtp: SmtpReceiver
  let smtpUrl: string
  let received: ReceivedMail[] = []

  beforeAll(async () => {
    pg = await freshDatabase()
    await pg.db.insert(users).values({ email: 'tom@example.com', role: 'tech' })
    const [promise] = await pg.db
      .insert(promises)
      .values({ title: 'Order online in 3 clicks', dailyCustomers: 2000, detractorRate: 0.3, createdAt: new Date('2026-10-01T00:00:00Z') })
      .returning()
    // 2026-W47 in UTC: from 2026-11-16T00:00Z; 90 minutes of it broken.
    await pg.db.insert(breaks).values({
      promiseId: promise!.id,
      openedAt: new Date('2026-11-15T23:00:00Z'),
      resolvedAt: new Date('2026-11-16T01:30:00Z'),
      openedByRunId: randomUUID(),
    })
    smtp = await startSmtpReceiver()
    received = smtp.received
    smtpUrl = `smtp://127.0.0.1:${smtp.port}`
  })
  afterAll(async () => {
    await smtp?.close()
    await pg?.drop()
  })

  const env = () => ({
    DATABASE_URL: pg.url,
    KEPT_TIMEZONE: 'UTC',
    KEPT_PUBLIC_URL: 'https://kept.example.com',
    KEPT_SECRET_KEY: 'x'.repeat(40),
    SMTP_URL: smtpUrl,
    KEPT_DIGEST_TO: '',
  })

  it('prints the text of a week, and sends it once with --send', async () => {
    const shown = await kept(['digest', '--week', '2026-W47'], env())
    expect(shown.stderr).toBe('')
    expect(shown.code).toBe(0)
    // 2000 a day × 90 / 1440 = 125 customers; × 0.3 = 37.5 detractors; 100 × 37.5 / 14000 = 0.27 points.
    expect(shown.stdout).toContain('Subject: Kept 2026-W47: 0 of 1 promise kept all week; 1 broke for 1 h 30 min, about 125 customers affected')
    expect(shown.stdout).toContain('NPS points at risk 0.27')
    expect(shown.stdout).toContain('about 38 likely detractors')
    expect(received).toHaveLength(0)

    const sent = await kept(['digest', '--week', '2026-W47', '--send'], env())
    expect(sent).toMatchObject({ code: 0, stdout: 'Digest 2026-W47 sent (1 email now).\n' })
    expect(received.map((m) => m.to)).toEqual([['tom@example.com']])
    const mail = await simpleParser(received[0]!.raw)
    expect(mail.text).toContain('about 125 customers affected')
    expect(mail.html).toContain('https://kept.example.com/digests/unsubscribe?u=')

    const again = await kept(['digest', '--week', '2026-W47', '--send'], env())
    expect(again).toMatchObject({ code: 0, stdout: 'Digest 2026-W47 was already sent; nothing sent again.\n' })
    expect(received).toHaveLength(1)
  })

  it('names the option at fault', async () => {
    const bad = await kept(['digest', '--week', '2026-47'], env())
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('kept digest: --week: expected an ISO week like 2026-W47, got "2026-47"\n')
    const noSmtp = await kept(['digest', '--send'], { ...env(), SMTP_URL: '' })
    expect(noSmtp.code).toBe(1)
    expect(noSmtp.stderr).toMatch(/^kept digest: SMTP_URL is not set/)
  })
})
