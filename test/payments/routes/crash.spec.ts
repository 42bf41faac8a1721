/**
 * Routed payments survive SIGKILL: a provider daemon bills a client daemon
 * in small steps, paid through three relay daemons, while one of the five
 * (any role) is killed at a random moment and restarted, round after round.
 * Afterwards, once every lock has resolved and everything is settled, the
 * client's and the provider's books agree on what was paid for, the client's
 * debits are what its fulfilled payments cost, the provider was paid at
 * least what it credited, and no stroop left the five accounts. Victims and
 * moments come from a seed the test prints; CRASH_SEED=<seed> replays them.
 */
import crypto from 'node:crypto'
import net from 'node:net'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { EPHEMERAL_HTTP_ADDRESSES } from '../../../src/devnet/ports.js'
import { toStroops } from '../../../src/stellar/amounts.js'
import { startDaemon } from '../../utils/daemon.js'
import { createPaidRepo, startPaymentLedger, MANUAL_BILLING } from '../../utils/payments.js'
import { rpcCall } from '../../utils/rpc.js'
import { seeded } from '../../utils/seeded.js'
import type { RunningDaemon } from '../../utils/daemon.js'
import type { PaymentLedger } from '../../utils/payments.js'

const ROUNDS = 4
const STEP = 64 * 1024
const SEED = Number(process.env.CRASH_SEED ?? crypto.randomInt(2 ** 31))
const SHORT = { FinalDelta: 5_000, ClaimMargin: 2_000 }
const SETTLE = { SettleAmount: '1000', SettleInterval: 3_600_000 }

/** A free loopback port: a restarted daemon listens where it did */
async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => { resolve(port) })
    }).on('error', reject)
  })
}

async function rpc (daemon: RunningDaemon, endpoint: string, query: Record<string, string> = {}): Promise<any> {
  return rpcCall(daemon.apiUrl, endpoint, query, 30_000)
}

