#!/usr/bin/env -S node --import tsx
import { Command, Option } from 'commander'
import { reportFatal } from './fatal.ts'
import type { TestOptions } from './commands/test.ts'

// `kept`: one binary for every process of Kept. Each command loads only
// what it needs, so `kept token create` starts in a blink.

const program = new Command()
  .name('kept')
  .description('Kept: promises made to customers, walked in a real browser.')
  .showHelpAfterError()

program
  .command('start')
  .description('run everything in one process: API and pages, scheduler, journey worker, recorder, alerts, digest (and the demo)')
  .option('--no-demo', 'do not serve or seed the demo shop (same as KEPT_DEMO=0)')
  .action(async (opts: { demo: boolean }) => {
    const { startCommand } = await import('./commands/start.ts')
    await startCommand({ worker: true, demo: opts.demo })
  })

program
  .command('api')
  .description('run the control plane: API and pages, scheduler, recorder, alerts, digest — no journey worker')
  .option('--no-demo', 'do not serve or seed the demo shop')
  .action(async (opts: { demo: boolean }) => {
    const { startCommand } = await import('./commands/start.ts')
    await startCommand({ worker: false, demo: opts.demo })
  })

program
  .command('worker')
  .description('run a journey worker: needs Redis and a browser, never the database')
  .option('-c, --concurrency <n>', 'journeys at once (default: from cores and memory)', (v) => Number.parseInt(v, 10))
  .option('-r, --region <name>', 'walk only this region\'s journeys (same as KEPT_REGION; default local)')
  .action(async (opts: { concurrency?: number; region?: string }) => {
    const { workerCommand } = await import('./commands/worker.ts')
    await workerCommand(opts)
  })

program
  .command('migrate')
  .description('apply database migrations (also done by start and api)')
  .action(async () => {
    const { migrateCommand } = await import('./commands/migrate.ts')
    await migrateCommand()
  })

const token = program.command('token').description('API tokens')
token
  .command('create')
  .description('create an API token and print it once')
  .addOption(
    new Option('--role <role>', 'what the token may do').choices(['admin', 'marketing', 'tech', 'viewer']).makeOptionMandatory(),
  )
  .requiredOption('--name <name>', 'a name to recognise the token by, e.g. ci')
  .action(async (opts: { role: 'admin' | 'marketing' | 'tech' | 'viewer'; name: string }) => {
    const { tokenCreateCommand } = await import('./commands/token.ts')
    await tokenCreateCommand(opts)
  })

const user = program.command('user').description('users who sign in to the pages')
user
  .command('add')
  .description('add a user; without --password, type one or get one generated and printed once')
  .addOption(
    new Option('--role <role>', 'what the user may do').choices(['admin', 'marketing', 'tech', 'viewer']).makeOptionMandatory(),
  )
  .requiredOption('--email <email>', 'the email the user signs in with')
  .option('--password <password>', 'the password (at least 8 characters)')
  .option('--name <name>', 'a display name')
  .action(async (opts: { role: 'admin' | 'marketing' | 'tech' | 'viewer'; email: string; password?: string; name?: string }) => {
    const { userAddCommand } = await import('./commands/user.ts')
    process.exitCode = await userAddCommand(opts)
  })

program
  .command('run')
  .description('walk a promise now, through the same queue as scheduled runs')
  .argument('<promiseId>', 'the promise id')
  .option('--no-wait', 'return once the run is queued')
  .action(async (promiseId: string, opts: { wait: boolean }) => {
    const { runCommand } = await import('./commands/run.ts')
    process.exitCode = await runCommand(promiseId, opts)
  })

program
  .command('test')
  .description('walk a journey once, here, and print each step (a .check.ts file, a journey text file, or a promise id)')
  .argument('<target>', 'checks/order.check.ts, journey.txt, or a promise id')
  .option('--json', 'print the run result as JSON')
  .option('--max-clicks <n>', "judge the walk against this click budget (a journey file has none of its own; it overrides a check's)")
  .option('--max-seconds <s>', 'judge the walk against this time budget for the whole journey')
  .option('--max-step-seconds <s>', 'judge the walk against this time budget for its slowest step')
  .action(async (target: string, opts: TestOptions) => {
    const { testCliCommand } = await import('./commands/test.ts')
    process.exitCode = await testCliCommand(target, opts)
  })

const claims = program.command('claims').description("what your site promises customers, read from its pages")
claims
  .command('discover')
  .description('read a few pages of a site in a real browser, here, and list the checkable claims they make (clicks, seconds)')
  .argument('<url>', 'the page to start from, like https://shop.example.com')
  .option('--max-pages <n>', 'pages to read at most, 1 to 50 (default 10)')
  .option('--json', 'print the answer as JSON (the API\'s shape)')
  .action(async (url: string, opts: { maxPages?: string; json?: boolean }) => {
    const { claimsDiscoverCommand } = await import('./commands/claims.ts')
    process.exitCode = await claimsDiscoverCommand(url, opts)
  })

program
  .command('digest')
  .description('show (or send) the weekly NPS-risk digest of a week')
  .option('--week <week>', 'ISO week like 2026-W47 (default: last week)')
  .option('--send', 'send it by email (once per week)')
  .action(async (opts: { week?: string; send?: boolean }) => {
    const { digestCliCommand } = await import('./commands/digest.ts')
    process.exitCode = await digestCliCommand(opts)
  })

program
  .command('demo')
  .description('switch the demo shop: break its checkout, slow it down, make its home page promise 2 clicks, or fix it all')
  .argument('<action>', 'break | fix | slow | drift')
  .option('--ms <ms>', 'with slow: delay of every page in ms', '3000')
  .action(async (action: string, opts: { ms: string }) => {
    const { demoCommand } = await import('./commands/demo.ts')
    process.exitCode = await demoCommand(action, opts)
  })

program.parseAsync().catch(reportFatal)
