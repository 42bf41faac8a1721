/**
 * Onion benchmark on the devnet: torplus daemons in onion-only mode move
 * content with bitswap, and in the same run raw bytes go through onion
 * circuits of the same private tor network (the physical limit). Prints
 * MiB/s and the ratios (target >= 0.8), the start-up times, and RSS.
 *
 * - one provider: a 64 MiB file over a new connection, against a new raw
 *   circuit (tor's congestion window starts afresh on both), then 64 MiB
 *   more over the same connection, against the same raw circuit again
 * - four providers at once, 16 MiB from each, against four raw circuits
 *
 * Raw and bitswap take turns within each round, so both see the network in
 * the same state; a circuit's speed depends on the relays it goes through
 * (3 to 15 MiB/s were seen here), so compare medians of several rounds.
 * - `torplus daemon` start to its onion being reachable, next to tor's own
 *   bootstrap and descriptor upload
 *
 * Usage: npm run bench:onion [-- --rounds 3]
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { create } from 'kubo-rpc-client'
import { readConfig } from '../src/config/index.js'
import { devnetDown, devnetUp } from '../src/devnet/cluster.js'
import { EPHEMERAL_HTTP_ADDRESSES } from '../src/devnet/ports.js'
import { initRepo } from '../src/repo/index.js'
import { ManagedTor } from '../src/transport/index.js'
import { startDaemon } from '../test/utils/daemon.js'
import { torChildrenOf } from '../test/utils/processes.js'
import { deterministic } from './content.js'
import { publish, readAll, serveBytes } from './raw-circuit.js'
import type { ByteSource } from './raw-circuit.js'
import type { DevnetNode } from '../src/devnet/cluster.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { KuboRPCClient } from 'kubo-rpc-client'

const MiB = 1024 * 1024
const BIG = 64 * MiB
const SHARE = 16 * MiB
const PROVIDERS = 4
const argument = (name: string): number => Number(process.argv[process.argv.indexOf(name) + 1])
const rounds = argument('--rounds') > 0 ? argument('--rounds') : 1

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const logger = defaultLogger()

/** Busy and total jiffies of the whole machine, from /proc/stat */
async function cpuTicks (): Promise<{ busy: number, total: number }> {
  const [, ...fields] = (await fs.readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/).map(Number)
  const idle = fields[3] + fields[4]
  const total = fields.reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}

/** CPU seconds a process has used, from /proc/<pid>/stat (utime + stime) */
async function processCpuSeconds (pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
  // the clock tick is 100 Hz on Linux
  return (fields[11] + fields[12]) / 100
}

/** Share of all cores busy during each measured transfer, by label */
const cpuBusy = new Map<string, number[]>()
/** Share of one core the fetching daemon used, by label */
const fetcherCpu = new Map<string, number[]>()
let fetcherPid: number | undefined

/** Seconds taken by `run`, which must return the byte count it was meant to move */
async function timed (label: string, expected: number, run: () => Promise<number>): Promise<number> {
  process.stderr.write(`${new Date().toISOString()} ${label}\n`)
  const before = await cpuTicks()
  const fetcherBefore = fetcherPid == null ? 0 : await processCpuSeconds(fetcherPid)
  const start = performance.now()
  const bytes = await run()
  const seconds = (performance.now() - start) / 1000
  const after = await cpuTicks()

  if (fetcherPid != null) {
    fetcherCpu.set(label, [...(fetcherCpu.get(label) ?? []), (await processCpuSeconds(fetcherPid) - fetcherBefore) / seconds])
  }

  if (bytes !== expected) {
    throw new Error(`moved ${bytes} bytes, expected ${expected}`)
  }

  cpuBusy.set(label, [...(cpuBusy.get(label) ?? []), (after.busy - before.busy) / (after.total - before.total)])
  return seconds
}

