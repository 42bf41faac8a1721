/**
 * The payer side: answer a payee's request with a payment or a reject. A
 * request is paid only if it is signed by the peer that sent it, new, not
 * expired nor valid for long, in our asset, on a tab that can land, follows
 * on from what we paid that peer, bills no more than the bytes of blocks we
 * asked it for and received (with a tolerance for bytes in flight and pay
 * ahead only while it serves our wants and has delivered), at no more than
 * our price over everything we paid it, within our rolling budgets and our
 * balance. The payment is synced to the books before it leaves.
 *
 * What needs the ledger or a wait (bytes still arriving, balances, the
 * tab's channel) happens before the decision lock; decisions are one at a
 * time, as they share the balance and the total budget.
 */
import { RateLimiter } from '@libp2p/utils'
import { ChannelCheck } from './channel-check.js'
import { ARRIVAL_POLL_INTERVAL, MAX_REQUEST_LIFETIME, MAX_TAB_VERSIONS, PAYMENT_STREAMS_PER_SECOND, RATE_WINDOW } from './constants.js'
import { Reject } from './pb/payment.js'
import { priceOf } from './pricing.js'
import { paymentChannel, toHex } from './protocol/exchange.js'
import { verifyPaymentRequest } from './protocol/request.js'
import { spend, spentWithin } from './spend-window.js'
import { buildTabTransaction } from './stellar/tab.js'
import type { PaymentBooks, PayerAccount, PayerTab, PaymentEvent } from './books/index.js'
import type { PaymentMetrics } from './metrics.js'
import type { PayerFunds } from './payer-funds.js'
import type { PaymentMessage, PaymentRequest } from './pb/payment.js'
import type { PeerCounts } from './ports.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { KeyedSerializer } from '../utils/keyed-serializer.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

export interface PayerComponents {
  books: PaymentBooks
  wallet: StellarWallet
  funds: PayerFunds
  counts: PeerCounts
  serializer: KeyedSerializer
  metrics: PaymentMetrics
  log: Logger
}

export interface PayerInit {
  /** Stroops per MiB we pay at most */
  maxPricePerMiB: bigint
  /** Bytes a request may bill past our count: still in flight */
  byteTolerance: bigint
  /** Bytes beyond that a request may bill: paid ahead, before they come */
  payAhead: bigint
  /** Stroops per budget period, per peer and in all */
  budgetPerPeer: bigint
  budgetTotal: bigint
  /** Milliseconds */
  budgetPeriod: number
  /** Milliseconds for the whole exchange */
  requestTimeout: number
}

const STELLAR_ACCOUNT = /^G[A-Z2-7]{55}$/

/** Milliseconds a request's bytes get to arrive before it is found to bill more than we received */
const ARRIVAL_WAIT = 5000

/** What was checked before the lock */
/** Why a request is not paid */
interface Refusal {
  code: Reject.Code
  reason: string
}

interface Preflight {
  /** Why the request's tab can never land, when it is a new tab */
  channelProblem?: string
}

export class Payer {
  private readonly components: PayerComponents
  private readonly init: PayerInit
  private readonly channels: ChannelCheck
  private readonly rateLimiter = new RateLimiter({ points: PAYMENT_STREAMS_PER_SECOND * RATE_WINDOW, duration: RATE_WINDOW })

  constructor (components: PayerComponents, init: PayerInit) {
    this.components = components
    this.init = init
    this.channels = new ChannelCheck({ wallet: components.wallet })
  }

  /** The protocol handler: one exchange per stream */
  async handle (stream: Stream, connection: Connection): Promise<void> {
    const { serializer, log } = this.components
    const channel = paymentChannel(stream)
    const signal = AbortSignal.timeout(this.init.requestTimeout)
    const peer = connection.remotePeer

    try {
      const { request } = await channel.read({ signal })
      let answer: PaymentMessage

      if (request == null) {
        answer = this.unauthenticated(undefined, Reject.Code.MALFORMED, 'expected a payment request')
      } else if (!this.withinRate(peer)) {
        answer = this.unauthenticated(request, Reject.Code.RATE_LIMITED, `more than ${PAYMENT_STREAMS_PER_SECOND} payment requests a second`)
      } else {
        answer = await this.authenticate(peer, request) ?? await this.preflight(peer, request, signal)
          .then(async preflight => serializer.run('payer', async () => this.decide(peer, request, preflight)))
      }

      await channel.write(answer, { signal })

      if (answer.payment != null) {
        const reply = await channel.read({ signal })

        if (reply.reject != null) {
          log.error('%p refused our payment for %s: %s', peer, toHex(answer.payment.requestId), reply.reject.reason)
        }
      }

      await channel.close({ signal })
    } catch (err: any) {
      log('payment exchange with %p failed - %e', peer, err)
      channel.abort(err)
    }
  }

