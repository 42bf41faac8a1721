/**
 * The payment protocol between in-process nodes on loopback, settled on the
 * local ledger: a provider bills a client for the bytes it served, the
 * client pays, the provider settles, and the balances on the ledger move by
 * exactly the amounts in the books. Then each bad request is rejected with
 * its own reason, and no request is paid twice. Each part runs on a provider
 * and client of its own, so that one failure does not run into the next.
 */
import crypto from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Keypair, TransactionBuilder } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import pWaitFor from 'p-wait-for'
import { createPaymentGateway } from '../../src/api/payment-gateway.js'
import { PAYMENT_PROTOCOL } from '../../src/payments/constants.js'
import { Reject } from '../../src/payments/pb/payment.js'
import { priceOf } from '../../src/payments/pricing.js'
import { paymentChannel } from '../../src/payments/protocol/exchange.js'
import { createPaymentRequest } from '../../src/payments/protocol/request.js'
import { deriveChannelKeypair } from '../../src/payments/stellar/channels.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { createPaidRepo, startNode, startPaymentLedger, MANUAL_BILLING } from '../utils/payments.js'
import type { PaymentMessage, PaymentRequest } from '../../src/payments/pb/payment.js'
import type { UnsignedPaymentRequest } from '../../src/payments/protocol/request.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Transaction } from '@stellar/stellar-sdk'
import type { Hono } from 'hono'

const PRICE = '0.0100000'
const TOLERANCE = 64 * 1024
const PAY_AHEAD = 256 * 1024

async function transfer (from: RunningNode, to: RunningNode, bytes: number): Promise<void> {
  const cid = await from.node.fs.addBytes(crypto.randomBytes(bytes))
  await to.node.helia.libp2p.dial(from.node.helia.libp2p.getMultiaddrs())
  await all(to.node.fs.cat(cid, { signal: AbortSignal.timeout(30_000) }))
}

/** Whether `node` waits on `peer` for blocks it asked it for */
function isServing (node: RunningNode, peer: PeerId): boolean {
  return node.node.services.deliveryMeter.serving(peer)
}

/** Send one crafted request from `from` to `to` and read the answer */
async function send (from: RunningNode, to: RunningNode, message: PaymentMessage): Promise<PaymentMessage> {
  const stream = await from.node.helia.libp2p.dialProtocol(to.node.helia.libp2p.peerId, PAYMENT_PROTOCOL)
  const channel = paymentChannel(stream)
  await channel.write(message)
  const answer = await channel.read({ signal: AbortSignal.timeout(10_000) })
  await channel.close()
  return answer
}

