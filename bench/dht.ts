/**
 * DHT lookup benchmark: the time `routing findprovs` takes to name a provider
 * on a devnet of onion-only daemons and, in the same run, on as many daemons
 * over loopback TCP. In a network this small every node holds every provider
 * record (a record goes to the 20 closest peers), so each lookup is made by
 * a node that joins after the record was announced, through its bootstrap
 * peer, and looks up as soon as it is connected to it: the time includes
 * kad-dht's wait for its first self-lookup, as a freshly started node's
 * first lookup does. Each lookup reports the peers it asked (DIALING_PEER
 * events) and the connections it opened.
 *
 * Usage: npm run bench:dht [-- --nodes 6 --lookups 9]
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { create } from 'kubo-rpc-client'
import { PROFILES, readConfig } from '../src/config/index.js'
import { devnetDown, devnetUp } from '../src/devnet/cluster.js'
import { EPHEMERAL_HTTP_ADDRESSES } from '../src/devnet/ports.js'
import { initRepo } from '../src/repo/index.js'
import { startDaemon } from '../test/utils/daemon.js'
import { argument } from './arguments.js'
import type { RunningDaemon } from '../test/utils/daemon.js'
import type { KuboRPCClient } from 'kubo-rpc-client'
import type { CID } from 'multiformats/cid'

const NODES = argument('--nodes', 6)
const LOOKUPS = argument('--lookups', 9)
const LOOKUP_TIMEOUT = 120_000

interface BenchNode {
  peerId: string
  /** With /p2p/ */
  multiaddr: string
  client: KuboRPCClient
}

interface Lookup {
  ms: number
  asked: number
  opened: number
}

const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b)
const median = (values: number[]): number => sorted(values)[Math.floor(values.length / 2)]

async function connectedPeers (client: KuboRPCClient): Promise<Array<{ peer: string, addr: string }>> {
  return (await client.swarm.peers()).map(peer => ({ peer: peer.peer.toString(), addr: peer.addr.toString() }))
}

async function lookup (provider: BenchNode, searcher: BenchNode, cid: CID): Promise<Lookup> {
  const before = (await connectedPeers(searcher.client)).length
  const started = performance.now()
  const signal = AbortSignal.timeout(LOOKUP_TIMEOUT)
  let asked = 0
  let ms: number | undefined

  for await (const event of searcher.client.routing.findProvs(cid, { numProviders: 1, signal } as any)) {
    if (event.name === 'DIALING_PEER') {
      asked++
    }

    if (event.name === 'PROVIDER' && event.providers.some(peer => peer.id.toString() === provider.peerId)) {
      ms = performance.now() - started
      break
    }
  }

  if (ms == null) {
    throw new Error(`${searcher.peerId} did not find ${provider.peerId} as the provider of ${cid}`)
  }

  return { ms, asked, opened: (await connectedPeers(searcher.client)).length - before }
}

interface Cluster {
  nodes: BenchNode[]
  /** A new daemon that bootstraps from the first node and is connected to it */
  join(): Promise<BenchNode & { stop(): Promise<unknown> }>
}

async function run (label: string, cluster: Cluster): Promise<Lookup[]> {
  const results: Lookup[] = []

  for (let i = 0; i < LOOKUPS; i++) {
    const provider = cluster.nodes[1 + (i % (cluster.nodes.length - 1))]
    const { cid } = await provider.client.add(crypto.randomBytes(4096))
    // announced before the searcher joins, which so holds no copy of the record
    for await (const event of provider.client.routing.provide(cid)) { void event }
    const searcher = await cluster.join()

    try {
      const result = await lookup(provider, searcher, cid)
      process.stdout.write(`  ${label} lookup ${i + 1}: ${result.ms.toFixed(0)} ms, asked ${result.asked}, opened ${result.opened}\n`)
      results.push(result)
    } finally {
      await searcher.stop()
    }
  }

  return results
}

/**
 * Start a daemon on a new repo with the given config, and wait until it is
 * connected to its bootstrap peer
 */