  private withinRate (peer: PeerId): boolean {
    try {
      this.rateLimiter.consume(peer.toString())
      return true
    } catch {
      return false
    }
  }

  /**
   * The checks anyone can fail without a key: a reject of these is counted
   * and nothing more, so a flood of them costs us no disk
   */
  private async authenticate (peer: PeerId, request: PaymentRequest): Promise<PaymentMessage | undefined> {
    const malformed = checkShape(request)

    if (malformed != null) {
      return this.unauthenticated(request, Reject.Code.MALFORMED, malformed)
    }

    if (peer.publicKey == null || !await verifyPaymentRequest(request, peer.publicKey)) {
      return this.unauthenticated(request, Reject.Code.BAD_SIGNATURE, 'the request is not signed by the peer that sent it')
    }
  }

  private unauthenticated (request: PaymentRequest | undefined, code: Reject.Code, reason: string): PaymentMessage {
    this.components.metrics.requestsReceived?.increment({ [code]: true })
    return { reject: { requestId: request?.id ?? new Uint8Array(0), code, reason, paidThrough: 0n, received: 0n } }
  }

  /**
   * Outside the lock: the bytes billed get a moment to arrive (a request
   * travels on a stream of its own and can overtake bytes the payee sent
   * before it), the balance and tabs are read if stale, and a new tab's
   * channel is checked on the ledger
   */
  private async preflight (peer: PeerId, request: PaymentRequest, signal: AbortSignal): Promise<Preflight> {
    const { books, counts, funds } = this.components
    const account = books.payer(peer.toString())
    // the books are synced at each payment, the counts lazily
    counts.atLeast(peer, { delivered: account.received ?? account.paidThrough })
    const deadline = Date.now() + ARRIVAL_WAIT

    while (request.rangeEnd > this.billable(peer, account) && counts.serving(peer) && Date.now() < deadline && !signal.aborted) {
      await new Promise(resolve => setTimeout(resolve, ARRIVAL_POLL_INTERVAL))
    }

    // a bill for bytes we never had is refused without a look at the ledger
    if (request.rangeEnd > this.billable(peer, account)) {
      return {}
    }

    await funds.prepare(request.amount, { signal })
    const known = account.unsettled.some(tab => tab.channel === request.channel && tab.sequence === request.sequence)

    if (known) {
      return {}
    }

    try {
      return { channelProblem: await this.channels.problem(request.channel, request.sequence, { signal }) }
    } catch (err: any) {
      return { channelProblem: `cannot read channel ${request.channel}: ${err.message}` }
    }
  }

  /**
   * The end of the byte range a peer may bill us for: what it delivered,
   * plus a tolerance while it serves our wants (bytes in flight) or, for a
   * peer we paid before, while our count may be short (we crashed before
   * writing it), plus what we pay ahead of a peer that serves our wants and
   * has delivered at least that much already. Each is on top of what it
   * delivered, so it is paid once. A peer that sent us nothing we asked for
   * is paid nothing.
   */
  private billable (peer: PeerId, account: PayerAccount): bigint {
    const { counts } = this.components
    const delivered = counts.delivered(peer)
    const recorded = account.received ?? account.paidThrough
    const base = delivered > recorded ? delivered : recorded
    const serving = counts.serving(peer)
    const tolerance = serving || (counts.uncertain() && account.paid > 0n) ? this.init.byteTolerance : 0n

    return base + tolerance + (serving && delivered >= this.init.payAhead ? this.init.payAhead : 0n)
  }

