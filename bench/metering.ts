/**
 * Metering benchmark on loopback TCP, daemons in their own processes:
 *
 * - the same 64 MiB transfer from a provider that meters and bills (the
 *   default credit policy, paid by the client as it goes) and from one that
 *   charges nothing (metering off: plain @helia/bitswap with our traffic
 *   meter), rounds alternating; prints the median MiB/s of each and the
 *   ratio (target >= 0.95)
 * - 8 paying clients fetching 64 MiB each from one provider at once:
 *   aggregate MiB/s, and each client's payments against price × bytes
 *
 * Usage: npm run bench:metering [-- --rounds 3]
 */
import crypto from 'node:crypto'
import all from 'it-all'
import { priceOf } from '../src/payments/pricing.js'
import { toStroops } from '../src/payments/stellar/amounts.js'
import { startDaemon } from '../test/utils/daemon.js'
import { createPaidRepo, startPaymentLedger } from '../test/utils/payments.js'
import { rpcCall } from '../test/utils/rpc.js'
import type { RunningDaemon } from '../test/utils/daemon.js'
import type { PaymentLedger } from '../test/utils/payments.js'

const MiB = 1024 * 1024
const SIZE = 64 * MiB
const CLIENTS = 8
const PRICE = '0.0001'
const argument = (name: string, fallback: number): number => {
  const value = Number(process.argv[process.argv.indexOf(name) + 1])
  return process.argv.includes(name) && value > 0 ? value : fallback
}
const ROUNDS = argument('--rounds', 3)
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function provider (ledger: PaymentLedger, price: string): Promise<RunningDaemon> {
  return startDaemon(await createPaidRepo(ledger, { Payments: { PricePerMiB: price } }))
}

/** MiB/s of one client fetching fresh content from the provider */
async function fetchOnce (from: RunningDaemon, to: RunningDaemon): Promise<number> {
  const { cid } = await from.client.add(crypto.randomBytes(SIZE))
  await to.client.swarm.connect(from.multiaddrs[0] as any)
  const started = performance.now()
  const chunks = await all(to.client.cat(cid))
  const seconds = (performance.now() - started) / 1000

  if (chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) !== SIZE) {
    throw new Error('short read')
  }

  return SIZE / MiB / seconds
}

async function compare (ledger: PaymentLedger): Promise<void> {
  const metered = await provider(ledger, PRICE)
  const free = await provider(ledger, '0')
  const rates = { metered: [] as number[], free: [] as number[] }

  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, from] of [['metered', metered], ['free', free]] as const) {
        // a new client each time, so its allowance and wants start afresh
        const client = await startDaemon(await createPaidRepo(ledger))

        try {
          rates[name].push(await fetchOnce(from, client))
        } finally {
          await client.stop()
        }
      }
    }

    const ratio = median(rates.metered) / median(rates.free)
    console.info(`64 MiB, ${ROUNDS} rounds: metered and paid ${median(rates.metered).toFixed(1)} MiB/s (${rates.metered.map(r => r.toFixed(1)).join(', ')}), unmetered ${median(rates.free).toFixed(1)} MiB/s (${rates.free.map(r => r.toFixed(1)).join(', ')}): ratio ${ratio.toFixed(2)} (target >= 0.95)`)
  } finally {
    await metered.stop()
    await free.stop()
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

const ledger = await startPaymentLedger()

try {
  await compare(ledger)
  await manyClients(ledger)
} finally {
  await ledger.local.stop()
}
