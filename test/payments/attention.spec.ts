/**
 * Attention money between in-process nodes on loopback, settled on the local
 * ledger: a viewer offers a site's owner an amount, the owner bills it, and
 * both books keep it apart from byte money, so that byte bills are still
 * held to the price. Then a payee that bills attention it was not offered,
 * more than offered or twice, or smuggles bytes into it, gets nothing; and
 * offers that are too small, too many at once, or from peers that never
 * answer cost the owner nothing it needs.
 */
import crypto from 'node:crypto'
import { Keypair } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { MAX_ATTENTION_OFFER, MIN_ATTENTION_OFFER, PAYMENT_PROTOCOL } from '../../src/payments/constants.js'
import { Reject } from '../../src/payments/pb/payment.js'
import { paymentChannel } from '../../src/payments/protocol/exchange.js'
import { createPaymentRequest } from '../../src/payments/protocol/request.js'
import { createPaidRepo, startNode, startPaymentLedger, MANUAL_BILLING } from '../utils/payments.js'
import { createRoguePeer } from '../utils/rogue.js'
import type { PaymentMessage } from '../../src/payments/pb/payment.js'
import type { UnsignedPaymentRequest } from '../../src/payments/protocol/request.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'

const MiB = 1024n * 1024n
const SITE = 'torplus.example.com'

/** One message to `to` on a new payment stream from `from`, and its answer */
async function exchange (from: RunningNode, to: RunningNode, message: PaymentMessage, timeout = 15_000): Promise<PaymentMessage> {
  await from.node.helia.libp2p.dial(to.node.helia.libp2p.getMultiaddrs())
  const channel = paymentChannel(await from.node.helia.libp2p.dialProtocol(to.node.helia.libp2p.peerId, PAYMENT_PROTOCOL))
  await channel.write(message)
  const answer = await channel.read({ signal: AbortSignal.timeout(timeout) })
  await channel.close()
  return answer
}