async function cat (client: KuboRPCClient, cid: string): Promise<number> {
  let bytes = 0

  for await (const chunk of client.cat(cid, { signal: AbortSignal.timeout(600_000) })) {
    bytes += chunk.byteLength
  }

  return bytes
}

/**
 * Raw circuits: a client tor reading from service tors. Each round reads
 * through new circuits (a SOCKS username of their own), and once more
 * through the same circuit, as bitswap does over a fresh connection and then
 * over the one it already has.
 */
class RawCircuits {
  private readonly client: ManagedTor
  private readonly services: ManagedTor[]
  private readonly sources: ByteSource[] = []
  private readonly onions: Array<{ big: string, share: string }> = []
  readonly bootstrapMs: number[] = []
  readonly uploadMs: number[] = []

  constructor (dir: string, torrc: string[]) {
    const tor = (name: string): ManagedTor => new ManagedTor({ dir: path.join(dir, name), logger, extraConfig: torrc })
    this.client = tor('raw-client')
    this.services = Array.from({ length: PROVIDERS }, (_, i) => tor(`raw-service${i}`))
  }

  async start (): Promise<void> {
    const big = await serveBytes(BIG)
    const share = await serveBytes(SHARE)
    this.sources.push(big, share)

    await this.client.start()
    await Promise.all(this.services.map(async service => {
      const start = performance.now()
      await service.start()
      this.bootstrapMs.push(performance.now() - start)
    }))

    for (const service of this.services) {
      const bigOnion = await publish(service, big.port, 1)
      const shareOnion = await publish(service, share.port, 2)
      this.uploadMs.push(bigOnion.uploadMs, shareOnion.uploadMs)
      this.onions.push({ big: bigOnion.serviceId, share: shareOnion.serviceId })
    }
  }

  /** Unmeasured: the first read of a run */
  async warmUp (): Promise<void> {
    await readAll(this.client, this.onions[0].share, 2, 'warm-up')
  }

  /** MiB/s of 64 MiB through a new circuit, then again through that circuit */
  async single (round: number): Promise<{ fresh: number, warm: number }> {
    const read = async (): Promise<number> => readAll(this.client, this.onions[0].big, 1, `single-${round}`)

    return {
      fresh: BIG / MiB / await timed('raw single', BIG, read),
      warm: BIG / MiB / await timed('raw warm', BIG, read)
    }
  }

  /** MiB/s of 16 MiB from each service at once, each through a new circuit */
  async four (round: number): Promise<number> {
    return PROVIDERS * SHARE / MiB / await timed('raw four', PROVIDERS * SHARE, async () => {
      const counts = await Promise.all(this.onions.map(async (onion, i) => readAll(this.client, onion.share, 2, `four-${round}-${i}`)))
      return counts.reduce((a, b) => a + b, 0)
    })
  }

  async stop (): Promise<void> {
    this.sources.forEach(source => { source.close() })
    await Promise.all([this.client, ...this.services].map(async t => t.stop()))
  }
}

/**
 * Bitswap over onion: node1 fetches from node2 alone, then from nodes 2-5 at
 * once. Each measurement starts on a new connection (so a new circuit, as
 * the raw side), except the second 64 MiB, which reuses it.
 */
class Bitswap {
  private readonly fetcher: KuboRPCClient
  private readonly providers: KuboRPCClient[]
  private readonly addresses: Multiaddr[]

  constructor (nodes: DevnetNode[]) {
    [this.fetcher, ...this.providers] = nodes.map(node => create({ url: node.api }))
    this.addresses = nodes.slice(1).map(node => multiaddr(node.multiaddr))
  }

  async single (round: number): Promise<{ fresh: number, warm: number }> {
    // new content every round, so nothing comes from the fetcher's blockstore
    const [fresh, warm] = await Promise.all([1, 2].map(async n =>
      (await this.providers[0].add(deterministic(BIG, 1000 + round * 10 + n), { pin: false })).cid.toString()))
    await this.reconnect(this.addresses.slice(0, 1))

    return {
      fresh: BIG / MiB / await timed('bitswap single', BIG, async () => cat(this.fetcher, fresh)),
      warm: BIG / MiB / await timed('bitswap warm', BIG, async () => cat(this.fetcher, warm))
    }
  }

