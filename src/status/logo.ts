import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { StartupError } from '../infra/startup-error.ts'
import type { StatusLogo } from './routes.ts'

// KEPT_STATUS_LOGO, read once at start: a missing or huge file stops the
// start naming the variable, rather than a broken image on the public page.

const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml', '.webp': 'image/webp' }
export const MAX_LOGO_BYTES = 512 * 1024

export async function readStatusLogo(file: string | undefined): Promise<StatusLogo | null> {
  if (!file) return null
  const type = TYPES[path.extname(file).toLowerCase()]
  if (!type) throw new StartupError('KEPT_STATUS_LOGO', `expected a .png, .jpg, .svg or .webp file, got ${file}`)
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (error) {
    throw new StartupError('KEPT_STATUS_LOGO', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'Point it at an image file Kept can read, or unset it.')
  }
  if (bytes.byteLength > MAX_LOGO_BYTES) {
    throw new StartupError('KEPT_STATUS_LOGO', `${file} has ${bytes.byteLength} bytes, expected at most ${MAX_LOGO_BYTES}`, 'A logo of a few kilobytes loads at once on a phone.')
  }
  return { bytes: new Uint8Array(bytes), type }
}