describe('attention payments', function () {
  this.timeout(180_000)
  let ledger: PaymentLedger
  const nodes: RunningNode[] = []

  async function node (config: Record<string, any> = {}): Promise<RunningNode> {
    const started = await startNode(await createPaidRepo(ledger, config))
    nodes.push(started)
    return started
  }

  before(async () => {
    ledger = await startPaymentLedger()
  })

  after(async () => {
    await Promise.all(nodes.map(async running => running.stop()))
    await ledger?.local.stop()
  })

  it('pays a site owner what was offered, kept apart from byte money, and lands it', async () => {
    const owner = await node({ Payments: { PricePerMiB: '0.0100000', SettleAmount: '1000', SettleInterval: 3_600_000 }, Bitswap: MANUAL_BILLING })
    const viewer = await node({ Payments: { MaxPricePerMiB: '0.0100000' } })
    await viewer.node.helia.libp2p.dial(owner.node.helia.libp2p.getMultiaddrs())
    const ownerId = owner.node.helia.libp2p.peerId
    const viewerId = viewer.node.helia.libp2p.peerId
    const before = await ledger.assetBalance(owner.node.wallet.address)

    // attention alone: no bytes served yet
    expect(await viewer.payments.offerAttention(ownerId, 20_000n, SITE)).to.equal(20_000n)
    expect(viewer.payments.books.payer(ownerId.toString())).to.include({ paid: 20_000n, attention: 20_000n, paidThrough: 0n })
    expect(owner.payments.books.payee(viewerId.toString())).to.include({ received: 20_000n, attention: 20_000n, paidThrough: 0n })

    // then bytes: billed at the full price, which the attention paid does not eat into
    const cid = await owner.node.fs.addBytes(crypto.randomBytes(Number(2n * MiB)))
    await all(viewer.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
    const bill = await owner.payments.bill(viewerId)
    expect(bill.status, JSON.stringify(bill, (_, v) => typeof v === 'bigint' ? v.toString() : v)).to.equal('paid')
    const paidForBytes = bill.status === 'paid' ? bill.amount : 0n
    expect(paidForBytes > 0n, 'bytes were billed').to.equal(true)

    // and a second offer on the same tab, with the bytes
    expect(await viewer.payments.offerAttention(ownerId, 15_000n, SITE)).to.equal(15_000n)
    const payer = viewer.payments.books.payer(ownerId.toString())
    expect(payer.attention).to.equal(35_000n)
    expect(payer.paid).to.equal(35_000n + paidForBytes)
    expect(owner.payments.books.payee(viewerId.toString())).to.include({ received: 35_000n + paidForBytes, attention: 35_000n })

    const settled = await owner.payments.settle()
    expect(settled.map(tab => tab.state)).to.deep.equal(['settled'])
    expect((await ledger.assetBalance(owner.node.wallet.address) ?? 0n) - (before ?? 0n)).to.equal(35_000n + paidForBytes)

    const history = await all(owner.payments.events(0, Date.now() + 1))
    expect(history.filter(event => event.kind === 'payment-received').map(event => event.reason)).to.include(`15000 for attention to ${SITE}`)
  })

  it('pays a payee no attention it was not offered, none past the offer, once, and no bytes dressed as attention', async () => {
    const viewer = await node()
    const payee = await node({ Bitswap: MANUAL_BILLING })
    const payeeLibp2p = payee.node.helia.libp2p
    const channel = Keypair.random().publicKey()
    await ledger.local.ledger.friendbot(channel)
    const sequence = BigInt((await ledger.server.loadAccount(channel)).sequenceNumber()) + 1n
    let total = 0n

    const bill = async (fields: Partial<UnsignedPaymentRequest>): Promise<PaymentMessage> => {
      const amount = fields.amount ?? 12_000n
      const request = await createPaymentRequest({
        payee: payee.node.wallet.address,
        assetCode: 'TPL',
        assetIssuer: payee.node.wallet.asset.getIssuer() ?? '',
        amount,
        attention: amount,
        rangeStart: 0n,
        rangeEnd: 0n,
        expiry: BigInt(Date.now() + 60_000),
        channel,
        sequence,
        total: total + amount,
        ...fields
      }, payee.repo.privateKey)
      const answer = await exchange(payee, viewer, { request })
      total += answer.payment == null ? 0n : amount
      return answer
    }

    // with no offer out
    expect((await bill({})).reject?.code).to.equal(Reject.Code.NOT_OFFERED)

    // the payee answers an offer of 12,000 by billing 12,001, then bytes dressed as attention, then 12,000 twice
    const answers: Array<Reject.Code | 'paid'> = []
    await payeeLibp2p.unhandle(PAYMENT_PROTOCOL)
    await payeeLibp2p.handle(PAYMENT_PROTOCOL, async (stream) => {
      const offerChannel = paymentChannel(stream)
      const { offer } = await offerChannel.read()
      const amount = offer?.amount ?? 0n

      for (const fields of [{ amount: amount + 1n }, { amount: amount + 500n, attention: amount }, { amount }, { amount }]) {
        const answer = await bill(fields)
        answers.push(answer.payment != null ? 'paid' : answer.reject?.code ?? Reject.Code.UNKNOWN)
      }

      await offerChannel.write({ receipt: { requestId: new Uint8Array(16), totalPaid: total } })
      await offerChannel.close()
    })

    expect(await viewer.payments.offerAttention(payeeLibp2p.peerId, 12_000n, SITE)).to.equal(12_000n)
    expect(answers).to.deep.equal([Reject.Code.NOT_OFFERED, Reject.Code.MALFORMED, 'paid', Reject.Code.NOT_OFFERED])
    expect(viewer.payments.books.payer(payeeLibp2p.peerId.toString())).to.include({ paid: 12_000n, attention: 12_000n })

    // and none once the offer is answered
    expect((await bill({})).reject?.code).to.equal(Reject.Code.NOT_OFFERED)
    expect(viewer.payments.books.payer(payeeLibp2p.peerId.toString()).paid).to.equal(12_000n)
  })

  it('counts an offer the payee never bills as nothing paid', async () => {
    const viewer = await node({ Payments: { RequestTimeout: 2_000 } })
    const payee = await node()
    const payeeLibp2p = payee.node.helia.libp2p
    await payeeLibp2p.unhandle(PAYMENT_PROTOCOL)
    // it reads the offer and answers a receipt without billing
    await payeeLibp2p.handle(PAYMENT_PROTOCOL, async (stream) => {
      const channel = paymentChannel(stream)
      await channel.read()
      await channel.write({ receipt: { requestId: new Uint8Array(16), totalPaid: 1_000_000n } })
      await channel.close()
    })
    await viewer.node.helia.libp2p.dial(payeeLibp2p.getMultiaddrs())

    expect(await viewer.payments.offerAttention(payeeLibp2p.peerId, 50_000n, SITE)).to.equal(0n)
    expect(viewer.payments.books.payer(payeeLibp2p.peerId.toString()).paid).to.equal(0n)
  })

  it('refuses offers too small, too large, for no DNS name, and too many at once, and one that never pays holds nothing for long', async () => {
    const owner = await node({ Payments: { RequestTimeout: 2_000 }, Bitswap: MANUAL_BILLING })
    const offerer = await node()

    const small = await exchange(offerer, owner, { offer: { amount: MIN_ATTENTION_OFFER - 1n, site: SITE } })
    expect(small.reject?.code).to.equal(Reject.Code.MALFORMED)
    for (const offer of [{ amount: MIN_ATTENTION_OFFER, site: 'x'.repeat(300) }, { amount: MIN_ATTENTION_OFFER, site: 'torplus.example.com\n\u001b[2J' }, { amount: MAX_ATTENTION_OFFER + 1n, site: SITE }, { amount: 2n ** 64n - 1n, site: SITE }]) {
      expect((await exchange(offerer, owner, { offer })).reject?.code, offer.site.slice(0, 30)).to.equal(Reject.Code.MALFORMED)
    }

    // offerers that never answer the bill their offer asks for: two are billed, the third is told to come back
    const silent = await Promise.all(Array.from({ length: 3 }, async () => {
      const rogue = await createRoguePeer()
      await rogue.handle(PAYMENT_PROTOCOL, async () => { await new Promise(resolve => setTimeout(resolve, 10_000)) })
      return rogue
    }))

    try {
      const answers = await Promise.all(silent.map(async (rogue, i) => {
        // the third comes once the first two are being billed
        await new Promise(resolve => setTimeout(resolve, i * 500))
        const channel = paymentChannel(await rogue.dialProtocol(owner.node.helia.libp2p.getMultiaddrs(), PAYMENT_PROTOCOL))
        await channel.write({ offer: { amount: MIN_ATTENTION_OFFER, site: SITE } })
        const answer = await channel.read({ signal: AbortSignal.timeout(15_000) })
        await channel.close()
        return answer.reject?.code
      }))

      expect(answers.slice(0, 2)).to.deep.equal([Reject.Code.UNAVAILABLE, Reject.Code.UNAVAILABLE])
      expect(answers[2]).to.equal(Reject.Code.RATE_LIMITED)
    } finally {
      await Promise.all(silent.map(async rogue => rogue.stop()))
    }

    // the node bills on: an honest offer after them is paid
    expect(await offerer.payments.offerAttention(owner.node.helia.libp2p.peerId, MIN_ATTENTION_OFFER, SITE)).to.equal(MIN_ATTENTION_OFFER)
  })
})
