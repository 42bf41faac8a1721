/**
 * Routed payments beside direct ones, over onion on a private tor network
 * with the local ledger (`npm run bench:payments -- --routed`):
 *
 * - latency: a provider bills the next 64 KiB, alternately to a client that
 *   pays directly and to one that pays through three relays; the time from
 *   the request issued to the provider credited (the bill's answer), and
 *   until the preimage is back at the routed client
 * - ledger transactions: everything settled once, counted per leg; at the
 *   defaults each leg settles once per SettleInterval whatever the number of
 *   payments, the locks costing none
 * - a metered 64 MiB fetch paid directly and through the route, alternated,
 *   throughput routed / direct
 *
 * Usage: npm run bench:payments -- --routed [--payments 30 --rounds 2]
 */
import crypto from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { TorNetwork } from '../src/devnet/tor-network.js'
import { createOnionPaidRepo, startNode, startPaymentLedger } from '../test/utils/payments.js'
import { connectAll } from '../test/utils/routes.js'
import { argument } from './arguments.js'
import type { PaymentLedger, RunningNode } from '../test/utils/payments.js'

const MiB = 1024 * 1024
const STEP = 64 * 1024
const PAYMENTS = argument('--payments', 30)
const ROUNDS = argument('--rounds', 2)
const PRICE = '0.0100000'
const SETTLE = { SettleAmount: '100000', SettleInterval: 3_600_000 }

const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]

interface Cluster {
  network: TorNetwork
  ledger: PaymentLedger
  relays: RunningNode[]
  provider: RunningNode
  direct: RunningNode
  routed: RunningNode
}

async function startCluster (bitswap: Record<string, unknown>): Promise<Cluster> {
  const dir = path.join(os.tmpdir(), `torplus-bench-routes-${process.pid}-${Date.now()}`)
  const network = new TorNetwork({ dir: path.join(dir, 'network'), logger: defaultLogger() })
  await network.start()
  const ledger = await startPaymentLedger()
  const relays: RunningNode[] = []

  for (let i = 0; i < 3; i++) {
    relays.push(await startNode(await createOnionPaidRepo(ledger, network, { Payments: { ...SETTLE, Relay: { Enabled: true }, Routes: { Hops: 0 } } })))
  }

  const provider = await startNode(await createOnionPaidRepo(ledger, network, { Payments: { ...SETTLE, PricePerMiB: PRICE, Routes: { Hops: 0 } }, Bitswap: bitswap }))
  const direct = await startNode(await createOnionPaidRepo(ledger, network, { Payments: { ...SETTLE, MaxPricePerMiB: PRICE, Routes: { Hops: 0 } } }))
  const routed = await startNode(await createOnionPaidRepo(ledger, network, { Payments: { ...SETTLE, MaxPricePerMiB: PRICE, Routes: { Hops: 3, Fallback: 'refuse', Relays: relays.map(relay => relay.node.helia.libp2p.getMultiaddrs()[0].toString()) } } }))
  await connectAll([...relays, provider, direct, routed])
  return { network, ledger, relays, provider, direct, routed }
}

async function stopCluster (cluster: Cluster): Promise<void> {
  await Promise.all([...cluster.relays, cluster.provider, cluster.direct, cluster.routed].map(async node => node.stop()))
  await cluster.ledger.local.stop()
  await cluster.network.stop()
}

