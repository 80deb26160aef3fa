import { english } from './english.ts'
import type { ClaimLanguage } from './language.ts'

/** The languages whose claims Kept reads, by primary language subtag. Another language: one more entry. */
export const LANGUAGES: Readonly<Record<string, ClaimLanguage>> = { en: english }

/**
 * The table for a page's language (`<html lang="en-GB">` → en). A page in a
 * language without a table is read as English: sites often leave `lang`
 * unset or wrong, and English patterns find nothing in other words.
 */
export function languageFor(lang: string | null | undefined): ClaimLanguage {
  const code = (lang ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? ''
  return LANGUAGES[code] ?? english
}