  private async decide (peer: PeerId, request: PaymentRequest, preflight: Preflight): Promise<PaymentMessage> {
    const { books, metrics } = this.components
    const account = books.payer(peer.toString())
    const nonce = toHex(request.nonce)

    if (await books.seenNonce(peer.toString(), nonce)) {
      return this.unauthenticated(request, Reject.Code.REPLAYED, `nonce ${nonce} was used before`)
    }

    const now = Date.now()
    const malformed = this.refusal(request, now)
    const latest = account.latest

    if (malformed == null && latest != null && latest.channel === request.channel && latest.sequence === request.sequence && latest.total === request.total && latest.rangeEnd === request.rangeEnd) {
      // the payee lost our payment (it stopped before syncing it): the same transaction again pays nothing twice
      await books.commit({ nonce: { peer: peer.toString(), nonce, expiry: Number(request.expiry) }, events: [event(peer, 'payment-sent', { ...request, amount: 0n }, 'resent')] })
      return { payment: { requestId: request.id, transaction: latest.transaction } }
    }

    const refused = malformed ?? this.unpayable(peer, request, account, preflight, now)

    if (refused == null) {
      return this.pay(peer, request, account)
    }

    metrics.requestsReceived?.increment({ [refused.code]: true })

    // a peer we never paid: its rejects are counted, and nothing more, so
    // that a new identity costs us no disk
    if (account.paid > 0n || account.unsettled.length > 0) {
      // signed by a payee of ours: worth a line in the history, and its nonce is spent
      await books.commit({
        nonce: { peer: peer.toString(), nonce, expiry: Number(request.expiry) },
        events: [event(peer, 'request-rejected', request, refused.code)]
      })
    }

    const resend = refused.code === Reject.Code.OUT_OF_SYNC && latest != null
      ? { requestId: Buffer.from(latest.requestId, 'hex'), transaction: latest.transaction }
      : undefined
    return { reject: { requestId: request.id, code: refused.code, reason: refused.reason, paidThrough: account.paidThrough, received: account.received ?? account.paidThrough, latest: resend } }
  }

  /** Why no request like this one is paid, whoever sent it */
  private refusal (request: PaymentRequest, now: number): Refusal | undefined {
    const { wallet } = this.components

    if (Number(request.expiry) < now) {
      return { code: Reject.Code.EXPIRED, reason: `the request expired at ${new Date(Number(request.expiry)).toISOString()}` }
    }

    if (Number(request.expiry) > now + MAX_REQUEST_LIFETIME) {
      return { code: Reject.Code.MALFORMED, reason: `the request is valid until ${new Date(Number(request.expiry)).toISOString()}; we take requests valid for at most ${MAX_REQUEST_LIFETIME} ms` }
    }

    if (request.assetCode !== wallet.asset.getCode() || request.assetIssuer !== wallet.asset.getIssuer()) {
      return { code: Reject.Code.WRONG_ASSET, reason: `we pay in ${wallet.asset.getCode()}:${wallet.asset.getIssuer()}` }
    }
  }

  /** Why this request is not paid to this peer now: its tab, its bytes, its price, our budgets and balance */
  private unpayable (peer: PeerId, request: PaymentRequest, account: PayerAccount, preflight: Preflight, now: number): Refusal | undefined {
    const { books, funds } = this.components

    if (preflight.channelProblem != null) {
      return { code: Reject.Code.BAD_CHANNEL, reason: preflight.channelProblem }
    }

    const tabTotal = account.unsettled.find(tab => tab.channel === request.channel && tab.sequence === request.sequence)?.total ?? 0n

    if (request.rangeStart !== account.paidThrough || request.total !== tabTotal + request.amount) {
      return { code: Reject.Code.OUT_OF_SYNC, reason: `we paid for bytes up to ${account.paidThrough} and owe ${tabTotal} on that tab; the request starts at ${request.rangeStart} and totals ${request.total}` }
    }

    const billable = this.billable(peer, account)

    if (request.rangeEnd > billable) {
      return { code: Reject.Code.AMOUNT_MISMATCH, reason: `the request bills bytes up to ${request.rangeEnd}; we pay for bytes up to ${billable}: those of blocks we asked for and received, and more only while the peer serves our wants` }
    }

    // over everything paid to the peer, so rounding cannot be had request by request
    if (account.paid + request.amount > priceOf(request.rangeEnd, this.init.maxPricePerMiB)) {
      return { code: Reject.Code.PRICE_TOO_HIGH, reason: `${account.paid + request.amount} stroops in all for ${request.rangeEnd} bytes is above our ${this.init.maxPricePerMiB} per MiB` }
    }

    const peerSpent = spentWithin(account.spending ?? [], now, this.init.budgetPeriod)
    const totalSpent = spentWithin(books.budget().spending, now, this.init.budgetPeriod)

    if (peerSpent + request.amount > this.init.budgetPerPeer || totalSpent + request.amount > this.init.budgetTotal) {
      return { code: Reject.Code.OVER_BUDGET, reason: `paying ${request.amount} would pass our budget (${peerSpent} of ${this.init.budgetPerPeer} to this peer, ${totalSpent} of ${this.init.budgetTotal} in all, over the last ${this.init.budgetPeriod} ms)` }
    }

    return funds.check(request.amount)
  }