async function latency (): Promise<void> {
  // bills only when told to
  const cluster = await startCluster({ FreeAllowance: 0, PaymentThreshold: '100000', CreditLimit: '200000', DisconnectLimit: '300000' })
  const { provider, direct, routed } = cluster

  try {
    const cid = await provider.node.fs.addBytes(crypto.randomBytes((PAYMENTS + 2) * STEP))
    await Promise.all([direct, routed].map(async client => all(client.node.fs.cat(cid))))
    const times = { direct: [] as number[], routed: [] as number[], preimage: [] as number[] }

    for (let i = 1; i <= PAYMENTS; i++) {
      for (const [name, client] of [['direct', direct], ['routed', routed]] as const) {
        const began = performance.now()
        const bill = await provider.payments.bill(client.node.helia.libp2p.peerId, { rangeEnd: BigInt(i * STEP) })
        times[name].push(performance.now() - began)

        if (bill.status !== 'paid') {
          throw new Error(`the ${name} payment ${i} was not paid: ${JSON.stringify(bill, (_, value) => typeof value === 'bigint' ? value.toString() : value)}`)
        }

        if (name === 'routed') {
          const [latest] = routed.payments.books.routedList()
          await pWaitFor(() => routed.payments.books.routed(latest.hash)?.state === 'fulfilled', { timeout: 60_000, interval: 10 })
          times.preimage.push(performance.now() - began)
        }
      }
    }

    const report = (values: number[]): string => `median ${quantile(values, 0.5).toFixed(0)} ms, p95 ${quantile(values, 0.95).toFixed(0)} ms`
    console.info(`${PAYMENTS} payments each over onion, request issued to provider credited: direct ${report(times.direct)}; through 3 relays ${report(times.routed)}`)
    console.info(`added by the route: median +${(quantile(times.routed, 0.5) - quantile(times.direct, 0.5)).toFixed(0)} ms, p95 +${(quantile(times.routed, 0.95) - quantile(times.direct, 0.95)).toFixed(0)} ms; preimage back at the client ${report(times.preimage)}`)

    // one settlement of everything: one transaction per leg that holds a payment
    const ledgerTx = async (): Promise<number> => (await cluster.ledger.server.transactions().limit(200).order('desc').call()).records.length
    const before = await ledgerTx()
    const settled = (await Promise.all([...cluster.relays, provider].map(async node => node.payments.settle()))).flat().filter(tab => tab.state === 'settled')
    const after = await ledgerTx()
    const routedTabs = settled.filter(tab => tab.leg === true).length
    console.info(`settling all ${PAYMENTS} payments each way: ${after - before} ledger transactions, ${routedTabs} of them for the route's 4 legs and ${settled.length - routedTabs} for the direct tab; locks cost none`)
    console.info(`at the defaults (SettleInterval 15 min) one busy route takes ${4 * 4} ledger transactions an hour (4 legs × 4), paying directly ${4}, whatever the number of payments`)
  } finally {
    await stopCluster(cluster)
  }
}

async function meteredFetch (): Promise<void> {
  const cluster = await startCluster({ FreeAllowance: 0, PaymentThreshold: '0.1000000', BillAhead: '0.0800000', CreditLimit: '0.4000000', DisconnectLimit: '0.4600000' })
  const { provider, direct, routed } = cluster

  try {
    const seconds = { direct: [] as number[], routed: [] as number[] }

    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, client] of (round % 2 === 0 ? [['direct', direct], ['routed', routed]] : [['routed', routed], ['direct', direct]]) as Array<['direct' | 'routed', RunningNode]>) {
        const cid = await provider.node.fs.addBytes(crypto.randomBytes(64 * MiB))
        const began = performance.now()
        await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(600_000) }))
        seconds[name].push((performance.now() - began) / 1000)
      }
    }

    const total = (values: number[]): number => values.reduce((sum, value) => sum + value, 0)
    const rate = (values: number[]): number => values.length * 64 / total(values)
    console.info(`metered 64 MiB over onion, ${ROUNDS} rounds alternated: paid directly ${rate(seconds.direct).toFixed(2)} MiB/s (${seconds.direct.map(s => s.toFixed(1)).join(', ')} s), through 3 relays ${rate(seconds.routed).toFixed(2)} MiB/s (${seconds.routed.map(s => s.toFixed(1)).join(', ')} s): ratio ${(rate(seconds.routed) / rate(seconds.direct)).toFixed(2)}`)
    const routes = routed.payments.routes()
    console.info(`the routed client paid ${routes.paid} payments through the route (${routes.failed} failed), ${routes.fees} in fees`)
  } finally {
    await stopCluster(cluster)
  }
}

export async function routedBenchmarks (): Promise<void> {
  await latency()
  await meteredFetch()
}