  /** Unmeasured: the daemons' first transfer (code still cold) */
  async warmUp (): Promise<void> {
    const cid = (await this.providers[0].add(deterministic(SHARE, 999), { pin: false })).cid.toString()
    await cat(this.fetcher, cid)
  }

  async four (round: number): Promise<number> {
    const shares = await Promise.all(this.providers.map(async (provider, i) =>
      (await provider.add(deterministic(SHARE, 2000 + round * 10 + i), { pin: false })).cid.toString()))
    await this.reconnect(this.addresses)

    return PROVIDERS * SHARE / MiB / await timed('bitswap four', PROVIDERS * SHARE, async () =>
      (await Promise.all(shares.map(async cid => cat(this.fetcher, cid)))).reduce((a, b) => a + b, 0))
  }

  /** Drop the connections to these providers and dial them anew */
  private async reconnect (addresses: Multiaddr[]): Promise<void> {
    const connected = new Set((await this.fetcher.swarm.peers()).map(peer => peer.peer.toString()))

    for (const address of addresses) {
      if (connected.has(address.getComponents().find(c => c.name === 'p2p')?.value ?? '')) {
        await this.fetcher.swarm.disconnect(address)
      }

      await this.fetcher.swarm.connect(address, { signal: AbortSignal.timeout(120_000) })
    }
  }
}

/** A new daemon on the devnet: time to "ready" (descriptor uploaded) and to a first dial from node1 */
async function measureDaemonStart (dir: string, torrc: string[], dialer: DevnetNode): Promise<{ readyMs: number, reachableMs: number, stop(): Promise<unknown> }> {
  const repo = path.join(dir, 'late-node')
  await initRepo(repo, { config: { Addresses: EPHEMERAL_HTTP_ADDRESSES, Tor: { ExtraConfig: torrc } } as any })

  const start = performance.now()
  const daemon = await startDaemon(repo, { timeout: 180_000 })
  const readyMs = performance.now() - start
  const client = create({ url: dialer.api })
  const deadline = Date.now() + 180_000

  while (true) {
    try {
      await client.swarm.connect(multiaddr(daemon.multiaddrs[0]), { signal: AbortSignal.timeout(30_000) })
      break
    } catch (err) {
      if (Date.now() > deadline) {
        throw err
      }

      await new Promise(resolve => setTimeout(resolve, 500))
    }
  }

  return { readyMs, reachableMs: performance.now() - start, stop: daemon.stop }
}

/** Resident and peak memory of a process, in MiB */
async function memory (pid: number): Promise<{ rss: number, peak: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 }
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-onion-'))
let late: Awaited<ReturnType<typeof measureDaemonStart>> | undefined
let raw: RawCircuits | undefined

