/**
 * A provider attacked by payers on the wire: payers whose promises cannot
 * land, who move their funds away once served, who claim to have paid what
 * they did not, and who never answer. Each attack is made through the
 * payment protocol and bitswap, and checked against the provider's books,
 * its credit status for the peer, and the ledger, to the stroop.
 */
import crypto from 'node:crypto'
import { Asset, Operation, TransactionBuilder } from '@stellar/stellar-sdk'
import { expect } from 'aegir/chai'
import all from 'it-all'
import pWaitFor from 'p-wait-for'
import { FUNDING_MAX_AGE, PAYMENT_PROTOCOL } from '../../src/payments/constants.js'
import { Reject } from '../../src/payments/pb/payment.js'
import { bytesFor } from '../../src/payments/pricing.js'
import { paymentChannel } from '../../src/payments/protocol/exchange.js'
import { buildTabTransaction } from '../../src/payments/stellar/tab.js'
import { toStroops } from '../../src/stellar/amounts.js'
import { createPaidRepo, issueAsset, startNode, startPaymentLedger } from '../utils/payments.js'
import type { PaymentMessage, PaymentRequest } from '../../src/payments/pb/payment.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { CID } from 'multiformats/cid'

const MiB = 1024 * 1024
const PRICE = '0.0100000'

/** Credit limits a test reaches in a few MiB: bills every 1 MiB, throttled past 2, refused past 3 */
const TIGHT = {
  FreeAllowance: '1MiB',
  AllowanceRefreshRate: 0,
  PaymentThreshold: '0.0100000',
  BillAhead: '0',
  CreditLimit: '0.0200000',
  DisconnectLimit: '0.0300000',
  ThrottleRate: '1MiB'
}

interface Answer { (request: PaymentRequest): PaymentMessage | Promise<PaymentMessage> | undefined }

/**
 * Replace a node's payer with a hostile one on the wire: `answer` says what
 * it sends back to each request (nothing: it never answers)
 */
async function hostilePayer (node: RunningNode, answer: Answer): Promise<void> {
  const libp2p = node.node.helia.libp2p
  await libp2p.unhandle(PAYMENT_PROTOCOL)
  await libp2p.handle(PAYMENT_PROTOCOL, async (stream) => {
    const channel = paymentChannel(stream)

    try {
      const { request } = await channel.read({ signal: AbortSignal.timeout(30_000) })
      const reply = request == null ? undefined : await answer(request)

      if (reply == null) {
        // never answers: the stream stays open until the payee gives up
        await new Promise(resolve => setTimeout(resolve, 60_000))
        return
      }

      await channel.write(reply)
      await channel.read({ signal: AbortSignal.timeout(10_000) }).catch(() => {})
      await channel.close()
    } catch {}
  }, { maxInboundStreams: 16 })
}

/** A payment of exactly what was asked, signed by the node's own account, whatever it holds */
function signs (node: RunningNode): Answer {
  return (request) => {
    const { wallet } = node.node
    const tx = buildTabTransaction({ channel: request.channel, sequence: request.sequence, payer: wallet.address, payee: request.payee, asset: wallet.asset, total: request.total, passphrase: wallet.passphrase })
    wallet.sign(tx)
    return { payment: { requestId: request.id, transaction: tx.toEnvelope().toXDR('base64') } }
  }
}

/** Fetch as much of `cid` as the provider will serve within `ms` */
async function fetchFor (client: RunningNode, provider: RunningNode, cid: CID, ms: number): Promise<void> {
  await client.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
  await all(client.node.fs.cat(cid, { signal: AbortSignal.timeout(ms) })).catch(() => {})
}

/**
 * Serve a new payer until its first tab has gone to the ledger (a new
 * payer's is settled at once) and a later tab holds a payment of its
 */
async function payingPeer (payer: RunningNode, provider: RunningNode): Promise<void> {
  const peer = payer.node.helia.libp2p.peerId.toString()
  const ofPeer = (tab: { peer: string }): boolean => tab.peer === peer
  await fetchFor(payer, provider, await provider.node.fs.addBytes(crypto.randomBytes(4 * MiB)), 30_000)
  await pWaitFor(() => provider.payments.tabs(['submitting', 'settled']).some(ofPeer) &&
    provider.payments.tabs(['open']).some(tab => ofPeer(tab) && tab.transaction != null), { timeout: 20_000 })
}

