import { composeJourneyWorker } from '../src/app/journey-worker.ts'
import { runProcess } from '../src/app/run-process.ts'

// A journey worker process: Redis and a browser, never the database.
// `node --import tsx workers/journey.ts`, or `kept worker`.
await runProcess('kept-worker', (rt) => composeJourneyWorker(rt))
