/**
 * Many payers at once: each tab has a channel account of its own, so
 * settlements never collide on a sequence number, also when there are more
 * payers than channels (the oldest tab is settled to free one)
 */
import crypto from 'node:crypto'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { createPaidRepo, startNode, startPaymentLedger, MANUAL_BILLING } from '../utils/payments.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'

const PAYERS = 5
const CHANNELS = 3

describe('settlement with many payers', function () {
  this.timeout(120_000)
  let ledger: PaymentLedger
  let provider: RunningNode
  const payers: RunningNode[] = []

  before(async () => {
    ledger = await startPaymentLedger()
    provider = await startNode(await createPaidRepo(ledger, { Payments: { PricePerMiB: '0.001', Channels: CHANNELS, SettleAmount: '1000', SettleInterval: 3_600_000 }, Bitswap: MANUAL_BILLING }))
    // one at a time: the issuer's transactions share its sequence number
    for (let i = 0; i < PAYERS; i++) {
      payers.push(await startNode(await createPaidRepo(ledger)))
    }
  })

  after(async () => {
    await Promise.all(payers.map(async payer => payer.stop()))
    await provider?.stop()
    await ledger?.local.stop()
  })

  it('bills and settles every payer at once; each pays exactly its tab', async () => {
    const cid = await provider.node.fs.addBytes(crypto.randomBytes(512 * 1024))
    const before = await Promise.all(payers.map(async payer => ledger.assetBalance(payer.node.wallet.address)))
    const providerBefore = await ledger.assetBalance(provider.node.wallet.address) ?? 0n

    await Promise.all(payers.map(async payer => {
      await payer.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
      await all(payer.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
    }))

    const outcomes = await Promise.all(payers.map(async payer => provider.payments.bill(payer.node.helia.libp2p.peerId)))
    expect(outcomes.map(outcome => outcome.status)).to.deep.equal(Array(PAYERS).fill('paid'))
    expect(provider.payments.tabs(['open', 'submitting', 'settled']).length).to.equal(PAYERS)

    await provider.payments.settle()
    const tabs = provider.payments.tabs()
    expect(tabs.map(tab => tab.state)).to.deep.equal(Array(PAYERS).fill('settled'))
    expect(new Set(tabs.map(tab => tab.channel)).size).to.equal(CHANNELS)

    for (const [i, payer] of payers.entries()) {
      const paid = tabs.filter(tab => tab.peer === payer.node.helia.libp2p.peerId.toString()).reduce((sum, tab) => sum + tab.total, 0n)
      expect(await ledger.assetBalance(payer.node.wallet.address)).to.equal((before[i] ?? 0n) - paid)
    }

    expect(await ledger.assetBalance(provider.node.wallet.address)).to.equal(providerBefore + tabs.reduce((sum, tab) => sum + tab.total, 0n))
  })
})
