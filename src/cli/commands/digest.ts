import path from 'node:path'
import { publicBaseUrl } from '../../alerts/links.ts'
import { parseEnv } from '../../config/env.ts'
import { openDatabase } from '../../db/open.ts'
import { lastWeek } from '../../digest/build.ts'
import { previewDigest } from '../../digest/preview.ts'
import { sendDigest, type DigestSendReport } from '../../digest/send.ts'
import { WeekError, parseIsoWeek } from '../../domain/week.ts'
import { loadSecretKey } from '../../infra/crypto.ts'
import { createMailer } from '../../infra/mailer.ts'

/**
 * `kept digest [--week 2026-W47] [--send]`: prints a week's digest as
 * text (last week by default), or sends it, once, like the Monday job.
 */
export async function digestCliCommand(opts: { week?: string; send?: boolean }): Promise<number> {
  const env = parseEnv()
  const dataDir = path.resolve(env.KEPT_DATA_DIR)
  const timezone = env.KEPT_TIMEZONE
  const baseUrl = publicBaseUrl(env)
  let week: string
  try {
    week = opts.week?.trim() || lastWeek(new Date(), timezone)
    parseIsoWeek(week)
  } catch (error) {
    return reportWeekError(error)
  }

  const mailer = opts.send ? createMailer(env.SMTP_URL) : null
  if (mailer && !mailer.configured) {
    process.stderr.write('kept digest: SMTP_URL is not set, so there is nothing to send with (set it, e.g. smtp://user:pass@mail.example.com:587)\n')
    return 1
  }

  const database = await openDatabase({ ...env, KEPT_DATA_DIR: dataDir }, { role: 'client' })
  try {
    await database.migrate()
    if (!mailer) {
      const preview = await previewDigest(database.db, { week, timezone, baseUrl })
      process.stdout.write(`Subject: ${preview.subject}\n\n${preview.text}`)
      return 0
    }
    const report = await sendDigest(
      {
        db: database.db,
        mailer: mailer.transport,
        from: env.SMTP_FROM,
        timezone,
        baseUrl,
        extraRecipients: env.KEPT_DIGEST_TO,
        secretKey: await loadSecretKey(env, dataDir),
      },
      week,
    )
    return printReport(report)
  } catch (error) {
    return reportWeekError(error)
  } finally {
    mailer?.transport.close()
    await database.close()
  }
}

function printReport(report: DigestSendReport): number {
  const { week } = report
  if (report.status === 'sent') {
    process.stdout.write(`Digest ${week} sent (${report.sent} ${report.sent === 1 ? 'email' : 'emails'} now).\n`)
    return 0
  }
  if (report.status === 'already-sent') {
    process.stdout.write(`Digest ${week} was already sent; nothing sent again.\n`)
    return 0
  }
  if (report.status === 'no-recipients') {
    process.stderr.write(`kept digest: nobody to send ${week} to: no marketing, tech or admin user is subscribed and KEPT_DIGEST_TO is empty\n`)
    return 1
  }
  for (const failure of report.failed) process.stderr.write(`kept digest: ${failure.recipient}: ${failure.error}\n`)
  process.stderr.write(
    `kept digest: ${week} sent to ${report.sent} now, ${report.failed.length} failed, ${report.held} being sent by another process; run it again to send the rest (never twice)\n`,
  )
  return 1
}

/** A WeekError as a usage error (exit 2) naming the option or variable at fault; anything else is rethrown. */
function reportWeekError(error: unknown): number {
  if (!(error instanceof WeekError)) throw error
  const field = error.field === 'timeZone' ? 'KEPT_TIMEZONE' : '--week'
  process.stderr.write(`kept digest: ${field}: ${error.message.replace(/^\w+: /, '')}\n`)
  return 2
}
