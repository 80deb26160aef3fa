import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// The demo shop in a process of its own, so the CPU a benchmark counts for
// a runner (its process and its browser) holds none of the shop's serving.
// Run directly, it starts the shop and prints its URL as one JSON line.

const HERE = fileURLToPath(import.meta.url)

export interface ShopProcess {
  url: string
  pid: number
  close(): Promise<void>
}

export async function startShopProcess(): Promise<ShopProcess> {
  // Its stdin is this process's pipe: when this process ends, however it ends, the shop does too.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', HERE], { stdio: ['pipe', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve((JSON.parse(line) as { url: string }).url)
    })
    child.once('exit', (code) => reject(new Error(`the shop process exited with ${code}`)))
    child.once('error', reject)
  })
  return {
    url,
    pid: child.pid!,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === HERE) {
  const { startDemoShop } = await import('../../src/demo/shop.tsx')
  const shop = await startDemoShop({ port: 0 })
  console.log(JSON.stringify({ url: shop.url }))
  const stop = () => void shop.close().then(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.stdin.on('end', stop).resume()
}
