/**
 * Transfer benchmark: a 64 MiB file and 1,000 files of 4 KiB moved between
 * two torplus daemons and, in the same run, between two plain Helia nodes on
 * blockstore-fs. Prints MiB/s, files/s, the torplus/Helia ratios (target
 * >= 0.9) and each process's peak RSS.
 *
 * Usage: npm run bench [-- --rounds 3]
 */
import { fork } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

const MiB = 1024 * 1024
const BIG = 64 * MiB
const SMALL_COUNT = 1000
const SMALL_SIZE = 4 * 1024
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) > 0 ? Number(process.argv[process.argv.indexOf('--rounds') + 1]) : 1

type Kind = 'torplus' | 'helia'

interface Remote {
  call<T>(command: string, ...args: unknown[]): Promise<T>
  child: ChildProcess
}

async function spawnNode (kind: Kind): Promise<Remote> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `bench-${kind}-`))
  const child = fork(fileURLToPath(new URL('./node-process.js', import.meta.url)), [kind, dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map<number, { resolve(value: any): void, reject(err: Error): void }>()
  let next = 0

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${kind} node did not start within 60 s`)) }, 60_000)
    child.once('message', () => { clearTimeout(timer); resolve() })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} node exited with ${code}`)) })
  })

  child.on('message', (message: { id: number, result?: unknown, error?: string }) => {
    const waiter = pending.get(message.id)
    pending.delete(message.id)

    if (message.error != null) {
      waiter?.reject(new Error(message.error))
    } else {
      waiter?.resolve(message.result)
    }
  })

  return {
    child,
    async call (command, ...args) {
      const id = next++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        child.send({ id, command, args })
      })
    }
  }
}

interface Result {
  mibPerSecond: number
  filesPerSecond: number
  rss: { provider: number, fetcher: number }
}

async function measure (kind: Kind, seed: number): Promise<Result> {
  const [provider, fetcher] = await Promise.all([spawnNode(kind), spawnNode(kind)])

  try {
    const bigCid = await provider.call<string>('add', BIG, seed)
    const smallCids = await provider.call<string[]>('addMany', SMALL_COUNT, SMALL_SIZE, seed)
    const [address] = await provider.call<string[]>('addrs')
    await fetcher.call('dial', address)

    let start = performance.now()
    const bytes = await fetcher.call<number>('fetch', bigCid)
    const bigSeconds = (performance.now() - start) / 1000

    if (bytes !== BIG) {
      throw new Error(`${kind}: fetched ${bytes} bytes, expected ${BIG}`)
    }

    start = performance.now()
    const smallBytes = await fetcher.call<number>('fetchMany', smallCids)
    const smallSeconds = (performance.now() - start) / 1000

    if (smallBytes !== SMALL_COUNT * SMALL_SIZE) {
      throw new Error(`${kind}: fetched ${smallBytes} bytes of small files, expected ${SMALL_COUNT * SMALL_SIZE}`)
    }

    return {
      mibPerSecond: BIG / MiB / bigSeconds,
      filesPerSecond: SMALL_COUNT / smallSeconds,
      rss: { provider: await provider.call<number>('maxRss'), fetcher: await fetcher.call<number>('maxRss') }
    }
  } finally {
    await Promise.allSettled([provider.call('stop'), fetcher.call('stop')])
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`

const results: Record<Kind, Result[]> = { torplus: [], helia: [] }

for (let round = 0; round < rounds; round++) {
  // alternate the order so neither kind always runs on a warmer machine
  for (const kind of (round % 2 === 0 ? ['torplus', 'helia'] : ['helia', 'torplus']) as Kind[]) {
    results[kind].push(await measure(kind, round + 1))
  }
}

const summary = (kind: Kind): { mib: number, files: number, rss: Result['rss'] } => ({
  mib: median(results[kind].map(r => r.mibPerSecond)),
  files: median(results[kind].map(r => r.filesPerSecond)),
  rss: { provider: Math.max(...results[kind].map(r => r.rss.provider)), fetcher: Math.max(...results[kind].map(r => r.rss.fetcher)) }
})

const torplus = summary('torplus')
const helia = summary('helia')

process.stdout.write(`transfer benchmark, ${rounds} round(s), medians; blockstore-fs on both sides, loopback TCP\n`)
process.stdout.write('                 torplus        plain Helia    ratio (target >= 0.9)\n')
process.stdout.write(`64 MiB file      ${torplus.mib.toFixed(1).padStart(6)} MiB/s   ${helia.mib.toFixed(1).padStart(6)} MiB/s   ${(torplus.mib / helia.mib).toFixed(2)}\n`)
process.stdout.write(`1000 x 4 KiB     ${torplus.files.toFixed(0).padStart(6)} files/s ${helia.files.toFixed(0).padStart(6)} files/s ${(torplus.files / helia.files).toFixed(2)}\n`)
process.stdout.write(`peak RSS         provider ${mib(torplus.rss.provider)}, fetcher ${mib(torplus.rss.fetcher)} (torplus); provider ${mib(helia.rss.provider)}, fetcher ${mib(helia.rss.fetcher)} (Helia)\n`)
