import { createReadStream } from 'node:fs'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isEvidenceKey, isRunId, type EvidenceStore } from './store.ts'

/** Evidence under `<dataDir>/evidence/<runId>/`, where Kept has always kept it. */
export function fsEvidenceStore(dataDir: string): EvidenceStore {
  const root = path.resolve(dataDir, 'evidence')
  const fileOf = (key: string): string => {
    if (!isEvidenceKey(key)) throw new Error(`"${key}" cannot name an evidence file`)
    return path.join(root, key)
  }
  return {
    describe: root,
    async put(key, bytes) {
      const file = fileOf(key)
      await mkdir(path.dirname(file), { recursive: true })
      // Written aside, then renamed: a reader never sees half a file.
      const partial = `${file}.${process.pid}.partial`
      await writeFile(partial, bytes)
      await rename(partial, file)
    },
    async get(key) {
      if (!isEvidenceKey(key)) return null
      const file = fileOf(key)
      const size = await stat(file).then((s) => (s.isFile() ? s.size : null), () => null)
      if (size === null) return null
      return { body: createReadStream(file), size }
    },
    async deleteRuns(runIds) {
      const ids = runIds.filter(isRunId)
      for (let i = 0; i < ids.length; i += 64) {
        await Promise.all(ids.slice(i, i + 64).map((runId) => rm(path.join(root, runId), { recursive: true, force: true })))
      }
    },
  }
}
