/**
 * Crash safety: a payee daemon bills a payer daemon in small steps, settling
 * every few payments, while one of the two is killed (SIGKILL) at a random
 * moment and restarted, round after round. Afterwards the payee's books, the
 * payer's books and the ledger agree to the stroop: nothing was lost, and
 * nothing was paid twice. Victims and moments come from a seed that the test
 * prints; CRASH_SEED=<seed> runs the same rounds again.
 */
import crypto from 'node:crypto'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { toStroops } from '../../src/stellar/amounts.js'
import { startDaemon } from '../utils/daemon.js'
import { createPaidRepo, startPaymentLedger, MANUAL_BILLING } from '../utils/payments.js'
import { rpcCall } from '../utils/rpc.js'
import { seeded } from '../utils/seeded.js'
import type { RunningDaemon } from '../utils/daemon.js'
import type { PaymentLedger } from '../utils/payments.js'

const ROUNDS = 6
const STEP = 64 * 1024
const SEED = Number(process.env.CRASH_SEED ?? crypto.randomInt(2 ** 31))

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
      const peers = JSON.stringify(await payer.client.swarm.peers().catch(e => e.message))
      throw new Error(`the payer could not fetch from the payee before any crash (${err.message}); its peers: ${peers}`)
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
    const random = seeded(SEED)
    let killed = false
    // eslint-disable-next-line no-console
    console.info(`      crash seed ${SEED}: CRASH_SEED=${SEED} runs these rounds again`)

    /**
     * Bill in small steps until the victim is killed; a call that fails
     * before then is a failure of the node, not a death
     */
    const billUntilKilled = async (from: RunningDaemon, to: RunningDaemon, round: number): Promise<void> => {
      for (let step = 0; step < 1000; step++) {
        progress.upTo += STEP

        try {
          await rpc(from, 'payments/bill', { arg: to.peerId, 'up-to': String(progress.upTo) })
          progress.cycles++
        } catch (err: any) {
          if (killed) {
            return
          }

          throw new Error(`payments/bill failed with both daemons alive (seed ${SEED}, round ${round}, up to ${progress.upTo}): ${err.message}`)
        }
      }
    }

    for (let round = 0; round < ROUNDS; round++) {
      const victim = random(2) === 0 ? 'payee' : 'payer'
      const daemon = victim === 'payee' ? payee : payer
      killed = false
      const billing = billUntilKilled(payee, payer, round)
      // a bill that failed with both alive ends the test at once, not after the kill
      await Promise.race([billing, new Promise(resolve => setTimeout(resolve, 100 + random(400)))])

      const exited = new Promise(resolve => daemon.process.once('exit', resolve))
      killed = true
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

    expect(last?.Status, JSON.stringify({ seed: SEED, last, payee: await rpc(payee, 'payments/tabs'), payer: await rpc(payer, 'payments/peers') })).to.equal('nothing-due')
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
