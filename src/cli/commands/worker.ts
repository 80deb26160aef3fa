import { bootRuntime } from '../../app/runtime.ts'
import { ConfigError, parseEnv, type Env } from '../../config/env.ts'
import { composeJourneyWorker } from '../../app/journey-worker.ts'

/** `kept worker`: a journey worker of one region; Redis and a browser, never the database. */
export async function workerCommand(opts: { concurrency?: number; region?: string }): Promise<void> {
  const rt = await bootRuntime('kept-worker', workerEnv(opts.region))
  try {
    await composeJourneyWorker(rt, opts.concurrency ? { concurrency: opts.concurrency } : {})
  } catch (error) {
    await rt.lifecycle.stop('start failed')
    throw error
  }
}

/** The environment, with --region in place of KEPT_REGION; a wrong name is said as the flag's. */
function workerEnv(region: string | undefined): Env {
  if (region === undefined) return parseEnv()
  try {
    return parseEnv({ ...process.env, KEPT_REGION: region })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    const problem = error.problems.find((p) => p.variable === 'KEPT_REGION')
    if (!problem) throw error
    throw new ConfigError([{ variable: '--region', message: `${problem.message} (got ${JSON.stringify(region)})` }, ...error.problems.filter((p) => p !== problem)])
  }
}
