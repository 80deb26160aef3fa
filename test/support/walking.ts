import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { startFixtureSite, type FixtureSite } from '../fixtures/site.tsx'

export interface Walking {
  site: FixtureSite
  pool: BrowserPool
  /** KEPT_DATA_DIR of the walks: evidence lands below it. */
  dataDir: string
}

/** What a test file needs to walk journeys itself: the fixture site, a browser pool, a data dir; all gone after the file. */
export function walkingBench(label: string): Walking {
  const bench = {} as Walking
  beforeAll(async () => {
    bench.site = await startFixtureSite()
    bench.pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path })
    bench.dataDir = await mkdtemp(path.join(os.tmpdir(), `kept-${label}-`))
  })
  afterAll(async () => {
    await bench.pool?.close()
    await bench.site?.close()
    if (bench.dataDir) await rm(bench.dataDir, { recursive: true, force: true })
  })
  return bench
}
