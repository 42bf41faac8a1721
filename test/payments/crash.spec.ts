/**
 * Crash safety: a payee daemon bills a payer daemon in small steps, settling
 * every few payments, while one of the two is killed (SIGKILL) at a random
 * moment and restarted, round after round. Afterwards the payee's books, the
 * payer's books and the ledger agree to the stroop: nothing was lost, and
 * nothing was paid twice.
 */
import crypto from 'node:crypto'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { toStroops } from '../../src/stellar/amounts.js'
import { startDaemon } from '../utils/daemon.js'
import { createPaidRepo, startPaymentLedger, MANUAL_BILLING } from '../utils/payments.js'
import { rpcCall } from '../utils/rpc.js'
import type { RunningDaemon } from '../utils/daemon.js'
import type { PaymentLedger } from '../utils/payments.js'

const ROUNDS = 6
const STEP = 64 * 1024

async function rpc (daemon: RunningDaemon, endpoint: string, query: Record<string, string> = {}): Promise<any> {
  return rpcCall(daemon.apiUrl, endpoint, query, 30_000)
}

async function settleAll (daemon: RunningDaemon): Promise<any[]> {
  await rpc(daemon, 'payments/settle')
  return (await rpc(daemon, 'payments/tabs')).Tabs
}

describe('payments survive SIGKILL', function () {
  this.timeout(600_000)
  let ledger: PaymentLedger
  let payeeRepo: string
  let payerRepo: string
  let payee: RunningDaemon
  let payer: RunningDaemon

  const connect = async (): Promise<void> => {
    await payer.client.swarm.connect(payee.multiaddrs[0] as any)
  }

  before(async () => {
    ledger = await startPaymentLedger()
    // 64 KiB costs 625 stroops: a settlement every 4th payment or so
    payeeRepo = await createPaidRepo(ledger, { Payments: { PricePerMiB: '0.01', SettleAmount: '0.0025', SettleInterval: 3_600_000 }, Bitswap: MANUAL_BILLING })
    payerRepo = await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: '0.01' } })
    payee = await startDaemon(payeeRepo)
    payer = await startDaemon(payerRepo)
    await connect()

    const { cid } = await payee.client.add(crypto.randomBytes(4 * 1024 * 1024))
    try {
      await all(payer.client.cat(cid, { signal: AbortSignal.timeout(60_000) }))
    } catch (err: any) {
      // seen once in CI: the fetch never started; try once more, and if that fails too, say what the payer was connected to
      const peers = JSON.stringify(await payer.client.swarm.peers().catch(e => e.message))
      await connect()
      await all(payer.client.cat(cid, { signal: AbortSignal.timeout(60_000) }))
        .catch(again => { throw new Error(`fetch failed twice (${err.message}, ${again.message}); the payer's peers after the first: ${peers}`) })
    }
  })

  after(async () => {
    await payer?.stop()
    await payee?.stop()
    await ledger?.local.stop()
  })

  it('keeps both books and the ledger in agreement', async () => {
    const payeeAddress = (await rpc(payee, 'wallet/address')).Address
    const payerAddress = (await rpc(payer, 'wallet/address')).Address
    const start = { payee: await ledger.assetBalance(payeeAddress) ?? 0n, payer: await ledger.assetBalance(payerAddress) ?? 0n }
    const progress = { upTo: 0, cycles: 0 }
    const kills = { payee: 0, payer: 0 }

    /** Bill in small steps until a call fails: the victim died */
    const billUntilFailure = async (from: RunningDaemon, to: RunningDaemon): Promise<void> => {
      for (let step = 0; step < 1000; step++) {
        progress.upTo += STEP

        try {
          await rpc(from, 'payments/bill', { arg: to.peerId, 'up-to': String(progress.upTo) })
          progress.cycles++
        } catch {
          return
        }
      }
    }

    for (let round = 0; round < ROUNDS; round++) {
      const victim = crypto.randomInt(2) === 0 ? 'payee' : 'payer'
      const daemon = victim === 'payee' ? payee : payer
      const billing = billUntilFailure(payee, payer)

      await new Promise(resolve => setTimeout(resolve, 100 + crypto.randomInt(400)))
      const exited = new Promise(resolve => daemon.process.once('exit', resolve))
      daemon.process.kill('SIGKILL')
      await exited
      await billing
      kills[victim]++

      if (victim === 'payee') {
        payee = await startDaemon(payeeRepo)
      } else {
        payer = await startDaemon(payerRepo)
      }

      await connect()
    }

    // bill what is left, then settle everything
    let last: any

    for (let i = 0; i < 10 && last?.Status !== 'nothing-due'; i++) {
      last = await rpc(payee, 'payments/bill', { arg: payer.peerId })
    }

    expect(last?.Status, JSON.stringify({ last, payee: await rpc(payee, 'payments/tabs'), payer: await rpc(payer, 'payments/peers') })).to.equal('nothing-due')
    const tabs = await settleAll(payee)
    expect(tabs.filter(tab => tab.State !== 'settled' && tab.Result !== 'never paid'), JSON.stringify(tabs)).to.deep.equal([])

    const served = (await rpc(payee, 'payments/peers')).Peers.find((p: any) => p.Peer === payer.peerId).Served
    const fetched = (await rpc(payer, 'payments/peers')).Peers.find((p: any) => p.Peer === payee.peerId).Fetched
    const settled = tabs.filter(tab => tab.State === 'settled').reduce((sum, tab) => sum + toStroops(tab.Total), 0n)

    // what the payee was paid = what the payer paid = what the ledger moved
    expect(served.PaidThrough).to.equal(fetched.PaidThrough)
    expect(toStroops(served.Received)).to.equal(toStroops(fetched.Paid))
    expect(toStroops(served.Received)).to.equal(settled)
    expect(await ledger.assetBalance(payeeAddress)).to.equal(start.payee + settled)
    expect(await ledger.assetBalance(payerAddress)).to.equal(start.payer - settled)
    expect(progress.cycles).to.be.greaterThan(ROUNDS)
    expect(kills.payee + kills.payer).to.equal(ROUNDS)
  })
})