describe('routed payments survive SIGKILL', function () {
  this.timeout(900_000)
  let ledger: PaymentLedger
  const repos: Record<string, string> = {}
  const daemons: Record<string, RunningDaemon> = {}
  const roles = ['client', 'relay0', 'relay1', 'relay2', 'provider']

  async function connectAll (): Promise<void> {
    for (const [i, from] of roles.entries()) {
      for (const to of roles.slice(i + 1)) {
        await daemons[from].client.swarm.connect(daemons[to].multiaddrs[0] as any).catch(() => {})
      }
    }
  }

  before(async () => {
    ledger = await startPaymentLedger()
    const swarm = async (): Promise<{ Addresses: Record<string, unknown> }> => ({ Addresses: { ...EPHEMERAL_HTTP_ADDRESSES, Swarm: [`/ip4/127.0.0.1/tcp/${await freePort()}`] } })

    for (const relay of ['relay0', 'relay1', 'relay2']) {
      repos[relay] = await createPaidRepo(ledger, { ...await swarm(), Payments: { ...SETTLE, Relay: { Enabled: true, ExpiryDelta: 5_000 }, Routes: { ...SHORT, Hops: 0 } } })
      daemons[relay] = await startDaemon(repos[relay])
    }

    repos.provider = await createPaidRepo(ledger, { ...await swarm(), Payments: { ...SETTLE, PricePerMiB: '0.01', Routes: { ...SHORT, Hops: 0 } }, Bitswap: MANUAL_BILLING })
    daemons.provider = await startDaemon(repos.provider)
    repos.client = await createPaidRepo(ledger, { ...await swarm(), Payments: { ...SETTLE, MaxPricePerMiB: '0.01', Routes: { ...SHORT, Hops: 3, Fallback: 'refuse', Relays: ['relay0', 'relay1', 'relay2'].map(relay => daemons[relay].multiaddrs[0]) } } })
    daemons.client = await startDaemon(repos.client)
    await connectAll()

    const { cid } = await daemons.provider.client.add(crypto.randomBytes(4 * 1024 * 1024))
    await all(daemons.client.client.cat(cid, { signal: AbortSignal.timeout(60_000) }))
  })

  after(async () => {
    await Promise.all(Object.values(daemons).map(async daemon => daemon.stop()))
    await ledger?.local.stop()
  })

  it('keeps the books and the ledger in agreement, whoever is killed when', async () => {
    const address: Record<string, string> = {}

    for (const role of roles) {
      address[role] = (await rpc(daemons[role], 'wallet/address')).Address
    }

    const balances = async (): Promise<Record<string, bigint>> => Object.fromEntries(await Promise.all(roles.map(async role => [role, await ledger.assetBalance(address[role]) ?? 0n])))
    const start = await balances()
    const random = seeded(SEED)
    const progress = { upTo: 0, paid: 0, outcomes: [] as string[] }
    let killed = false
    // eslint-disable-next-line no-console
    console.info(`      crash seed ${SEED}: CRASH_SEED=${SEED} runs these rounds again`)

    const billUntilKilled = async (): Promise<void> => {
      for (let step = 0; step < 200; step++) {
        if (killed) {
          return
        }

        progress.upTo += STEP

        try {
          const bill = await rpc(daemons.provider, 'payments/bill', { arg: daemons.client.peerId, 'up-to': String(progress.upTo) })
          progress.paid += bill.Status === 'paid' ? 1 : 0
          progress.outcomes.push(bill.Status === 'rejected' ? `${bill.Code}: ${bill.Reason}` : bill.Status)
        } catch (err: any) {
          if (!killed) {
            throw new Error(`payments/bill failed with every daemon alive (seed ${SEED}): ${err.message}`)
          }
        }
      }
    }

    for (let round = 0; round < ROUNDS; round++) {
      const victim = roles[random(roles.length)]
      killed = false
      const billing = billUntilKilled()
      await Promise.race([billing, new Promise(resolve => setTimeout(resolve, 200 + random(800)))])
      const exited = new Promise(resolve => daemons[victim].process.once('exit', resolve))
      killed = true
      daemons[victim].process.kill('SIGKILL')
      await exited
      await billing
      daemons[victim] = await startDaemon(repos[victim])
      await connectAll()
    }

    // bill what is left: a payment whose route broke is billed again, once
    // the locks it left lapse (with three relays there is no spare route)
    let last: any

    for (let i = 0; i < 90 && last?.Status !== 'nothing-due'; i++) {
      last = await rpc(daemons.provider, 'payments/bill', { arg: daemons.client.peerId })
      progress.paid += last.Status === 'paid' ? 1 : 0

      if (last.Status === 'rejected') {
        await new Promise(resolve => setTimeout(resolve, 1000))
      }
    }

    expect(last?.Status, JSON.stringify({ seed: SEED, last, routes: await rpc(daemons.client, 'payments/routes') })).to.equal('nothing-due')

    // every lock resolves: fulfilled, or lapsed (the longest a first leg lives: 5 + 10 + 3 × 5 s)
    await pWaitFor(async () => (await rpc(daemons.client, 'payments/routes')).Payments.every((payment: any) => payment.State !== 'pending'), { timeout: 120_000, interval: 1000 })
    await new Promise(resolve => setTimeout(resolve, 35_000))

    for (const role of ['relay0', 'relay1', 'relay2', 'provider']) {
      await rpc(daemons[role], 'payments/settle')
    }

    const end = await balances()
    const moved = Object.fromEntries(roles.map(role => [role, end[role] - start[role]]))
    const routes = await rpc(daemons.client, 'payments/routes')
    const served = (await rpc(daemons.provider, 'payments/peers')).Peers.find((p: any) => p.Peer === daemons.client.peerId).Served
    const fetched = (await rpc(daemons.client, 'payments/peers')).Peers.find((p: any) => p.Peer === daemons.provider.peerId).Fetched
    const fulfilledCost = routes.Payments.filter((payment: any) => payment.State === 'fulfilled').reduce((sum: bigint, payment: any) => sum + toStroops(payment.Amount) + toStroops(payment.Fee), 0n)
    const context = JSON.stringify({ seed: SEED, moved: Object.fromEntries(Object.entries(moved).map(([role, delta]) => [role, delta.toString()])), served, fetched, fulfilledCost: fulfilledCost.toString() })

    // both books agree on what was paid for, no stroop left the five, the client paid what its fulfilled payments cost
    expect(served.PaidThrough, context).to.equal(fetched.PaidThrough)
    expect(Object.values(moved).reduce((sum, delta) => sum + delta, 0n), context).to.equal(0n)
    expect(-moved.client, context).to.equal(fulfilledCost)
    expect(moved.provider >= toStroops(served.Received), context).to.equal(true)
    expect(progress.paid, JSON.stringify(progress.outcomes)).to.be.at.least(1)
  })
})
