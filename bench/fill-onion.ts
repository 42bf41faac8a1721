/**
 * Fill over onion on the devnet (FILL.md §6, G6 and G7), every figure from
 * one run. Four provider daemons hold the same DAGs (16 × 64 MiB by
 * default); the filler has paid each a little (so their word counts) and
 * looked each DAG up in the DHT (so each counts it as wanted). G7: each
 * provider asks each other one for its popular list over an open
 * connection, timed from the RPC call to its answer. G6: `fill` on the
 * filler, from the first request to the last DAG pinned, with the time spent
 * collecting lists, planning (a provider search and a root block per DAG)
 * and fetching, the bytes each provider served and what the round spent.
 *
 * Usage: npm run bench:fill-onion [-- --dags 16 --dag-mib 64]
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { create } from 'kubo-rpc-client'
import { CID } from 'multiformats/cid'
import { devnetDown, devnetUp } from '../src/devnet/cluster.js'
import { EPHEMERAL_HTTP_ADDRESSES } from '../src/devnet/ports.js'
import { initRepo } from '../src/repo/index.js'
import { argument } from './arguments.js'
import { deterministic } from './content.js'
import type { DevnetNode } from '../src/devnet/cluster.js'

const MiB = 1024 * 1024
const PROVIDERS = 4
const TOLL = 12 * MiB
const DAGS = argument('--dags', 16)
const DAG_MIB = argument('--dag-mib', 64)
const logger = defaultLogger()

/** A CID's multihash: the tracker counts blocks, whatever the CID's version */
const blockOf = (cid: string): string => CID.parse(cid).multihash.bytes.toString()
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]

/** One RPC call's JSON answer */
async function rpc (node: DevnetNode, command: string, args: Record<string, string> = {}, timeout = 300_000): Promise<any> {
  const response = await fetch(`${node.api}/api/v0/${command}?${new URLSearchParams(args).toString()}`, { method: 'POST', signal: AbortSignal.timeout(timeout) })
  const body = await response.text()

  if (!response.ok) {
    throw new Error(`${command}: ${response.status} ${body}`)
  }

  return body.trim().split('\n').filter(line => line !== '').map(line => JSON.parse(line))
}

/** An NDJSON RPC answer, line by line, as it arrives */
async function * rpcLines (node: DevnetNode, command: string, timeout: number): AsyncGenerator<any> {
  const response = await fetch(`${node.api}/api/v0/${command}`, { method: 'POST', signal: AbortSignal.timeout(timeout) })

  if (!response.ok || response.body == null) {
    throw new Error(`${command}: ${response.status} ${await response.text()}`)
  }

  const decoder = new TextDecoder()
  let buffered = ''

  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true })
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''

    for (const line of lines.filter(line => line !== '')) {
      yield JSON.parse(line)
    }
  }
}

