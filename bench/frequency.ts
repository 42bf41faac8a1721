/**
 * Popularity tracker benchmark, every figure from one run (FILL.md §6).
 * G1: sketch updates per second; want observations per second end to end
 * (a length-prefixed bitswap message scanned, its wants counted); time
 * added per bitswap message (16 wants and a 1 MiB block), median and p99,
 * against what bitswap does with it anyway (decode it, hash the block).
 * G2: the tracker's memory after 10 M distinct CIDs. G3: precision@1,000
 * and @10,000 against exact distinct-requester counts on a Zipf(1.0)
 * stream, and what a flooder and a group of identities reach. G4: snapshot
 * size, write time, and the top-1,000 after a restart.
 *
 * Usage: npm run bench:frequency [-- --keys 1000000 --events 10000000 --requesters 50000 --distinct 10000000]
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { defaultLogger } from '@libp2p/logger'
import * as lp from 'it-length-prefixed'
import { wantWalker } from '../src/bitswap/want-scanner.js'
import { frequencyTracker } from '../src/frequency/index.js'
import { CountMinSketch } from '../src/frequency/sketch.js'
import { BitswapMessage } from '../test/utils/pb/bitswap.js'
import { argument } from './arguments.js'
import type { FrequencyTracker, FrequencyTrackerInit } from '../src/frequency/index.js'
import type { PeerId } from '@libp2p/interface'

const KEYS = argument('--keys', 1_000_000)
const EVENTS = argument('--events', 10_000_000)
const REQUESTERS = argument('--requesters', 50_000)
const DISTINCT = argument('--distinct', 10_000_000)
/** Events per epoch of the G3 stream */
const EPOCH_EVENTS = 10_000_000

v8.setFlagsFromString('--expose-gc')
const gc: () => void = vm.runInNewContext('gc')

/** A CIDv1 (dag-pb by default, sha2-256) whose digest starts with `n` */
function cidBytes (n: number, codec = 0x70): Uint8Array {
  const bytes = new Uint8Array(36)
  bytes.set([0x01, codec, 0x12, 0x20])
  new DataView(bytes.buffer).setFloat64(4, n)
  // the rest of the digest: fixed, as digests of distinct content differ in every byte anyway
  bytes.fill(0xa5, 12)
  return bytes
}

const peerCache = new Map<number, PeerId>()

/**
 * Fake peer ids are enough for the tracker, which keys peers by their
 * string; made once each, as a PeerId keeps its string
 */
function peer (n: number): PeerId {
  let found = peerCache.get(n)

  if (found == null) {
    // flattened, as a string a PeerId encodes is
    const id = Buffer.from(`12D3KooW${n.toString(36).padStart(44, 'x')}`).toString()
    found = { toString: () => id } as unknown as PeerId
    peerCache.set(n, found)
  }

  return found
}

async function startTracker (init: FrequencyTrackerInit = {}): Promise<FrequencyTracker> {
  // counts halve only if the bench runs for a day
  const tracker = frequencyTracker({ halfLife: 86_400_000, ...init })({ logger: defaultLogger() })
  await tracker.start()
  return tracker
}

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

function print (goal: string, figure: string, target: string): void {
  process.stdout.write(`${goal.padEnd(4)} ${figure.padEnd(64)} target ${target}\n`)
}

