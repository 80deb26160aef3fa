import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { eq, inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type OpenDatabase } from '../../src/db/open.ts'
import { promises } from '../../src/db/schema.ts'
import { StartupError } from '../../src/infra/startup-error.ts'
import { useFreshDatabase } from '../support/db.ts'

const run = promisify(execFile)

describe('embedded PGlite shared by the process that opened it', () => {
  let dataDir: string
  let server: OpenDatabase
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-db-'))
    server = await openDatabase({ KEPT_DATA_DIR: dataDir }, { role: 'server' })
    await server.migrate()
  }, 60_000)
  afterAll(async () => {
    await server?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('opens the directory once: a second open goes through the socket, and writes are seen both ways', async () => {
    expect(server).toMatchObject({ embedded: true, driver: 'pglite' })
    const lock = JSON.parse(await readFile(path.join(dataDir, 'pgdata.lock'), 'utf8'))
    expect(lock).toEqual({ pid: process.pid, socket: path.join(dataDir, 'pglite.sock') })

    const client = await openDatabase({ KEPT_DATA_DIR: dataDir }, { role: 'client' })
    try {
      expect(client).toMatchObject({ embedded: true, driver: 'postgres' })
      expect(client.describe).toContain(`through process ${process.pid}`)
      await client.migrate()
      const [written] = await client.db.insert(promises).values({ title: 'Written through the socket' }).returning()
      const [seen] = await server.db.select().from(promises).where(eq(promises.id, written!.id))
      expect(seen?.title).toBe('Written through the socket')

      await server.db.insert(promises).values({ title: 'Written in process' })
      const titles = (await client.db.select({ title: promises.title }).from(promises)).map((row) => row.title)
      expect(titles).toContain('Written in process')
    } finally {
      await client.close()
    }
  })

  it('keeps a socket client out of an open in-process transaction', async () => {
    const client = await openDatabase({ KEPT_DATA_DIR: dataDir }, { role: 'client' })
    try {
      let socketWrite: Promise<unknown> = Promise.resolve()
      const rolledBack = server.db
        .transaction(async (tx) => {
          await tx.insert(promises).values({ title: 'rolled back' })
          socketWrite = client.db.insert(promises).values({ title: 'committed through the socket' })
          await new Promise((resolve) => setTimeout(resolve, 100))
          throw new Error('roll back')
        })
        .catch((error: Error) => error.message)
      expect(await rolledBack).toBe('roll back')
      await socketWrite
      const rows = await server.db
        .select({ title: promises.title })
        .from(promises)
        .where(inArray(promises.title, ['rolled back', 'committed through the socket']))
      expect(rows.map((row) => row.title)).toEqual(['committed through the socket'])
    } finally {
      await client.close()
    }
  })

  it('serves a kept CLI command in another process while the server runs', async () => {
    const script = `
      const { openDatabase } = await import(${JSON.stringify(path.resolve('src/db/open.ts'))})
      const { promises } = await import(${JSON.stringify(path.resolve('src/db/schema.ts'))})
      const db = await openDatabase({ KEPT_DATA_DIR: ${JSON.stringify(dataDir)} }, { role: 'client', waitMs: 2000 })
      await db.migrate()
      await db.db.insert(promises).values({ title: 'from another process' })
      process.stdout.write(db.describe)
      await db.close()
    `
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 })
    expect(stdout).toContain('through process')
    const rows = await server.db.select().from(promises).where(eq(promises.title, 'from another process'))
    expect(rows).toHaveLength(1)
  }, 40_000)

  it('makes a second embedded open wait while a CLI command holds the directory, then says who holds it', async () => {
    const other = path.join(dataDir, 'other')
    const lockFile = path.join(other, 'pgdata.lock')
    await mkdir(other, { recursive: true })
    await writeFile(lockFile, JSON.stringify({ pid: process.pid, socket: null }))
    const failure = await openDatabase({ KEPT_DATA_DIR: other }, { role: 'client', waitMs: 200 }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(StartupError)
    expect((failure as Error).message).toContain(`in use by process ${process.pid}`)
    expect(existsSync(lockFile)).toBe(true)
  })
})

describe('embedded PGlite after its holder died', () => {
  let dataDir: string
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-db-stale-'))
  })
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  it('takes over a lock whose process is gone, opens the directory itself, and releases the lock on close', async () => {
    const gone = spawn(process.execPath, ['-e', ''])
    await new Promise((resolve) => gone.once('exit', resolve))
    const lockFile = path.join(dataDir, 'pgdata.lock')
    await writeFile(lockFile, JSON.stringify({ pid: gone.pid, socket: path.join(dataDir, 'pglite.sock') }))

    const database = await openDatabase({ KEPT_DATA_DIR: dataDir }, { role: 'client' })
    try {
      expect(database).toMatchObject({ embedded: true, driver: 'pglite' })
      expect(JSON.parse(await readFile(lockFile, 'utf8'))).toEqual({ pid: process.pid, socket: null })
      await database.migrate()
      expect(await database.db.select().from(promises)).toEqual([])
    } finally {
      await database.close()
    }
    expect(existsSync(lockFile)).toBe(false)
  }, 60_000)
})

describe('DATABASE_URL', () => {
  const pg = useFreshDatabase()

  it('opens Postgres and ignores the data dir', async () => {
    const database = await openDatabase({ DATABASE_URL: pg.url, KEPT_DATA_DIR: '/nonexistent/kept' }, { role: 'server' })
    try {
      expect(database).toMatchObject({ embedded: false, driver: 'postgres' })
      expect(database.describe).toMatch(/^Postgres at postgres:\/\//)
      await database.migrate()
      await database.db.insert(promises).values({ title: 'In Postgres' })
      expect(await pg.db.select().from(promises).where(eq(promises.title, 'In Postgres'))).toHaveLength(1)
    } finally {
      await database.close()
    }
  })

  it('fails fast when Postgres does not answer, naming DATABASE_URL and hiding the password', async () => {
    const failure = await openDatabase({ DATABASE_URL: 'postgres://kept:hunter2@127.0.0.1:1/kept', KEPT_DATA_DIR: '/nonexistent/kept' }, { role: 'client' }).catch(
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(StartupError)
    expect((failure as StartupError).variable).toBe('DATABASE_URL')
    expect((failure as Error).message).toContain('kept:***@127.0.0.1:1')
    expect((failure as Error).message).not.toContain('hunter2')
  })
})