describe('payments', function () {
  this.timeout(120_000)
  let ledger: PaymentLedger
  let provider: RunningNode
  let client: RunningNode

  before(async () => {
    ledger = await startPaymentLedger()
  })

  after(async () => {
    await ledger?.local.stop()
  })

  /** A provider billing by hand and a client with this budget per peer, new for each part */
  function withPair (budgetPerPeer = '0.06'): void {
    before(async () => {
      provider = await startNode(await createPaidRepo(ledger, { Payments: { PricePerMiB: PRICE, SettleAmount: '1000', SettleInterval: 3_600_000 }, Bitswap: MANUAL_BILLING }))
      client = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: '0.0200000', ByteTolerance: TOLERANCE, PayAhead: PAY_AHEAD, Budget: { PerPeer: budgetPerPeer } } }))
    })

    after(async () => {
      await client?.stop()
      await provider?.stop()
    })
  }

  describe('a request, a payment, a receipt, a settlement', () => {
    let firstVersion: string | undefined
    withPair()

    it('bills the client exactly the price of the bytes it was served', async () => {
      await transfer(provider, client, 3 * 1024 * 1024)
      const served = provider.peerTraffic.get(client.node.helia.libp2p.peerId).bytesSent
      const delivered = client.peerTraffic.get(provider.node.helia.libp2p.peerId).bytesDelivered
      // what the client counts is the blocks it asked for, with a framing allowance that runs ahead of the provider's count
      expect(Number(delivered - served)).to.be.within(0, 64 * 16)
      expect(served > 3n * 1024n * 1024n).to.be.true()

      const outcome = await provider.payments.bill(client.node.helia.libp2p.peerId)
      expect(outcome).to.include({ status: 'paid', amount: priceOf(served, toStroops(PRICE)), total: priceOf(served, toStroops(PRICE)), paidThrough: served })

      const [payee] = client.payments.peers()
      expect(payee.toPeer).to.include({ paidThrough: served, paid: priceOf(served, toStroops(PRICE)) })
    })

    it('settles a new payer\'s first tab at once, so it knows early whether its promises land', async () => {
      await pWaitFor(() => provider.payments.tabs()[0].state === 'settled', { timeout: 10_000 })
      const [tab] = provider.payments.tabs()
      expect(await ledger.assetBalance(provider.node.wallet.address)).to.equal(toStroops('1000') + tab.total)
      expect(await ledger.assetBalance(client.node.wallet.address)).to.equal(toStroops('1000') - tab.total)
      expect(provider.payments.peers()[0].fromPeer?.landed).to.equal(tab.total)
    })

    it('has nothing to bill until more bytes are served', async () => {
      expect(await provider.payments.bill(client.node.helia.libp2p.peerId, { rangeEnd: provider.payments.peers()[0].fromPeer?.paidThrough })).to.include({ status: 'nothing-due' })
    })

    it('adds the next payments to one tab, cumulative, and leaves it open', async () => {
      const amounts: bigint[] = []

      for (const size of [1024 * 1024, 512 * 1024]) {
        await transfer(provider, client, size)
        const outcome = await provider.payments.bill(client.node.helia.libp2p.peerId)
        expect(outcome.status, JSON.stringify(outcome, (_, v) => typeof v === 'bigint' ? v.toString() : v)).to.equal('paid')
        amounts.push(outcome.status === 'paid' ? outcome.amount : 0n)
        firstVersion ??= provider.payments.tabs(['open'])[0].transaction
      }

      const open = provider.payments.tabs(['open'])
      expect(open).to.have.lengthOf(1)
      expect(open[0].total).to.equal(amounts[0] + amounts[1])
    })

    it('leaves the client nothing it could submit alone, older or newer', async () => {
      for (const envelope of [firstVersion, provider.payments.tabs(['open'])[0].transaction]) {
        const tx = TransactionBuilder.fromXDR(envelope ?? '', client.node.wallet.passphrase)
        const refused = await ledger.server.submitTransaction(tx).catch(err => err.response?.data?.extras?.result_codes)
        expect(refused).to.deep.equal({ transaction: 'tx_bad_auth' })
      }
    })

    it('settles the tab: the provider receives exactly the cumulative amount', async () => {
      const total = provider.payments.tabs(['open'])[0].total
      const before = {
        provider: await ledger.assetBalance(provider.node.wallet.address),
        client: await ledger.assetBalance(client.node.wallet.address)
      }

      const [tab] = await provider.payments.settle()
      expect(tab).to.include({ state: 'settled', total })
      expect(await ledger.assetBalance(provider.node.wallet.address)).to.equal((before.provider ?? 0n) + total)
      expect(await ledger.assetBalance(client.node.wallet.address)).to.equal((before.client ?? 0n) - total)
    })

    it('cannot land the older, smaller version once settled, even with the channel\'s signature', async () => {
      const older = TransactionBuilder.fromXDR(firstVersion ?? '', client.node.wallet.passphrase) as Transaction
      const channel = provider.payments.tabs()[0].channel
      expect(older.source).to.equal(channel)

      // signed as the provider would sign it: the payer's signature and the channel's
      const index = Array.from({ length: 8 }, (_, i) => i).find(i => deriveChannelKeypair(provider.repo.stellarSeed, i).publicKey() === channel)
      expect(index).to.not.equal(undefined)
      older.sign(deriveChannelKeypair(provider.repo.stellarSeed, index ?? 0))
      const before = await ledger.assetBalance(provider.node.wallet.address)

      // the settled version used its sequence number: the older one can never land
      const refused = await ledger.server.submitTransaction(older).catch(err => err.response?.data?.extras?.result_codes)
      expect(refused).to.deep.equal({ transaction: 'tx_bad_seq' })
      expect(await ledger.assetBalance(provider.node.wallet.address)).to.equal(before)
    })

    it('counts requests, payments and settlements in its metrics', async () => {
      const text = await provider.node.registry.metrics()
      expect(text).to.match(/^torplus_payment_requests_total\{outcome="paid"\} 3$/m)
      expect(text).to.match(/^torplus_payments_received_total 3$/m)
      expect(text).to.match(/^torplus_settlements_total\{result="settled"\} 2$/m)
      const settled = provider.payments.tabs(['settled']).reduce((sum, tab) => sum + tab.total, 0n)
      expect(text).to.match(new RegExp(`^torplus_settled_stroops_total ${settled}$`, 'm'))
      expect(await client.node.registry.metrics()).to.match(/^torplus_payment_requests_received_total\{outcome="paid"\} 3$/m)
    })

    it('opens a new tab after settlement and the client follows', async () => {
      await transfer(provider, client, 512 * 1024)
      const outcome = await provider.payments.bill(client.node.helia.libp2p.peerId)
      expect(outcome.status, JSON.stringify(outcome, (_, v) => typeof v === 'bigint' ? v.toString() : v)).to.equal('paid')
      const open = provider.payments.tabs(['open'])
      expect(open).to.have.lengthOf(1)
      expect(open[0].total).to.equal(outcome.status === 'paid' ? outcome.amount : -1n)
    })

    it('is paid ahead only while the client is waiting on it for blocks, and never bills those bytes again', async () => {
      const peer = client.node.helia.libp2p.peerId
      const provided = provider.node.helia.libp2p.peerId
      await transfer(provider, client, 256 * 1024)
      let served = provider.peerTraffic.get(peer).bytesSent

      // the client wants nothing of the provider now: nothing is paid ahead
      expect(await provider.payments.bill(peer, { ahead: BigInt(PAY_AHEAD) })).to.include({ status: 'rejected', code: 'AMOUNT_MISMATCH' })

      // while it waits on the provider for a block (one nobody has), it pays ahead
      const waiting = new AbortController()
      const want = client.node.helia.blockstore.get(CID.createV1(raw.code, await sha256.digest(crypto.randomBytes(32))), { signal: waiting.signal })
      const wanted = all(want).catch(() => {})

      try {
        await pWaitFor(() => isServing(client, provided), { timeout: 10_000 })
        const ahead = await provider.payments.bill(peer, { ahead: BigInt(PAY_AHEAD) })
        // the provider's count now has its DONT_HAVE for the block too
        served = provider.peerTraffic.get(peer).bytesSent
        expect(ahead).to.include({ status: 'paid', paidThrough: served + BigInt(PAY_AHEAD) })
        expect(client.payments.peers()[0].toPeer?.paidThrough).to.equal(served + BigInt(PAY_AHEAD))

        // further ahead than the client pays: refused, and neither side counts the prepaid bytes as moved
        expect(await provider.payments.bill(peer, { ahead: BigInt(2 * PAY_AHEAD) })).to.include({ status: 'rejected', code: 'AMOUNT_MISMATCH' })
        expect(await provider.payments.bill(peer)).to.include({ status: 'nothing-due' })
        expect(provider.peerTraffic.get(peer).bytesSent).to.equal(served)
      } finally {
        waiting.abort()
        await wanted
      }

      // the next bill charges only what was served past the prepaid range
      await transfer(provider, client, 512 * 1024)
      const more = provider.peerTraffic.get(peer).bytesSent
      const next = await provider.payments.bill(peer)
      expect(next).to.include({ status: 'paid', paidThrough: more })
      const expected = priceOf(more - served - BigInt(PAY_AHEAD), toStroops(PRICE))
      expect(Number(next.status === 'paid' ? next.amount : 0n)).to.be.within(Number(expected) - 1, Number(expected) + 1)
    })
  })

  describe('bad requests', () => {
    // within the price of 3 MiB at the client's highest price, 0.06, but not of its budget
    withPair('0.03')
    let key: PrivateKey
    let channel: string
    let sequence: bigint
    let received: bigint
    let paidThrough: bigint

    /** A request that would be paid, on a fresh tab of a real channel account */
    async function request (changes: Partial<UnsignedPaymentRequest> = {}, signer?: PrivateKey): Promise<PaymentRequest> {
      const amount = changes.amount ?? 1000n
      return createPaymentRequest({
        payee: provider.node.wallet.address,
        assetCode: 'TPL',
        assetIssuer: ledger.issuer,
        amount,
        rangeStart: paidThrough,
        rangeEnd: received,
        expiry: BigInt(Date.now() + 60_000),
        channel,
        sequence,
        total: amount,
        ...changes
      }, signer ?? key)
    }

    async function rejection (message: PaymentMessage, what = ''): Promise<string> {
      const answer = await send(provider, client, message)
      expect(answer.payment, `paid when it should not have ${what}`).to.be.undefined()
      return answer.reject?.code ?? 'no reject'
    }

    /** A fresh account to stand for a channel of the provider's */
    async function newChannel (): Promise<{ channel: string, sequence: bigint }> {
      const account = Keypair.random().publicKey()
      await ledger.local.ledger.friendbot(account)
      return { channel: account, sequence: BigInt((await ledger.server.loadAccount(account)).sequenceNumber()) + 1n }
    }

    before(async () => {
      key = provider.repo.privateKey;
      ({ channel, sequence } = await newChannel())
      // a client that has paid before, and has been served more since
      await transfer(provider, client, 1024 * 1024)
      expect(await provider.payments.bill(client.node.helia.libp2p.peerId)).to.have.property('status', 'paid')
      await transfer(provider, client, 1024 * 1024)
      const account = client.payments.peers().find(peer => peer.peer === provider.node.helia.libp2p.peerId.toString())?.toPeer
      received = account?.bytesDelivered ?? 0n
      paidThrough = account?.paidThrough ?? 0n
    })

    it('pays a good request once; the same request again is a replay', async () => {
      const paidBefore = client.payments.peers()[0].toPeer?.paid ?? 0n
      const good = await request()
      const answer = await send(provider, client, { request: good })
      expect(answer.payment?.transaction, answer.reject?.reason).to.be.a('string')

      expect(await rejection({ request: good })).to.equal(Reject.Code.REPLAYED)
      expect(client.payments.peers()[0].toPeer?.paid).to.equal(paidBefore + 1000n)
      paidThrough = received
    })

    it('rejects each bad request with its own reason', async () => {
      await transfer(provider, client, 1024 * 1024)
      received = client.peerTraffic.get(provider.node.helia.libp2p.peerId).bytesDelivered
      const other = await generateKeyPair('Ed25519')
      const next = await newChannel()
      const cases: Array<[string, PaymentMessage]> = [
        [Reject.Code.MALFORMED, { request: { ...await request(next), id: new Uint8Array(3) } }],
        [Reject.Code.MALFORMED, { receipt: { requestId: new Uint8Array(16), totalPaid: 1n } }],
        [Reject.Code.BAD_SIGNATURE, { request: await request(next, other) }],
        [Reject.Code.BAD_SIGNATURE, { request: { ...await request(next), amount: 999n } }],
        [Reject.Code.EXPIRED, { request: await request({ ...next, expiry: BigInt(Date.now() - 1) }) }],
        [Reject.Code.MALFORMED, { request: await request({ ...next, expiry: BigInt(Date.now() + 365 * 86_400_000) }) }],
        [Reject.Code.WRONG_ASSET, { request: await request({ ...next, assetCode: 'XYZ' }) }],
        [Reject.Code.BAD_CHANNEL, { request: await request({ ...next, channel: Keypair.random().publicKey() }) }],
        [Reject.Code.BAD_CHANNEL, { request: await request({ ...next, sequence: next.sequence + 1000n }) }],
        [Reject.Code.BAD_CHANNEL, { request: await request({ ...next, sequence: next.sequence - 1n }) }],
        [Reject.Code.OUT_OF_SYNC, { request: await request({ ...next, rangeStart: 0n }) }],
        [Reject.Code.OUT_OF_SYNC, { request: await request({ ...next, total: 5000n }) }],
        [Reject.Code.AMOUNT_MISMATCH, { request: await request({ ...next, rangeEnd: received + 1n }) }],
        [Reject.Code.PRICE_TOO_HIGH, { request: await request({ ...next, amount: 10_000_000n }) }],
        [Reject.Code.OVER_BUDGET, { request: await request({ ...next, amount: 290_000n }) }]
      ]

      for (const [index, [code, message]] of cases.entries()) {
        expect(await rejection(message, `case ${index}`), `case ${index}`).to.equal(code)
      }

      expect(client.payments.peers()[0].toPeer?.paidThrough).to.equal(paidThrough)
    })

    it('says what it paid when out of sync, so a payee that lost track can catch up', async () => {
      const answer = await send(provider, client, { request: await request({ ...await newChannel(), rangeStart: 0n }) })
      expect(answer.reject).to.include({ code: Reject.Code.OUT_OF_SYNC, paidThrough })
      expect(answer.reject?.latest?.transaction).to.be.a('string')
    })

    it('rejects a request it cannot cover from its balance, or without a trustline', async () => {
      const poor = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: '100000', Budget: { PerPeer: '100000', Total: '100000' } } }))
      const untrusting = await startNode(await createPaidRepo(ledger, {}, { trust: false }))

      try {
        for (const [payer, code, amount] of [[poor, Reject.Code.INSUFFICIENT_BALANCE, 2_000n * 10_000_000n], [untrusting, Reject.Code.NO_TRUSTLINE, 100n]] as const) {
          await transfer(provider, payer, 64 * 1024)
          const got = payer.peerTraffic.get(provider.node.helia.libp2p.peerId).bytesDelivered
          const answer = await send(provider, payer, { request: await request({ ...await newChannel(), rangeStart: 0n, rangeEnd: got, amount, total: amount }) })
          expect(answer.reject?.code, answer.reject?.reason).to.equal(code)
        }
      } finally {
        await poor.stop()
        await untrusting.stop()
      }
    })
  })

  describe('payment gateway API', () => {
    withPair()
    let app: Hono
    const token = 'a'.repeat(64)

    before(async () => {
      // a first tab, settled at once, and a second one open
      await transfer(provider, client, 256 * 1024)
      expect(await provider.payments.bill(client.node.helia.libp2p.peerId)).to.have.property('status', 'paid')
      await pWaitFor(() => provider.payments.tabs(['settled']).length === 1, { timeout: 10_000 })
      await transfer(provider, client, 256 * 1024)
      expect(await provider.payments.bill(client.node.helia.libp2p.peerId)).to.have.property('status', 'paid')
      app = createPaymentGateway({ wallet: provider.node.wallet, payments: () => provider.payments, token, log: provider.node.helia.logger.forComponent('test') })
    })

    async function get (path: string, init?: RequestInit): Promise<{ status: number, body: any }> {
      const response = await app.request(path, init)
      return { status: response.status, body: await response.json() }
    }

    it('lists what each peer paid, and payments over time in buckets', async () => {
      const peers = await get('/api/v1/peers')
      expect(peers.status).to.equal(200)
      const entry = peers.body.Peers.find((p: any) => p.Peer === client.node.helia.libp2p.peerId.toString())
      expect(entry.Served.Received).to.match(/^0\.\d{7}$/)

      const history = await get(`/api/v1/history?peer=${client.node.helia.libp2p.peerId}&bucket=60000&from=${Date.now() - 600_000}`)
      expect(history.status).to.equal(200)
      const received = history.body.Buckets.reduce((sum: bigint, b: any) => sum + toStroops(b.Received), 0n)
      expect(received).to.equal(toStroops(entry.Served.Received))
    })

    it('refuses every malformed query parameter with a JSON error', async () => {
      for (const path of ['/api/v1/history?bucket=abc', '/api/v1/history?peer=%27%20OR%201%3D1', '/api/v1/history?from=10&to=5', '/api/v1/history?bucket=1000&from=0', '/api/v1/peers?x=1', '/api/v1/settlements?state=all', '/api/v1/settlements?limit=0']) {
        const answer = await get(path)
        expect(answer.status, path).to.equal(400)
        expect(answer.body.Code, path).to.equal('ERR_INVALID_QUERY')
      }
    })

    it('moves no funds without the repo\'s token', async () => {
      for (const authorization of [undefined, 'Bearer nope', `Basic ${token}`]) {
        const answer = await get('/api/v1/settle', { method: 'POST', headers: authorization == null ? {} : { Authorization: authorization } })
        expect(answer.status).to.equal(401)
        expect(answer.body.Code).to.equal('ERR_UNAUTHORIZED')
      }

      expect(provider.payments.tabs(['open'])).to.have.lengthOf(1)
      const before = provider.payments.tabs(['settled']).length
      const settled = await get('/api/v1/settle', { method: 'POST', headers: { Authorization: `Bearer ${token}` } })
      expect(settled.status).to.equal(200)
      expect(settled.body.Tabs.map((t: any) => t.State)).to.deep.equal(['settled'])
      expect((await get('/api/v1/settlements?state=settled')).body.Tabs).to.have.lengthOf(before + 1)
    })
  })
})