async function g1 (): Promise<void> {
  const sketch = new CountMinSketch(2 ** 21, 4)
  const hashes = new Uint32Array(2_000_000).map(() => crypto.randomInt(2 ** 32))
  let start = performance.now()

  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < hashes.length; i += 2) {
      sketch.add(hashes[i], hashes[i + 1], 1)
    }
  }

  const sketchRate = 5 * hashes.length / 2 / ((performance.now() - start) / 1000)
  print('G1', `sketch updates: ${(sketchRate / 1e6).toFixed(2)} M/s`, '≥ 1 M/s')

  // end to end: messages of 16 wants, scanned and counted
  const tracker = await startTracker({ perPeerCap: 1_000_000 })
  const messages = Array.from({ length: 20_000 }, (_, m) => lp.encode.single(BitswapMessage.encode({
    wantlist: { entries: Array.from({ length: 16 }, (_, i) => ({ cid: cidBytes(m * 16 + i), priority: 1 })) },
    blocks: [],
    blockPresences: [],
    pendingBytes: 0
  })).subarray())
  const peers = Array.from({ length: 1000 }, (_, i) => peer(i))
  start = performance.now()

  messages.forEach((message, m) => {
    const walker = wantWalker(wants => { tracker.observeWants(peers[m % peers.length], wants) }, () => {})
    walker.push(message)
  })

  const wantRate = messages.length * 16 / ((performance.now() - start) / 1000)
  print('G1', `want observations end to end: ${(wantRate / 1e3).toFixed(0)} k/s`, '≥ 250 k/s')

  // added time per message: 16 wants and a 1 MiB block, against what
  // bitswap does with it anyway (decode it, check the block's hash)
  const block = crypto.randomBytes(1024 * 1024)
  const bodies = Array.from({ length: 500 }, (_, m) => BitswapMessage.encode({
    wantlist: { entries: Array.from({ length: 16 }, (_, i) => ({ cid: cidBytes(1e9 + m * 16 + i), priority: 1 })) },
    blocks: [{ prefix: Uint8Array.of(1, 0x55, 0x12, 0x20), data: block }],
    blockPresences: [],
    pendingBytes: 0
  }))
  const framed = bodies.map(body => lp.encode.single(body).subarray())
  const samples: number[] = []
  const decodes: number[] = []

  for (let round = 0; round < 4; round++) {
    framed.forEach((message, m) => {
      let t = performance.now()
      const walker = wantWalker(wants => { tracker.observeWants(peers[(round * 500 + m) % peers.length], wants) }, () => {})
      walker.push(message)
      samples.push(performance.now() - t)
      t = performance.now()
      const decoded = BitswapMessage.decode(bodies[m])
      crypto.createHash('sha256').update(decoded.blocks[0].data).digest()
      decodes.push(performance.now() - t)
    })
  }

  samples.sort((a, b) => a - b)
  decodes.sort((a, b) => a - b)
  print('G1', `added per bitswap message (16 wants + 1 MiB block): p50 ${(quantile(samples, 0.5) * 1000).toFixed(1)} µs, p99 ${(quantile(samples, 0.99) * 1000).toFixed(1)} µs`, '< 50 µs p99')
  print('G1', `  bitswap's own decode + block hash: p50 ${(quantile(decodes, 0.5) * 1000).toFixed(0)} µs (added ${(100 * quantile(samples, 0.5) / quantile(decodes, 0.5)).toFixed(1)} %)`, '–')
  await tracker.stop()
}

/** Collect until the heap stops shrinking: external buffers are freed a collection late */
async function settle (): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function g2 (): Promise<void> {
  await settle()
  const before = process.memoryUsage()
  const tracker = await startTracker({ perPeerCap: 1_000_000 })
  const batch = 1000

  for (let n = 0; n < DISTINCT; n += batch) {
    const wants = Array.from({ length: batch }, (_, i) => ({ cid: cidBytes(n + i), have: false }))
    tracker.observeWants(peer(n / batch % REQUESTERS), wants)
  }

  await settle()
  const after = process.memoryUsage()
  const grown = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20
  print('G2', `tracker after ${(DISTINCT / 1e6).toFixed(0)} M distinct CIDs: ${grown.toFixed(1)} MiB (heap + array buffers)`, '≤ 64 MiB')
  await tracker.stop()
}

/** Zipf(1.0) ranks by inverse CDF */
function zipfSampler (keys: number): () => number {
  const cdf = new Float64Array(keys)
  let sum = 0

  for (let k = 0; k < keys; k++) {
    sum += 1 / (k + 1)
    cdf[k] = sum
  }

  return () => {
    const u = Math.random() * sum
    let lo = 0
    let hi = keys - 1

    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cdf[mid] < u) { lo = mid + 1 } else { hi = mid }
    }

    return lo
  }
}

/** An open-addressing set of non-negative integers below 2⁵³ */
class NumberSet {
  private readonly slots: Float64Array
  private readonly mask: number

  constructor (capacity: number) {
    const size = 2 ** Math.ceil(Math.log2(capacity * 2))
    this.slots = new Float64Array(size).fill(-1)
    this.mask = size - 1
  }

  /** Whether it was new */
  add (value: number): boolean {
    let i = (Math.imul(value % 4294967296, 0x9e3779b1) ^ Math.floor(value / 4294967296)) & this.mask

    while (this.slots[i] !== -1) {
      if (this.slots[i] === value) {
        return false
      }

      i = (i + 1) & this.mask
    }

    this.slots[i] = value
    return true
  }
}