/** Send all of `address`'s asset to the issuer */
async function drain (ledger: PaymentLedger, node: RunningNode): Promise<void> {
  const { wallet } = node.node
  const balance = await ledger.assetBalance(wallet.address) ?? 0n
  const account = await ledger.server.loadAccount(wallet.address)
  const tx = new TransactionBuilder(account, { fee: '100', networkPassphrase: wallet.passphrase })
    .addOperation(Operation.payment({ destination: ledger.issuer, asset: new Asset('TPL', ledger.issuer), amount: (Number(balance) / 1e7).toFixed(7) }))
    .setTimeout(60)
    .build()
  wallet.sign(tx)
  await ledger.server.submitTransaction(tx)
}

describe('a provider against hostile payers', function () {
  this.timeout(180_000)
  let ledger: PaymentLedger
  let provider: RunningNode
  let content: CID

  before(async () => {
    ledger = await startPaymentLedger()
    provider = await startNode(await createPaidRepo(ledger, {
      Payments: { PricePerMiB: PRICE, SettleAmount: '1000', SettleInterval: 3_600_000, RequestExpiry: 2_000, RequestTimeout: 2_000, Channels: 2 },
      Bitswap: TIGHT
    }))
    content = await provider.node.fs.addBytes(crypto.randomBytes(16 * MiB))
  })

  after(async () => {
    await provider?.stop()
    await ledger?.local.stop()
  })

  /**
   * What the provider may serve a peer past what it paid for: its free
   * allowance, the disconnect limit, one request in flight (a 2 MiB
   * message) and the frame under way when the limit was reached
   */
  const exposure = (): bigint => BigInt(MiB) + bytesFor(toStroops(TIGHT.DisconnectLimit), toStroops(PRICE)) + 2n * 2n * BigInt(MiB)

  it('grants no credit against payments that can never land: no trustline, or a balance short of its tabs', async () => {
    const noTrustline = await startNode(await createPaidRepo(ledger, {}, { trust: false }))
    const poor = await startNode(await createPaidRepo(ledger))

    try {
      // it holds 1000 TPL from the devnet set-up; all but 0.015 goes back to the issuer
      await drain(ledger, poor)
      await issueAsset(ledger, poor.node.wallet.address, '0.015')

      for (const payer of [noTrustline, poor]) {
        await hostilePayer(payer, signs(payer))
        const peer = payer.node.helia.libp2p.peerId.toString()
        await fetchFor(payer, provider, content, 20_000)

        const account = provider.payments.peers().find(p => p.peer === peer)?.fromPeer
        const served = provider.peerTraffic.get(peer).bytesSent
        const paidFor = account?.paidThrough ?? 0n
        const fundable = payer === poor ? toStroops('0.015') : 0n
        const credited = provider.payments.tabs().filter(tab => tab.peer === peer && tab.transaction != null).reduce((sum, tab) => sum + tab.total, 0n)
        const view = JSON.stringify({ served, paidFor, credited, status: provider.creditGate?.view(peer).status }, (_, v) => typeof v === 'bigint' ? v.toString() : v)

        expect(served > 4n * BigInt(MiB), view).to.be.true()
        expect(provider.creditGate?.view(peer).status, view).to.be.oneOf(['throttled', 'refused'])
        // nothing its account could not fund was credited, and it was served little past that
        expect(credited <= fundable, view).to.be.true()
        expect(paidFor <= BigInt(MiB) + bytesFor(fundable, toStroops(PRICE)), view).to.be.true()
        expect(served - paidFor <= exposure(), view).to.be.true()
      }

      const refusals = (await provider.node.registry.metrics()).match(/^torplus_payment_requests_total\{outcome="UNFUNDED"\} (\d+)$/m)
      expect(Number(refusals?.[1] ?? 0)).to.be.greaterThan(0)
    } finally {
      await noTrustline.stop()
      await poor.stop()
    }
  })

  it('rolls back a payer whose settlement fails, shows it refused, serves it only its allowance until a payment of its lands', async () => {
    const payer = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE } }))
    const peer = payer.node.helia.libp2p.peerId.toString()

    try {
      const first = await provider.node.fs.addBytes(crypto.randomBytes(3 * MiB))
      await fetchFor(payer, provider, first, 30_000)
      // the first tab is settled at once and lands
      await pWaitFor(() => provider.payments.tabs().some(tab => tab.peer === peer && tab.state === 'settled'), { timeout: 20_000 })
      const landed = provider.payments.peers().find(p => p.peer === peer)?.fromPeer?.landed ?? 0n

      // served more, and paid with a tab that holds its promise now, but not once its funds are gone
      const second = await provider.node.fs.addBytes(crypto.randomBytes(2 * MiB))
      await fetchFor(payer, provider, second, 30_000)
      await pWaitFor(() => provider.payments.tabs(['open']).some(tab => tab.peer === peer && tab.transaction != null), { timeout: 20_000 })
      const before = provider.payments.peers().find(p => p.peer === peer)?.fromPeer
      const providerBalance = await ledger.assetBalance(provider.node.wallet.address)
      await drain(ledger, payer)

      const [failed] = (await provider.payments.settle()).filter(tab => tab.peer === peer)
      expect(failed).to.include({ state: 'failed' })
      expect(failed.result).to.match(/op_underfunded/)

      // rolled back to what landed
      const after = provider.payments.peers().find(p => p.peer === peer)?.fromPeer
      expect(after?.refused).to.be.true()
      expect(after?.paidThrough).to.equal(failed.rangeStart)
      expect(after?.received).to.equal(landed)
      expect(after?.landed).to.equal(landed)
      expect(after?.defaulted).to.equal(failed.total)
      expect((before?.paidThrough ?? 0n) > (after?.paidThrough ?? 0n)).to.be.true()
      expect(provider.creditGate?.view(peer).status).to.equal('refused')
      // the ledger moved nothing for it
      expect(await ledger.assetBalance(provider.node.wallet.address)).to.equal(providerBalance)

      // refused: its new wants are held, whatever it owes
      const third = await provider.node.fs.addBytes(crypto.randomBytes(4 * MiB))
      const served = provider.peerTraffic.get(peer).bytesSent
      const fetching = all(payer.node.fs.cat(third, { signal: AbortSignal.timeout(90_000) }))
      await new Promise(resolve => setTimeout(resolve, 5_000))
      expect(provider.peerTraffic.get(peer).bytesSent - served <= BigInt(MiB)).to.be.true()

      // it pays again with funds that are there; once that lands, its fetch goes on
      await issueAsset(ledger, payer.node.wallet.address, '10')
      await pWaitFor(async () => (await provider.payments.bill(payer.node.helia.libp2p.peerId)).status === 'paid', { timeout: 30_000, interval: 1000 })
      await pWaitFor(() => provider.payments.peers().find(p => p.peer === peer)?.fromPeer?.refused === false, { timeout: 20_000 })
      expect(provider.creditGate?.view(peer).status).to.not.equal('refused')
      const chunks = await fetching
      expect(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)).to.equal(4 * MiB)
    } finally {
      await payer.stop()
    }
  })

  it('believes a payer that says it paid only for a request of ours it left unanswered, and only with a fundable transaction', async () => {
    const payer = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE } }))
    const peer = payer.node.helia.libp2p.peerId

    try {
      await payingPeer(payer, provider)
      // a bill still out when the payer turns is answered honestly and moves the tab: wait it out
      await pWaitFor(() => provider.payments.tabs(['open']).every(tab => tab.peer !== peer.toString() || tab.pending == null), { timeout: 10_000 })

      // from now on it claims to have paid for 100 TiB, with a transaction it cannot fund
      await hostilePayer(payer, (request) => {
        const huge = { ...request, total: 10n ** 15n }
        const tx = (signs(payer)(huge) as PaymentMessage).payment
        return { reject: { requestId: request.id, code: Reject.Code.OUT_OF_SYNC, reason: 'we paid', paidThrough: 100n * 1024n ** 4n, received: 100n * 1024n ** 4n, latest: tx } }
      })
      const honest = provider.payments.tabs(['open']).find(tab => tab.peer === peer.toString())
      const account = provider.payments.peers().find(p => p.peer === peer.toString())?.fromPeer
      await fetchFor(payer, provider, await provider.node.fs.addBytes(crypto.randomBytes(2 * MiB)), 10_000)

      const outcome = await provider.payments.bill(peer)
      expect(outcome).to.include({ status: 'rejected', code: 'OUT_OF_SYNC' })
      const tab = provider.payments.tabs().find(other => other.channel === honest?.channel && other.sequence === honest?.sequence)
      expect(tab?.transaction).to.equal(honest?.transaction)
      expect(tab?.total).to.equal(honest?.total)
      const now = provider.payments.peers().find(p => p.peer === peer.toString())?.fromPeer
      expect(now?.paidThrough).to.equal(account?.paidThrough)
      expect(provider.creditGate?.view(peer.toString()).status).to.not.equal('free')

      // the same claim for exactly the range we asked, but a transaction its account cannot fund: not adopted either
      await drain(ledger, payer)
      // once what the provider last read of its account is too old to be believed (FUNDING_MAX_AGE)
      await new Promise(resolve => setTimeout(resolve, FUNDING_MAX_AGE + 500))
      await hostilePayer(payer, async (request) => {
        const tx = (signs(payer)(request) as PaymentMessage).payment
        return { reject: { requestId: request.id, code: Reject.Code.OUT_OF_SYNC, reason: 'we paid', paidThrough: request.rangeEnd, received: request.rangeEnd, latest: tx } }
      })
      expect(await provider.payments.bill(peer)).to.include({ status: 'rejected', code: 'OUT_OF_SYNC' })
      expect(provider.payments.tabs().find(other => other.channel === honest?.channel && other.sequence === honest?.sequence)?.transaction).to.equal(honest?.transaction)
    } finally {
      await payer.stop()
    }
  })

  it('lets an unanswered request expire: the tab is settled with what was paid, and silent peers take no channel', async () => {
    const payer = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE } }))
    const peer = payer.node.helia.libp2p.peerId
    const silent: RunningNode[] = []

    try {
      await payingPeer(payer, provider)

      // then it vanishes mid-exchange: its requests are never answered
      await hostilePayer(payer, () => undefined)
      const paid = provider.payments.tabs(['open']).find(tab => tab.peer === peer.toString())
      await fetchFor(payer, provider, await provider.node.fs.addBytes(crypto.randomBytes(2 * MiB)), 10_000)
      await provider.payments.bill(peer).catch(() => {})
      expect(provider.payments.tabs(['open']).find(tab => tab.channel === paid?.channel && tab.sequence === paid?.sequence)?.pending).to.not.equal(undefined)

      // once the request expires, the tab settles with the transaction it holds
      await new Promise(resolve => setTimeout(resolve, 2_500))
      const settled = (await provider.payments.settle()).find(tab => tab.channel === paid?.channel && tab.sequence === paid?.sequence)
      expect(settled).to.include({ state: 'settled', total: paid?.total })

      // peers that never answer (and plain bitswap clients) leave the two channels free for a payer that pays
      for (let i = 0; i < 3; i++) {
        const quiet = await startNode(await createPaidRepo(ledger))
        silent.push(quiet)
        await hostilePayer(quiet, () => undefined)
        await fetchFor(quiet, provider, content, 5_000)
        await provider.payments.bill(quiet.node.helia.libp2p.peerId).catch(() => {})
      }

      await new Promise(resolve => setTimeout(resolve, 2_500))
      const next = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE } }))
      silent.push(next)
      await fetchFor(next, provider, await provider.node.fs.addBytes(crypto.randomBytes(2 * MiB)), 30_000)
      expect(await provider.payments.bill(next.node.helia.libp2p.peerId)).to.have.property('status').that.is.oneOf(['paid', 'nothing-due'])
      expect(provider.payments.tabs().some(tab => tab.peer === next.node.helia.libp2p.peerId.toString() && tab.transaction != null)).to.be.true()
    } finally {
      await payer.stop()
      await Promise.all(silent.map(async node => node.stop()))
    }
  })
})
