/**
 * Payment benchmark, figures for the closing note:
 *
 * - request → payment → receipt cycles per second between two daemons, one
 *   after another, each billing the next 64 KiB the payee served, through the
 *   payee's RPC API (`payments/bill?up-to=`): on loopback TCP, and over onion
 *   on a 2-node devnet; every cycle is two fsyncs on each side and a stream
 * - settlement transactions per payer under steady traffic: a payer fetches
 *   continuously, the payee bills every 250 ms, and settles each tab at
 *   `Payments.SettleAmount` (scaled down here so a run sees several); the
 *   count is compared with throughput × price / SettleAmount, and the same
 *   formula gives the per-hour figure at the defaults
 *
 * With `--routed`, routed payments beside direct ones instead (routed-payments.ts).
 *
 * Usage: npm run bench:payments [-- --cycles 200 --seconds 30 | --routed]
 */
import crypto from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import all from 'it-all'
import { create } from 'kubo-rpc-client'
import { devnetDown, devnetUp } from '../src/devnet/cluster.js'
import { toStroops } from '../src/stellar/amounts.js'
import { startDaemon } from '../test/utils/daemon.js'
import { createPaidRepo, startNode, startPaymentLedger, MANUAL_BILLING } from '../test/utils/payments.js'
import { rpcCall } from '../test/utils/rpc.js'
import { argument } from './arguments.js'
import { routedBenchmarks } from './routed-payments.js'
import type { KuboRPCClient } from 'kubo-rpc-client'

const MiB = 1024 * 1024
const STEP = 64 * 1024
const CYCLES = argument('--cycles', 200)
const SECONDS = argument('--seconds', 30)
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

interface Side {
  api: string
  peerId: string
  client: KuboRPCClient
}

/** Cycles one after another; returns cycles/s and the median cycle */
async function measureCycles (payee: Side, payer: Side): Promise<{ perSecond: number, medianMs: number, rejected: number }> {
  const { cid } = await payee.client.add(crypto.randomBytes(Math.ceil((CYCLES + 2) * STEP * 1.05)))
  await all(payer.client.cat(cid))
  const start = BigInt((await rpcCall(payee.api, 'payments/peers', {})).Peers.find((p: any) => p.Peer === payer.peerId)?.Served?.PaidThrough ?? 0)
  const times: number[] = []
  let rejected = 0
  const began = performance.now()

  for (let i = 1; i <= CYCLES; i++) {
    const t = performance.now()
    const bill = await rpcCall(payee.api, 'payments/bill', { arg: payer.peerId, 'up-to': String(start + BigInt(i * STEP)) })
    times.push(performance.now() - t)
    rejected += bill.Status === 'paid' ? 0 : 1
  }

  return { perSecond: CYCLES / ((performance.now() - began) / 1000), medianMs: median(times), rejected }
}

function report (name: string, result: { perSecond: number, medianMs: number, rejected: number }): void {
  console.info(`${name}: ${result.perSecond.toFixed(1)} cycles/s, median cycle ${result.medianMs.toFixed(1)} ms, ${result.rejected} of ${CYCLES} not paid`)
}

async function loopbackCycles (): Promise<void> {
  const ledger = await startPaymentLedger()
  const payee = await startDaemon(await createPaidRepo(ledger, { Payments: { SettleAmount: '1000' }, Bitswap: MANUAL_BILLING }))
  const payer = await startDaemon(await createPaidRepo(ledger))

  try {
    await payer.client.swarm.connect(payee.multiaddrs[0] as any)
    report('loopback TCP', await measureCycles({ api: payee.apiUrl, peerId: payee.peerId, client: payee.client }, { api: payer.apiUrl, peerId: payer.peerId, client: payer.client }))
  } finally {
    await payer.stop()
    await payee.stop()
    await ledger.local.stop()
  }
}

async function onionCycles (): Promise<void> {
  const dir = path.join(os.tmpdir(), `torplus-bench-payments-${process.pid}`)
  const started = performance.now()
  const devnet = await devnetUp({ dir, nodes: 2, logger: defaultLogger(), stopWith: process.pid })

  try {
    console.info(`devnet of 2 up in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    const [payee, payer] = devnet.nodes.map(node => ({ api: node.api, peerId: node.peerId, client: create({ url: node.api }) }))
    await payer.client.swarm.connect(devnet.nodes[0].multiaddr as any)
    report('onion', await measureCycles(payee, payer))
  } finally {
    await devnetDown(dir)
  }
}

/** Steady traffic with a scaled-down SettleAmount, counting settlements */
async function steadySettlements (): Promise<void> {
  const price = '0.0100000'
  const settleAmount = '0.2000000'
  const ledger = await startPaymentLedger()
  const payee = await startNode(await createPaidRepo(ledger, { Payments: { PricePerMiB: price, SettleAmount: settleAmount, SettleInterval: 3_600_000 }, Bitswap: MANUAL_BILLING }))
  const payer = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: price } }))

  try {
    await payer.node.helia.libp2p.dial(payee.node.helia.libp2p.getMultiaddrs())
    const payerId = payer.node.helia.libp2p.peerId
    const deadline = Date.now() + SECONDS * 1000
    let billing = true
    const biller = (async () => {
      while (billing) {
        await payee.payments.bill(payerId)
        await new Promise(resolve => setTimeout(resolve, 250))
      }
    })()

    let bytes = 0

    while (Date.now() < deadline) {
      const cid = await payee.node.fs.addBytes(crypto.randomBytes(8 * MiB))
      await all(payer.node.fs.cat(cid))
      bytes += 8 * MiB
    }

    billing = false
    await biller
    const settled = payee.payments.tabs(['settled', 'submitting']).length
    const rate = bytes / MiB / SECONDS
    const predicted = rate * SECONDS * Number(toStroops(price)) / Number(toStroops(settleAmount))
    console.info(`steady traffic: ${rate.toFixed(1)} MiB/s for ${SECONDS} s at ${price} per MiB, SettleAmount ${settleAmount}: ${settled} settlements (throughput × price / SettleAmount = ${predicted.toFixed(1)})`)

    for (const [name, mibPerSecond] of [['this loopback rate', rate], ['6.2 MiB/s (one onion circuit, bench:onion)', 6.2]] as const) {
      // defaults: 0.0001 per MiB, SettleAmount 10, SettleInterval 15 min
      const byAmount = mibPerSecond * 3600 * 0.0001 / 10
      console.info(`at the defaults and ${name}: ${Math.max(byAmount, 4).toFixed(1)} settlements per payer per hour (${byAmount.toFixed(1)} by amount, 4 by SettleInterval)`)
    }
  } finally {
    await payer.stop()
    await payee.stop()
    await ledger.local.stop()
  }
}

if (process.argv.includes('--routed')) {
  await routedBenchmarks()
} else {
  await loopbackCycles()
  await steadySettlements()
  await onionCycles()
}
