import type { Db } from '../db/client.ts'
import type { DigestFigures } from '../domain/digest.ts'
import { parseIsoWeek } from '../domain/week.ts'
import { buildDigestFigures, lastWeek } from './build.ts'
import { renderDigest } from './render.ts'

export interface DigestPreview {
  week: string
  subject: string
  html: string
  text: string
  figures: DigestFigures
}

/**
 * A week's digest as it would be sent, without a recipient's unsubscribe
 * link; last week when no week (or an empty one) is given. A malformed
 * or future week throws a WeekError naming `week` (a 400 for the API and
 * the page).
 */
export async function previewDigest(
  db: Db,
  options: { week?: string | undefined; timezone: string; baseUrl: string; now?: Date },
): Promise<DigestPreview> {
  const now = options.now ?? new Date()
  const given = options.week?.trim()
  const week = given ? given : lastWeek(now, options.timezone)
  parseIsoWeek(week)
  const figures = await buildDigestFigures(db, { week, timezone: options.timezone, now })
  const rendered = renderDigest(figures, { baseUrl: options.baseUrl, unsubscribe: 'preview' })
  return { week, ...rendered, figures }
}