  /** Sign the tab's next version, and sync it to the books before it leaves */
  private async pay (peer: PeerId, request: PaymentRequest, account: PayerAccount): Promise<PaymentMessage> {
    const { books, wallet, metrics } = this.components
    const now = Date.now()
    const tab = account.unsettled.find(tab => tab.channel === request.channel && tab.sequence === request.sequence)
    const tx = buildTabTransaction({ channel: request.channel, sequence: request.sequence, payer: wallet.address, payee: request.payee, asset: wallet.asset, total: request.total, passphrase: wallet.passphrase })
    wallet.sign(tx)
    const transaction = tx.toEnvelope().toXDR('base64')
    const delivered = this.components.counts.delivered(peer)
    const paid: PayerAccount = {
      ...account,
      paidThrough: request.rangeEnd,
      received: delivered < request.rangeEnd ? delivered : request.rangeEnd,
      paid: account.paid + request.amount,
      latest: { requestId: toHex(request.id), channel: request.channel, sequence: request.sequence, total: request.total, transaction, rangeEnd: request.rangeEnd },
      unsettled: [...account.unsettled.filter(other => other !== tab), withVersion(tab, request)],
      spending: spend(account.spending ?? [], now, this.init.budgetPeriod, request.amount)
    }

    await books.commit({
      payer: paid,
      nonce: { peer: peer.toString(), nonce: toHex(request.nonce), expiry: Number(request.expiry) },
      budget: { spending: spend(books.budget().spending, now, this.init.budgetPeriod, request.amount) },
      events: [event(peer, 'payment-sent', request)]
    })
    metrics.requestsReceived?.increment({ paid: true })
    metrics.paymentsSent?.increment()
    this.components.log('paying %p %s stroops for request %s', peer, request.amount, toHex(request.id))
    metrics.stroopsSent?.increment(Number(request.amount))

    return { payment: { requestId: request.id, transaction } }
  }
}

/** The tab with the version a request adds: what it pays, up to which byte */
function withVersion (tab: PayerTab | undefined, request: PaymentRequest): PayerTab {
  const versions = [...(tab?.versions ?? []), { total: request.total, rangeEnd: request.rangeEnd }]

  return {
    channel: request.channel,
    sequence: request.sequence,
    total: request.total,
    rangeStart: tab?.rangeStart ?? request.rangeStart,
    versions: versions.slice(-MAX_TAB_VERSIONS)
  }
}

/** What is wrong with the request's fields, before its signature is worth checking */
function checkShape (request: PaymentRequest): string | undefined {
  if (request.id.byteLength !== 16 || request.nonce.byteLength !== 16) {
    return 'id and nonce must be 16 bytes'
  }

  if (!STELLAR_ACCOUNT.test(request.payee) || !STELLAR_ACCOUNT.test(request.channel)) {
    return 'payee and channel must be Stellar accounts (G…)'
  }

  if (request.amount <= 0n || request.rangeEnd <= request.rangeStart || request.total < request.amount || request.sequence <= 0n) {
    return 'amount, byte range, total and sequence must be positive and consistent'
  }
}

function event (peer: PeerId, kind: PaymentEvent['kind'], request: PaymentRequest, reason?: string): PaymentEvent {
  return { time: Date.now(), peer: peer.toString(), kind, amount: request.amount, ref: toHex(request.id), reason }
}
