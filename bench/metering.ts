/**
 * Metering benchmark, daemons in their own processes:
 *
 * - the same 64 MiB transfer on loopback TCP from a provider that meters and
 *   bills (the default credit policy, paid by the client as it goes) and
 *   from one that charges nothing (metering off: plain @helia/bitswap with
 *   our byte counter), in ABBA order, with dirty pages written out before
 *   each fetch (the previous fetch's blocks are otherwise written back during
 *   the next); prints the median MiB/s of each and the ratio (target >= 0.95)
 * - 8 paying clients fetching 64 MiB each from one provider at once:
 *   aggregate MiB/s, and each client's payments against price × bytes
 * - the first comparison again over onion, on a private tor network
 * - the credit policy's rates against an unmodified Helia client that does
 *   not pay: full speed through its allowance and credit, then the measured
 *   throttle rate against Bitswap.ThrottleRate (target 0.8 to 1.2)
 *
 * Usage: npm run bench:metering [-- --rounds 6 --onion-rounds 3]
 */
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import path from 'node:path'
import { unixfs } from '@helia/unixfs'
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import { TorNetwork } from '../src/devnet/tor-network.js'
import { priceOf } from '../src/payments/pricing.js'
import { toStroops } from '../src/stellar/amounts.js'
import { startDaemon } from '../test/utils/daemon.js'
import { createPlainHelia } from '../test/utils/helia.js'
import { rateWithin } from '../test/utils/metering.js'
import { createOnionPaidRepo, createPaidRepo, startPaymentLedger } from '../test/utils/payments.js'
import { tempDir } from '../test/utils/repo.js'
import { rpcCall } from '../test/utils/rpc.js'
import type { RunningDaemon } from '../test/utils/daemon.js'
import type { Samples } from '../test/utils/metering.js'
import type { PaymentLedger } from '../test/utils/payments.js'

const MiB = 1024 * 1024
const SIZE = 64 * MiB
const CLIENTS = 8
const PRICE = '0.0001'
const argument = (name: string, fallback: number): number => {
  const value = Number(process.argv[process.argv.indexOf(name) + 1])
  return process.argv.includes(name) && value > 0 ? value : fallback
}
const ROUNDS = argument('--rounds', 6)
const ONION_ROUNDS = argument('--onion-rounds', 3)
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function provider (ledger: PaymentLedger, price: string): Promise<RunningDaemon> {
  return startDaemon(await createPaidRepo(ledger, { Payments: { PricePerMiB: price } }))
}

/** MiB/s of one client fetching fresh content from the provider */
async function fetchOnce (from: RunningDaemon, to: RunningDaemon): Promise<number> {
  const { cid } = await from.client.add(crypto.randomBytes(SIZE))
  // a connection of its own each time: over onion that is a new circuit, and
  // circuits differ in speed more than anything measured here
  await to.client.swarm.disconnect(from.multiaddrs[0] as any).catch(() => {})
  await to.client.swarm.connect(from.multiaddrs[0] as any)
  execFileSync('sync')
  const started = performance.now()
  const chunks = await all(to.client.cat(cid))
  const seconds = (performance.now() - started) / 1000

  if (chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) !== SIZE) {
    throw new Error('short read')
  }

  return SIZE / MiB / seconds
}

/**
 * Fetches from the metered and the unmetered provider in ABBA order; prints
 * each one's median and their ratio. `client` gives the fetcher for one
 * fetch, `done` is told when it is no longer needed.
 */
async function compare (label: string, rounds: number, providers: Record<'metered' | 'free', RunningDaemon>, client: () => Promise<RunningDaemon>, done: (client: RunningDaemon) => Promise<unknown>): Promise<void> {
  const rates = { metered: [] as number[], free: [] as number[] }

  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['metered', 'free'] as const : ['free', 'metered'] as const

    for (const name of order) {
      const to = await client()

      try {
        rates[name].push(await fetchOnce(providers[name], to))
      } finally {
        await done(to)
      }
    }
  }

  const list = (values: number[]): string => values.map(r => r.toFixed(1)).join(', ')
  console.info(`64 MiB ${label}, ${rounds} rounds: metered and paid ${median(rates.metered).toFixed(1)} MiB/s (${list(rates.metered)}), unmetered ${median(rates.free).toFixed(1)} MiB/s (${list(rates.free)}): ratio ${(median(rates.metered) / median(rates.free)).toFixed(2)} (target >= 0.95)`)
}

async function loopback (ledger: PaymentLedger): Promise<void> {
  const providers = { metered: await provider(ledger, PRICE), free: await provider(ledger, '0') }

  try {
    // a new client each time, so its allowance and wants start afresh
    await compare('on loopback TCP', ROUNDS, providers, async () => startDaemon(await createPaidRepo(ledger)), async (client) => client.stop())
  } finally {
    await Promise.all(Object.values(providers).map(async daemon => daemon.stop()))
  }
}