try {
  const start = performance.now()
  let consensusMs = 0
  const devnet = await devnetUp({
    dir,
    nodes: 1 + PROVIDERS,
    logger,
    stopWith: process.pid,
    onProgress: (evt) => { if (evt.type === 'devnet:tor:consensus') consensusMs = performance.now() - start }
  })
  const devnetMs = performance.now() - start
  const torrc = (await readConfig(path.join(devnet.nodes[0].repo, 'config'))).Tor.ExtraConfig

  raw = new RawCircuits(dir, torrc)
  await raw.start()
  const bitswap = new Bitswap(devnet.nodes)
  fetcherPid = devnet.nodes[0].pid
  const results = { raw: { fresh: [] as number[], warm: [] as number[], four: [] as number[] }, bitswap: { fresh: [] as number[], warm: [] as number[], four: [] as number[] } }

  await raw.warmUp()
  await bitswap.warmUp()

  // interleaved, so both sides see the network in the same state
  for (let round = 0; round < rounds; round++) {
    const rawSingle = await raw.single(round)
    const bitswapSingle = await bitswap.single(round)
    results.raw.fresh.push(rawSingle.fresh)
    results.raw.warm.push(rawSingle.warm)
    results.bitswap.fresh.push(bitswapSingle.fresh)
    results.bitswap.warm.push(bitswapSingle.warm)
    results.raw.four.push(await raw.four(round))
    results.bitswap.four.push(await bitswap.four(round))
  }

  fetcherPid = undefined
  const fetcherMemory = await memory(devnet.nodes[0].pid)
  const providerMemory = await memory(devnet.nodes[1].pid)
  const [providerTor] = await torChildrenOf(devnet.nodes[1].pid)
  const torMemory = providerTor == null ? { rss: 0, peak: 0 } : await memory(providerTor)
  late = await measureDaemonStart(dir, torrc, devnet.nodes[0])

  const busy = (label: string): string => `${(median(cpuBusy.get(label) ?? [0]) * 100).toFixed(0)}%`
  const row = (label: string, ours: number[], limit: number[], kind: string): string =>
    `${label.padEnd(44)} ${median(ours).toFixed(1).padStart(6)} MiB/s    ${median(limit).toFixed(1).padStart(6)} MiB/s    ${(median(ours) / median(limit)).toFixed(2).padEnd(6)}  ` +
    `CPU busy ${busy(`bitswap ${kind}`)} / ${busy(`raw ${kind}`)}, fetching daemon ${(median(fetcherCpu.get(`bitswap ${kind}`) ?? [0]) * 100).toFixed(0)}% of a core\n`

  process.stdout.write(`onion benchmark on the devnet (3 authorities, 3 relays, a managed tor per node), ${rounds} round(s), medians\n`)
  process.stdout.write(`${''.padEnd(44)} torplus bitswap   raw circuits    ratio   (target >= 0.8; CPU busy on all cores, bitswap / raw)\n`)
  process.stdout.write(row('64 MiB from one provider, new circuit', results.bitswap.fresh, results.raw.fresh, 'single'))
  process.stdout.write(row('64 MiB more over the same circuit', results.bitswap.warm, results.raw.warm, 'warm'))
  process.stdout.write(row(`${PROVIDERS} x 16 MiB, ${PROVIDERS} providers, new circuits`, results.bitswap.four, results.raw.four, 'four'))
  process.stdout.write(`each round, one provider (new, same circuit): ${results.bitswap.fresh.map((b, i) => `${b.toFixed(1)}/${results.raw.fresh[i].toFixed(1)}, ${results.bitswap.warm[i].toFixed(1)}/${results.raw.warm[i].toFixed(1)}`).join('; ')} MiB/s (bitswap/raw)\n`)
  process.stdout.write(`devnet up (network + ${1 + PROVIDERS} daemons)  ${seconds(devnetMs)} (consensus listing every relay after ${seconds(consensusMs)})\n`)
  process.stdout.write(`daemon start → ready ${seconds(late.readyMs)}, → reachable from another node ${seconds(late.reachableMs)}; ` +
    `tor alone: bootstrap ${seconds(median(raw.bootstrapMs))}, descriptor upload ${seconds(median(raw.uploadMs))} (medians)\n`)
  process.stdout.write(`RSS after the transfers: fetcher daemon ${fetcherMemory.rss.toFixed(0)} MiB (peak ${fetcherMemory.peak.toFixed(0)}), ` +
    `provider daemon ${providerMemory.rss.toFixed(0)} MiB (peak ${providerMemory.peak.toFixed(0)}), its tor ${torMemory.rss.toFixed(0)} MiB (peak ${torMemory.peak.toFixed(0)})\n`)
} catch (err) {
  process.stderr.write(`the daemons' logs are kept in ${dir}\n`)
  throw err
} finally {
  await raw?.stop()
  await late?.stop()
  await devnetDown(dir)
}

await fs.rm(dir, { recursive: true, force: true })
