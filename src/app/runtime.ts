import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { parseEnv, type Env } from '../config/env.ts'
import { loadSecretKey } from '../infra/crypto.ts'
import { Lifecycle } from '../infra/lifecycle.ts'
import { createLogger, type Logger } from '../infra/logger.ts'
import type { TargetPolicy } from '../domain/target-policy.ts'

/** What every Kept process starts from: config, logs, data dir, key, shutdown. */
export interface Runtime {
  env: Env
  logger: Logger
  dataDir: string
  secretKey: Buffer
  lifecycle: Lifecycle
  /** What journeys and alert channels may reach, once the control plane knows its own services. */
  targetPolicy?: TargetPolicy
}

export async function bootRuntime(name: string, env: Env = parseEnv()): Promise<Runtime> {
  const logger = createLogger(env, name)
  const dataDir = path.resolve(env.KEPT_DATA_DIR)
  await mkdir(dataDir, { recursive: true })
  const secretKey = await loadSecretKey(env, dataDir)
  const lifecycle = new Lifecycle()
  lifecycle.installSignalHandlers(logger)
  return { env, logger, dataDir, secretKey, lifecycle }
}