/** The same over onion, on a private tor network: one client, as a new one would mean a new tor */
async function overOnion (ledger: PaymentLedger): Promise<void> {
  const network = new TorNetwork({ dir: path.join(await tempDir('torplus-bench-metering-'), 'network'), logger: defaultLogger() })
  await network.start()
  const daemons: RunningDaemon[] = []

  try {
    // one after another: each funds an account from the issuer's
    const repos = []

    for (const config of [{ Payments: { PricePerMiB: PRICE } }, { Payments: { PricePerMiB: '0' } }, {}]) {
      repos.push(await createOnionPaidRepo(ledger, network, config))
    }

    const [metered, free, client] = await Promise.all(repos.map(async repo => {
      const daemon = await startDaemon(repo, { timeout: 120_000 })
      daemons.push(daemon)
      return daemon
    }))
    await compare('over onion', ONION_ROUNDS, { metered, free }, async () => client, async () => {})
  } finally {
    await Promise.all(daemons.map(async daemon => daemon.stop()))
    await network.stop()
  }
}

async function manyClients (ledger: PaymentLedger): Promise<void> {
  const from = await provider(ledger, PRICE)
  const clients: RunningDaemon[] = []

  try {
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(await startDaemon(await createPaidRepo(ledger)))
    }

    const { cid } = await from.client.add(crypto.randomBytes(SIZE))

    for (const client of clients) {
      await client.client.swarm.connect(from.multiaddrs[0] as any)
      // libp2p takes at most 5 inbound connections a second from one host (its
      // inboundConnectionThreshold), and here every client is 127.0.0.1
      await new Promise(resolve => setTimeout(resolve, 250))
    }

    const started = performance.now()
    await Promise.all(clients.map(async client => all(client.client.cat(cid))))
    const seconds = (performance.now() - started) / 1000
    console.info(`${CLIENTS} paying clients × 64 MiB at once: ${(CLIENTS * SIZE / MiB / seconds).toFixed(1)} MiB/s in all, ${seconds.toFixed(1)} s`)

    for (const client of clients) {
      const ledgerView = await rpcCall(from.apiUrl, 'bitswap/ledger', { arg: client.peerId })
      const owed = priceOf(BigInt(ledgerView.Sent) - BigInt(ledgerView.FreeBytes), toStroops(PRICE))
      console.info(`  ${client.peerId.slice(-8)}: sent ${(Number(ledgerView.Sent) / MiB).toFixed(1)} MiB, free ${(Number(ledgerView.FreeBytes) / MiB).toFixed(1)} MiB, paid ${ledgerView.PaidToUs} of ${(Number(owed) / 1e7).toFixed(7)} owed, unpaid ${ledgerView.Unpaid}, ${ledgerView.Status}`)
    }
  } finally {
    await Promise.all(clients.map(async client => client.stop()))
    await from.stop()
  }
}

/** What a client that does not pay gets: full speed up to the credit limit, then the throttle rate */
async function throttle (ledger: PaymentLedger): Promise<void> {
  const rate = 256 * 1024
  const creditEnd = 41 * MiB
  const disconnectAt = 49 * MiB
  const from = await startDaemon(await createPaidRepo(ledger, {
    Payments: { PricePerMiB: '0.0100000' },
    // 1 MiB free, 40 MiB of credit, then 8 MiB at the throttle rate: ~32 s, long enough that its one-second burst and the frame sizes do not blur it
    Bitswap: { FreeAllowance: '1MiB', AllowanceRefreshRate: 0, PaymentThreshold: '0.1000000', BillAhead: '0', CreditLimit: '0.4000000', DisconnectLimit: '0.4800000', ThrottleRate: rate }
  }))
  const helia = await createPlainHelia()

  try {
    const { cid } = await from.client.add(crypto.randomBytes(SIZE))
    await helia.libp2p.dial(multiaddr(from.multiaddrs[0]))
    const peer = helia.libp2p.peerId.toString()
    const controller = new AbortController()
    const fetching = all(unixfs(helia).cat(CID.parse(cid.toString()), { signal: controller.signal })).catch(() => {})
    const samples: Samples = []
    const started = performance.now()

    for (let status = ''; status !== 'refused' && performance.now() - started < 120_000;) {
      const view = await rpcCall(from.apiUrl, 'bitswap/ledger', { arg: peer })
      samples.push([performance.now() - started, Number(view.Sent)])
      status = view.Status
      await new Promise(resolve => setTimeout(resolve, 100))
    }

    controller.abort()
    await fetching
    const fast = rateWithin(samples, MiB, creditEnd)
    const throttled = rateWithin(samples, creditEnd, disconnectAt)
    console.info(`a client that does not pay, on loopback TCP: ${(fast / MiB).toFixed(1)} MiB/s through its allowance and credit, then ${(throttled / 1024).toFixed(0)} KiB/s throttled: ${(throttled / rate).toFixed(2)} × Bitswap.ThrottleRate (target 0.8 to 1.2)`)
  } finally {
    await helia.stop()
    await from.stop()
  }
}

const ledger = await startPaymentLedger()

try {
  await throttle(ledger)
  await loopback(ledger)
  await manyClients(ledger)
  await overOnion(ledger)
} finally {
  await ledger.local.stop()
}