async function joiner (dir: string, config: Record<string, unknown>, bootstrap: BenchNode): Promise<BenchNode & { stop(): Promise<unknown> }> {
  const repo = path.join(await fs.mkdtemp(path.join(dir, 'searcher-')), 'repo')
  await initRepo(repo, { config: { ...config, Routing: { Bootstrap: [bootstrap.multiaddr] } } as any })
  const daemon = await startDaemon(repo, { timeout: 120_000 })
  const deadline = Date.now() + 120_000

  while (!(await connectedPeers(daemon.client)).some(({ peer }) => peer === bootstrap.peerId)) {
    if (Date.now() > deadline) {
      await daemon.stop()
      throw new Error(`the new node never reached its bootstrap peer:\n${daemon.output()}`)
    }

    await new Promise(resolve => setTimeout(resolve, 100))
  }

  return { peerId: daemon.peerId, multiaddr: daemon.multiaddrs[0], client: daemon.client, stop: async () => daemon.stop() }
}

async function loopbackCluster (dir: string): Promise<{ cluster: Cluster, daemons: RunningDaemon[] }> {
  const daemons: RunningDaemon[] = []
  const config = { ...PROFILES.loopback.config, Addresses: { Swarm: ['/ip4/127.0.0.1/tcp/0'], ...EPHEMERAL_HTTP_ADDRESSES } }

  for (let i = 0; i < NODES; i++) {
    const repo = path.join(dir, `node${i + 1}`)
    await initRepo(repo, { config: { ...config, Routing: { Bootstrap: daemons.slice(0, 1).map(daemon => daemon.multiaddrs[0]) } } as any })
    daemons.push(await startDaemon(repo, { timeout: 60_000 }))
  }

  const nodes = daemons.map(daemon => ({ peerId: daemon.peerId, multiaddr: daemon.multiaddrs[0], client: daemon.client }))
  return { daemons, cluster: { nodes, join: async () => joiner(dir, config, nodes[0]) } }
}

function summary (label: string, results: Lookup[]): string {
  const ms = results.map(result => result.ms)
  return `${label.padEnd(10)} median ${median(ms).toFixed(0).padStart(6)} ms   min ${sorted(ms)[0].toFixed(0).padStart(6)}   max ${sorted(ms)[ms.length - 1].toFixed(0).padStart(6)}   ` +
    `peers asked ${median(results.map(result => result.asked))}   connections opened ${median(results.map(result => result.opened))} (medians)\n`
}

async function main (): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-dht-'))
  const devnetDir = path.join(dir, 'devnet')
  let daemons: RunningDaemon[] = []

  try {
    const devnetStarted = performance.now()
    const devnet = await devnetUp({ dir: devnetDir, nodes: NODES, logger: defaultLogger(), stopWith: process.pid })
    const devnetMs = performance.now() - devnetStarted
    const onionNodes = devnet.nodes.map(node => ({ peerId: node.peerId, multiaddr: node.multiaddr, client: create({ url: node.api }) }))
    const onionConfig = { Addresses: EPHEMERAL_HTTP_ADDRESSES, Tor: { ExtraConfig: (await readConfig(path.join(devnet.nodes[0].repo, 'config'))).Tor.ExtraConfig } }
    const onion = await run('onion', { nodes: onionNodes, join: async () => joiner(dir, onionConfig, onionNodes[0]) })
    await devnetDown(devnetDir)

    const loopbackNet = await loopbackCluster(path.join(dir, 'loopback'))
    daemons = loopbackNet.daemons
    const loopback = await run('loopback', loopbackNet.cluster)

    process.stdout.write(`\nfindprovs to the first provider, ${NODES} nodes, ${LOOKUPS} lookups each, each by a node that had just joined\n`)
    process.stdout.write(summary('onion', onion))
    process.stdout.write(summary('loopback', loopback))
    process.stdout.write(`onion / loopback median latency: ${(median(onion.map(r => r.ms)) / median(loopback.map(r => r.ms))).toFixed(1)}x; devnet up in ${(devnetMs / 1000).toFixed(1)} s\n`)
  } finally {
    await devnetDown(devnetDir)
    await Promise.all(daemons.map(async daemon => daemon.stop()))
  }
}

main().catch(err => {
  process.stderr.write(`${err.stack ?? err}\n`)
  process.exitCode = 1
})