async function g3 (): Promise<void> {
  const tracker = await startTracker({ epoch: 50, perPeerCap: 1024 })
  const sample = zipfSampler(KEYS)
  const exact = new Uint32Array(KEYS)
  let seen = new NumberSet(Math.min(EVENTS, EPOCH_EVENTS))
  const started = performance.now()

  for (let e = 0; e < EVENTS; e++) {
    if (e > 0 && e % EPOCH_EVENTS === 0) {
      // a new epoch for the tracker (its timer rotates it) and for the exact count
      await new Promise(resolve => setTimeout(resolve, 120))
      seen = new NumberSet(EPOCH_EVENTS)
    }

    const key = sample()
    const requester = crypto.randomInt(REQUESTERS)

    if (seen.add(requester * KEYS + key)) {
      exact[key]++
    }

    tracker.observeWants(peer(requester), [{ cid: cidBytes(key), have: false }])
  }

  const seconds = (performance.now() - started) / 1000
  const ranked = Array.from(exact.keys()).sort((a, b) => exact[b] - exact[a])
  const precision = (n: number): number => {
    const threshold = exact[ranked[n - 1]]
    const top = tracker.top({ limit: n })
    // ties at the n-th count are hits
    return top.filter(item => exact[new DataView(item.cid.multihash.digest.buffer, item.cid.multihash.digest.byteOffset).getFloat64(0)] >= threshold).length / n
  }

  print('G3', `precision@1,000 on Zipf(1.0), ${KEYS / 1e6} M keys, ${EVENTS / 1e6} M events, ${REQUESTERS / 1e3} k requesters: ${precision(1000).toFixed(3)}`, '≥ 0.95')
  print('G3', `precision@10,000: ${precision(10_000).toFixed(3)} (stream counted in ${seconds.toFixed(1)} s)`, '≥ 0.90')

  // one identity, 1 M wants for 100 CIDs of its own
  const flooder = peer(REQUESTERS + 1)
  for (let i = 0; i < 1_000_000; i++) {
    tracker.observeWants(flooder, [{ cid: cidBytes(2e9 + i % 100), have: false }])
  }
  const own = (limit: number, from: number, count: number): number => tracker.top({ limit }).filter(item => {
    const n = new DataView(item.cid.multihash.digest.buffer, item.cid.multihash.digest.byteOffset).getFloat64(0)
    return n >= from && n < from + count
  }).length
  print('G3', `a flooder's 100 CIDs (1 M wants) in the top-1,000: ${own(1000, 2e9, 100)}`, '0')

  // 50 identities, each wanting the same 100 CIDs, again and again
  for (let i = 0; i < 50; i++) {
    const sybil = peer(REQUESTERS + 10 + i)
    for (let round = 0; round < 100; round++) {
      tracker.observeWants(sybil, Array.from({ length: 100 }, (_, c) => ({ cid: cidBytes(3e9 + c), have: false })))
    }
  }
  print('G3', `50 identities' 100 CIDs in the top-100: ${own(100, 3e9, 100)}`, '0')
  await tracker.stop()
}

async function g4 (): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'torplus-bench-frequency-'))
  const tracker = await startTracker({ path: dir, perPeerCap: 1_000_000 })
  const sample = zipfSampler(KEYS)

  for (let e = 0; e < 2_000_000; e++) {
    tracker.observeWants(peer(crypto.randomInt(REQUESTERS)), [{ cid: cidBytes(sample()), have: false }])
  }

  const before = tracker.top({ limit: 1000 }).map(item => item.cid.toString())
  const started = performance.now()
  await tracker.save()
  const written = performance.now() - started
  const size = (await fs.stat(path.join(dir, 'snapshot.bin'))).size
  await tracker.stop()

  const again = await startTracker({ path: dir })
  const after = new Set(again.top({ limit: 1000 }).map(item => item.cid.toString()))
  const common = before.filter(cid => after.has(cid)).length
  print('G4', `snapshot ${(size / 2 ** 20).toFixed(1)} MiB written in ${written.toFixed(0)} ms`, '≤ 24 MiB, ≤ 300 ms')
  print('G4', `Jaccard(top-1,000) across a restart: ${(common / (before.length + after.size - common)).toFixed(3)}`, '≥ 0.99')
  await again.stop()
  await fs.rm(dir, { recursive: true, force: true })
}

process.stdout.write(`frequency bench on ${os.cpus().length} cores, Node ${process.version}\n`)
await g1()
await g2()
await g3()
await g4()