/** Poll `check` every second until it holds, for at most `timeout` ms */
async function until (what: string, timeout: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeout

  while (!await check().catch(() => false)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`)
    }

    await new Promise(resolve => setTimeout(resolve, 1000))
  }
}

/**
 * The filler pays each provider for what it serves (past Bitswap.PaymentThreshold at the
 * default price): money exchanged makes a reporter's word count
 */
async function payEach (filler: DevnetNode, providers: DevnetNode[]): Promise<void> {
  for (const [i, provider] of providers.entries()) {
    const toll = await create({ url: provider.api }).add(deterministic(TOLL, 9000 + i), { pin: true })
    let bytes = 0
    for await (const chunk of create({ url: filler.api }).cat(toll.cid, { signal: AbortSignal.timeout(300_000) })) {
      bytes += chunk.byteLength
    }
    if (bytes !== TOLL) {
      throw new Error(`fetched ${bytes} bytes of the toll from ${provider.name}`)
    }
    // the filler's lookup made the toll popular too: pinned, fill leaves it out
    await create({ url: filler.api }).pin.add(toll.cid)
    await until(`a payment to ${provider.name}`, 120_000, async () => {
      const [{ Peers }] = await rpc(filler, 'payments/peers')
      return Number(Peers.find((peer: any) => peer.Peer === provider.peerId)?.Fetched?.Paid ?? 0) > 0
    })
  }
}

/** G7: each provider asks each other one for its list, over a connection already open */
async function listExchanges (providers: DevnetNode[]): Promise<number[]> {
  const times: number[] = []

  for (const asker of providers) {
    for (const asked of providers.filter(node => node !== asker)) {
      await create({ url: asker.api }).swarm.connect(asked.multiaddr as any, { signal: AbortSignal.timeout(120_000) })
      const started = performance.now()
      const [list] = await rpc(asker, 'frequency/ask', { arg: asked.peerId }, 120_000)
      times.push(performance.now() - started)

      if (!Array.isArray(list.Items) || list.Items.length === 0) {
        throw new Error(`${asked.name} listed nothing for ${asker.name}: ${JSON.stringify(list).slice(0, 200)}`)
      }
    }
  }

  return times
}

interface FillTimes {
  totalMs: number
  collectedMs: number
  plannedMs: number
  fetchMs: number
  round: any
}

/** G6: one fill round on the filler, timed by its progress events */
async function timedFill (filler: DevnetNode): Promise<FillTimes> {
  const started = performance.now()
  let collectedMs = 0
  let plannedMs = 0
  let firstDagMs = 0
  let round: any

  for await (const event of rpcLines(filler, 'fill', 1_800_000)) {
    const at = performance.now() - started
    if (event.Type === 'collected') {
      collectedMs = at
    } else if (event.Type === 'planned') {
      plannedMs = at
      process.stderr.write(`fill planned ${event.Dags} DAGs, ${(Number(event.Bytes) / MiB).toFixed(0)} MiB\n`)
    } else if (event.Type === 'dag' && firstDagMs === 0) {
      firstDagMs = at
    } else if (event.Type === 'dag-done' || event.Type === 'dag-failed') {
      process.stderr.write(`${seconds(at)} ${event.Type} ${event.Cid} ${event.Reason ?? ''}\n`)
    } else if (event.Type === 'round') {
      round = event
      process.stderr.write(`fill: ${event.Lists} lists, ${event.Candidates} candidates, planned ${event.Planned.map((item: any) => `${item.Cid} (${(Number(item.Size) / MiB).toFixed(0)} MiB, ${item.Requesters} requesters, ${item.Providers} providers)`).join(', ')}\n`)
    }
  }

  const totalMs = performance.now() - started
  return { totalMs, collectedMs, plannedMs: plannedMs - collectedMs, fetchMs: totalMs - (firstDagMs === 0 ? totalMs : firstDagMs), round }
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'torplus-bench-fill-'))

try {
  // repos set up before the devnet starts (it keeps an initialised repo's config)
  await initRepo(path.join(dir, 'node1'), {
    config: {
      Addresses: EPHEMERAL_HTTP_ADDRESSES,
      Datastore: { StorageMax: `${Math.ceil(DAGS * DAG_MIB / 1024 / 0.15)}GiB` },
      // sell at twice what it pays: a DAG four peers provide pays once four peers want it
      Payments: { PricePerMiB: '0.0002' },
      Fill: { Share: 0.2, MaxSpend: '100', MaxPricePerMiB: '0.0001' }
    } as any
  })
  for (let i = 2; i <= 1 + PROVIDERS; i++) {
    await initRepo(path.join(dir, `node${i}`), {
      config: {
        Addresses: EPHEMERAL_HTTP_ADDRESSES,
        // the filler's DHT lookups are all the demand there is
        Frequency: { MinRequesters: 1 },
        Bitswap: { FreeAllowance: '64KiB' }
      } as any
    })
  }

  let started = performance.now()
  const devnet = await devnetUp({ dir, nodes: 1 + PROVIDERS, logger, stopWith: process.pid })
  const [filler, ...providers] = devnet.nodes
  process.stdout.write(`fill over onion on the devnet: ${PROVIDERS} providers, ${DAGS} DAGs of ${DAG_MIB} MiB; devnet up in ${seconds(performance.now() - started)}\n`)

  // the same DAGs on every provider
  started = performance.now()
  const added: string[][] = []
  for (const provider of providers) {
    const client = create({ url: provider.api })
    const cids: string[] = []
    for (let d = 0; d < DAGS; d++) {
      cids.push((await client.add(deterministic(DAG_MIB * MiB, d), { pin: true })).cid.toString())
    }
    added.push(cids)
  }
  const dags = added[0]
  if (added.some(cids => cids.join() !== dags.join())) {
    throw new Error('the providers added different DAGs')
  }
  process.stderr.write(`added ${DAGS * DAG_MIB} MiB on each provider in ${seconds(performance.now() - started)}\n`)

  await payEach(filler, providers)

  // the filler looks each DAG up until it finds all four providers: each counts the lookup as demand
  started = performance.now()
  for (const dag of dags) {
    await until(`the providers of ${dag}`, 300_000, async () => {
      const found = new Set<string>()
      for await (const event of create({ url: filler.api }).routing.findProvs(dag as any, { signal: AbortSignal.timeout(60_000) })) {
        if (event.name === 'PROVIDER') {
          event.providers.forEach(peer => found.add(peer.id.toString()))
        }
      }
      return providers.every(provider => found.has(provider.peerId))
    })
  }
  await until('the providers to count the lookups', 60_000, async () => {
    const tops = await Promise.all(providers.map(async provider => (await rpc(provider, 'frequency/top', { n: '100' }))[0].Items.map((item: any) => blockOf(item.Cid))))
    return tops.every(top => dags.every(dag => top.includes(blockOf(dag))))
  })
  process.stderr.write(`every DAG found at every provider, and counted, in ${seconds(performance.now() - started)}\n`)

  const exchanges = await listExchanges(providers)
  const fill = await timedFill(filler)
  const fetched = fill.round.Fetched.length
  const bytes = Number(fill.round.Bytes)
  const [{ Peers }] = await rpc(filler, 'payments/peers')
  const paid = providers.map(provider => Peers.find((peer: any) => peer.Peer === provider.peerId)?.Fetched)

  process.stdout.write(`G7 list exchange, ${exchanges.length} asks between providers: p50 ${seconds(quantile(exchanges, 0.5))}, max ${seconds(Math.max(...exchanges))}   target p50 ≤ 2 s\n`)
  process.stdout.write(`G6 fill: ${fetched} of ${DAGS} DAGs, ${(bytes / MiB).toFixed(0)} MiB in ${seconds(fill.totalMs)} (${(bytes / MiB / (fill.totalMs / 1000)).toFixed(1)} MiB/s overall; ` +
    `lists ${seconds(fill.collectedMs)}, planning ${seconds(fill.plannedMs)}, fetching ${seconds(fill.fetchMs)} at ${(bytes / MiB / (fill.fetchMs / 1000)).toFixed(1)} MiB/s)   target 1 GiB ≤ 5 min\n`)
  process.stdout.write(`   spent ${fill.round.Spent}; bytes fetched from each provider: ${paid.map(books => `${(Number(books?.Bytes ?? 0) / MiB).toFixed(0)} MiB`).join(', ')}; failed ${fill.round.Failed.length}${fill.round.Stopped != null ? `, stopped: ${fill.round.Stopped}` : ''}\n`)
} catch (err) {
  process.stderr.write(`the daemons' logs are kept in ${dir}\n`)
  throw err
} finally {
  await devnetDown(dir)
}

await fs.rm(dir, { recursive: true, force: true })
