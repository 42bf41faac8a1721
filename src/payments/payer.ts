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
 * Attention is paid the other way round: we offer a payee an amount for the
 * time spent on its sites (`offer`), and it bills it with its next request;
 * we pay attention up to what we offered and no more, and keep it apart
 * from what we paid for bytes, which alone is held to our price.
 *
 * What needs the ledger or a wait (bytes still arriving, balances, the
 * tab's channel) happens before the decision lock; decisions are one at a
 * time, as they share the balance and the total budget.
 */
import { RateLimiter } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import { ChannelCheck } from './channel-check.js'
import { ARRIVAL_POLL_INTERVAL, MAX_REQUEST_LIFETIME, MAX_SITE_NAME_LENGTH, MAX_TAB_VERSIONS, PAYMENT_PROTOCOL, PAYMENT_STREAMS_PER_SECOND, RATE_WINDOW } from './constants.js'
import { AttentionOfferBusyError } from './errors.js'
import { Reject } from './pb/payment.js'
import { RouteFail } from './pb/route.js'
import { priceOf } from './pricing.js'
import { paymentChannel, toHex } from './protocol/exchange.js'
import { verifyPaymentRequest } from './protocol/request.js'
import { spend, spentWithin } from './spend-window.js'
import { buildTabTransaction } from './stellar/tab.js'
import type { PaymentBooks, PayerAccount, PayerTab, PaymentEvent } from './books/index.js'
import type { PaymentMetrics } from './metrics.js'
import type { PayerFunds } from './payer-funds.js'
import type { AttentionOffer, PaymentMessage, PaymentRequest } from './pb/payment.js'
import type { PeerCounts } from './ports.js'
import type { PaymentChannel } from './protocol/exchange.js'
import type { ClientSession, Quote, RouteClient } from './routes/client.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { KeyedSerializer } from '../utils/keyed-serializer.js'
import type { AbortOptions, Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface PayerComponents {
  connectionManager: Pick<ConnectionManager, 'openStream'>
  /** Pays through routes when set and the payee takes routed payments */
  routes?: RouteClient
  /** Bills a peer's offer of attention money: the answer to write back */
  onOffer?(peer: PeerId, offer: AttentionOffer, options: AbortOptions): Promise<PaymentMessage>
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
  /**
   * With no route to a payee that takes routed payments: pay it directly,
   * or refuse
   *
   * @default 'direct'
   */
  routeFallback?: 'direct' | 'refuse'
}

const STELLAR_ACCOUNT = /^G[A-Z2-7]{55}$/

/** Milliseconds a request's bytes get to arrive before it is found to bill more than we received */
const ARRIVAL_WAIT = 5000

/** Why a request is not paid */
interface Refusal {
  code: Reject.Code
  reason: string
}

interface Preflight {
  /** Why the request's tab can never land, when it is a new tab */
  channelProblem?: string
  /** The route to pay through, or why there is none */
  route?: { session: ClientSession, quote: Quote } | { problem: string }
}

export class Payer {
  private readonly components: PayerComponents
  private readonly init: PayerInit
  private readonly channels: ChannelCheck
  private readonly rateLimiter = new RateLimiter({ points: PAYMENT_STREAMS_PER_SECOND * RATE_WINDOW, duration: RATE_WINDOW })
  /** Attention money offered to each peer and not billed yet, and what it billed of it */
  private readonly offers = new Map<string, { amount: bigint, taken: bigint, routed: boolean }>()

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
      const { request, offer } = await channel.read({ signal })
      let answer: PaymentMessage
      let route: Preflight['route']

      if (offer != null && request == null) {
        await this.answerOffer(peer, offer, channel)
        return
      }

      if (request == null) {
        answer = this.unauthenticated(undefined, Reject.Code.MALFORMED, 'expected a payment request')
      } else if (!this.withinRate(peer)) {
        answer = this.unauthenticated(request, Reject.Code.RATE_LIMITED, `more than ${PAYMENT_STREAMS_PER_SECOND} payment requests a second`)
      } else {
        answer = await this.authenticate(peer, request) ?? await this.preflight(peer, request, signal)
          .then(async preflight => {
            route = preflight.route
            return serializer.run('payer', async () => this.decide(peer, request, preflight))
          })
      }

      await channel.write(answer, { signal })

      if (answer.payment?.routed === true && request != null && route != null && 'session' in route) {
        await this.payRouted(peer, request, channel, route.session)
        return
      }

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

  /**
   * Offer `peer` attention money: it bills it (with whatever bytes it is
   * owed) on a stream of its own, and we pay up to `amount` of attention on
   * it. Resolves to the attention we paid: signed over to it, or held by it
   * through a route; 0 when it billed none, refused, or never answered.
   */
  async offer (peer: PeerId, amount: bigint, site: string, options: AbortOptions = {}): Promise<bigint> {
    const id = peer.toString()

    if (this.offers.has(id)) {
      throw new AttentionOfferBusyError(id)
    }

    const offered = { amount, taken: 0n, routed: false }
    this.offers.set(id, offered)
    // the payee's bill waits on us, and we on its answer
    const signal = anySignal([AbortSignal.timeout(this.init.requestTimeout * 3), options.signal])

    try {
      const channel = paymentChannel(await this.components.connectionManager.openStream(peer, PAYMENT_PROTOCOL, { signal }))
      let answer: PaymentMessage

      try {
        await channel.write({ offer: { amount, site: site.slice(0, MAX_SITE_NAME_LENGTH) } }, { signal })
        answer = await channel.read({ signal })
        await channel.close({ signal })
      } catch (err: any) {
        channel.abort(err)
        throw err
      }

      if (answer.reject != null) {
        this.components.log('%p did not bill our offer of %s stroops of attention: %s', peer, amount, answer.reject.reason)
      }

      // a route that failed paid nothing; a transaction we signed is the payee's to submit, answer or not
      return answer.receipt == null && offered.routed ? 0n : offered.taken
    } catch (err: any) {
      this.components.log('offering %p attention failed - %e', peer, err)
      return offered.routed ? 0n : offered.taken
    } finally {
      signal.clear()
      this.offers.delete(id)
    }
  }

  /** A payer offers us attention money: bill it, and tell it how that went */
  private async answerOffer (peer: PeerId, offer: AttentionOffer, channel: PaymentChannel): Promise<void> {
    const signal = AbortSignal.timeout(this.init.requestTimeout * 2)
    let answer: PaymentMessage

    if (!this.withinRate(peer)) {
      answer = this.unauthenticated(undefined, Reject.Code.RATE_LIMITED, `more than ${PAYMENT_STREAMS_PER_SECOND} payment streams a second`)
    } else if (this.components.onOffer == null) {
      answer = this.unauthenticated(undefined, Reject.Code.UNAVAILABLE, 'we do not bill attention')
    } else {
      answer = await this.components.onOffer(peer, offer, { signal })
    }

    await channel.write(answer, { signal })
    await channel.close({ signal })
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

    while (this.billsUnreceived(peer, account, request) && counts.serving(peer) && Date.now() < deadline && !signal.aborted) {
      await new Promise(resolve => setTimeout(resolve, ARRIVAL_POLL_INTERVAL))
    }

    // a bill for bytes we never had is refused without a look at the ledger
    if (this.billsUnreceived(peer, account, request)) {
      return {}
    }

    const route = await this.route(peer, request, signal)

    if (route != null && 'session' in route) {
      await funds.prepare(route.quote.first, { signal })
      return { route }
    }

    await funds.prepare(request.amount, { signal })
    const known = account.unsettled.some(tab => tab.channel === request.channel && tab.sequence === request.sequence)

    if (known) {
      return { route }
    }

    try {
      return { route, channelProblem: await this.channels.problem(request.channel, request.sequence, { signal }) }
    } catch (err: any) {
      return { route, channelProblem: `cannot read channel ${request.channel}: ${err.message}` }
    }
  }

  /** The route to pay a payee's request through, when it takes routed payments and we route */
  private async route (peer: PeerId, request: PaymentRequest, signal: AbortSignal): Promise<Preflight['route']> {
    const routes = this.components.routes

    if (routes == null || routes.hops === 0 || request.hash?.byteLength !== 32 || request.routeKey?.byteLength !== 32) {
      return undefined
    }

    try {
      const session = await routes.session(peer, request.routeKey, { signal })

      if (session == null) {
        return { problem: `no route of ${routes.hops} relays: too few answer, or the guard's leg is locked by a payment that has not resolved yet (it lapses at its expiry) and too few are left for a spare route` }
      }

      const quote = routes.quote(session, request.amount)
      return 'reason' in quote ? { problem: quote.reason } : { session, quote }
    } catch (err: any) {
      return { problem: `no route could be opened: ${err.message}` }
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

  /** Whether the request bills bytes past those we may be billed for; one of attention alone bills none */
  private billsUnreceived (peer: PeerId, account: PayerAccount, request: PaymentRequest): boolean {
    return request.rangeEnd > request.rangeStart && request.rangeEnd > this.billable(peer, account)
  }

  /**
   * A routed payment the payee took while we missed its receipt (we
   * stopped, or the stream broke): its next request starts where that one
   * ended, past what our account shows paid. Of the attempts at that range
   * (a route that failed is paid again another way) one is counted.
   */
  private async adoptMissed (peer: PeerId, request: PaymentRequest): Promise<void> {
    const { books } = this.components

    if (books.payer(peer.toString()).paidThrough >= request.rangeStart) {
      return
    }

    const missed = books.routedList().filter(routed => routed.counted !== true && routed.request?.peer === peer.toString() && routed.request.rangeEnd === request.rangeStart)
    const taken = missed.find(routed => routed.state !== 'failed') ?? missed[0]

    if (taken != null) {
      await this.count(peer, taken.hash)
    }
  }

  private async decide (peer: PeerId, request: PaymentRequest, preflight: Preflight): Promise<PaymentMessage> {
    const { books, metrics } = this.components
    await this.adoptMissed(peer, request)
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

    if (refused == null && preflight.route != null && 'session' in preflight.route) {
      return this.promiseRouted(peer, request, preflight.route)
    }

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

    const route = preflight.route
    const routed = route != null && 'session' in route
    const unroutable = this.routeRefusal(request, preflight)

    if (unroutable != null) {
      return unroutable
    }

    const tabTotal = account.unsettled.find(tab => tab.channel === request.channel && tab.sequence === request.sequence)?.total ?? 0n

    if (request.rangeStart !== account.paidThrough || (!routed && request.total !== tabTotal + request.amount)) {
      return { code: Reject.Code.OUT_OF_SYNC, reason: `we paid for bytes up to ${account.paidThrough} and owe ${tabTotal} on that tab; the request starts at ${request.rangeStart} and totals ${request.total}` }
    }

    const billable = this.billable(peer, account)

    if (this.billsUnreceived(peer, account, request)) {
      return { code: Reject.Code.AMOUNT_MISMATCH, reason: `the request bills bytes up to ${request.rangeEnd}; we pay for bytes up to ${billable}: those of blocks we asked for and received, and more only while the peer serves our wants` }
    }

    const unoffered = this.attentionRefusal(peer, request)

    if (unoffered != null) {
      return unoffered
    }

    // over everything paid to the peer for bytes, so rounding cannot be had request by request
    const forBytes = account.paid - (account.attention ?? 0n) + request.amount - (request.attention ?? 0n)

    if (forBytes > priceOf(request.rangeEnd, this.init.maxPricePerMiB)) {
      return { code: Reject.Code.PRICE_TOO_HIGH, reason: `${forBytes} stroops in all for ${request.rangeEnd} bytes is above our ${this.init.maxPricePerMiB} per MiB` }
    }

    const peerSpent = spentWithin(account.spending ?? [], now, this.init.budgetPeriod)
    const totalSpent = spentWithin(books.budget().spending, now, this.init.budgetPeriod)

    // a route's fees count in the total budget, and in what we must be able to pay
    const cost = routed ? (route as { quote: Quote }).quote.first : request.amount

    if (peerSpent + request.amount > this.init.budgetPerPeer || totalSpent + cost > this.init.budgetTotal) {
      return { code: Reject.Code.OVER_BUDGET, reason: `paying ${cost} would pass our budget (${peerSpent} of ${this.init.budgetPerPeer} to this peer, ${totalSpent} of ${this.init.budgetTotal} in all, over the last ${this.init.budgetPeriod} ms)` }
    }

    return funds.check(cost)
  }

  /** Why the attention a request bills is not paid: we did not offer it, not that much, or it was billed already */
  private attentionRefusal (peer: PeerId, request: PaymentRequest): Refusal | undefined {
    const attention = request.attention ?? 0n
    const offered = this.offers.get(peer.toString())
    const open = offered == null || offered.taken > 0n ? 0n : offered.amount

    if (attention > open) {
      return { code: Reject.Code.NOT_OFFERED, reason: `the request bills ${attention} stroops of attention; we offer ${open} now` }
    }
  }

  /** Why the request is not paid the way its route (or the lack of one) says */
  private routeRefusal (request: PaymentRequest, preflight: Preflight): Refusal | undefined {
    const route = preflight.route

    if (route != null && 'problem' in route && this.init.routeFallback === 'refuse') {
      return { code: Reject.Code.UNAVAILABLE, reason: `we pay only through routes, and have none: ${route.problem}` }
    }

    if (route != null && 'session' in route && this.components.books.routed(toHex(request.hash ?? new Uint8Array(0))) != null) {
      return { code: Reject.Code.REPLAYED, reason: 'the request\'s hash was used before' }
    }

    if ((route == null || 'problem' in route) && preflight.channelProblem != null) {
      return { code: Reject.Code.BAD_CHANNEL, reason: preflight.channelProblem }
    }
  }

  /**
   * Promise the payee a payment through the route: synced first, so that a
   * restart knows the lock we are about to sign; our account with the payee
   * moves only once the payee says it holds the payment
   */
  private async promiseRouted (peer: PeerId, request: PaymentRequest, route: { session: ClientSession, quote: Quote }): Promise<PaymentMessage> {
    const now = Date.now()
    const { session, quote } = route
    await this.components.books.commit({
      nonce: { peer: peer.toString(), nonce: toHex(request.nonce), expiry: Number(request.expiry) },
      routed: [{
        hash: toHex(request.hash ?? new Uint8Array(0)),
        state: 'pending',
        out: { peer: session.relays[0].peer.toString(), session: session.session, amount: quote.first, expiry: quote.expiry },
        request: { id: toHex(request.id), peer: peer.toString(), amount: request.amount, rangeStart: request.rangeStart, rangeEnd: request.rangeEnd, expiry: Number(request.expiry), attention: request.attention },
        createdAt: now,
        updatedAt: now
      }],
      events: [event(peer, 'payment-sent', request, [`routed, ${quote.fees} in fees`, attentionNote(request)].filter(Boolean).join('; '))]
    })
    this.takeOffer(peer, request, true)
    this.components.metrics.routed?.increment({ sent: true })
    this.components.log('paying %p %s stroops for request %s through %d relays, %s in fees', peer, request.amount, toHex(request.id), session.relays.length, quote.fees)
    return { payment: { requestId: request.id, transaction: '', routed: true } }
  }

  /**
   * Start the promised payment on its way and wait for the payee's word that
   * it holds it; then the payment counts in our account with the payee. A
   * route that refuses, or a payee that never says, leaves the account as
   * it was: the payee bills the range again, and we pay it another way.
   */
  private async payRouted (peer: PeerId, request: PaymentRequest, channel: PaymentChannel, session: ClientSession): Promise<void> {
    const { books, routes, log } = this.components
    const hash = toHex(request.hash ?? new Uint8Array(0))
    const routed = books.routed(hash)

    if (routes == null || routed?.out == null) {
      channel.abort(new Error('the route went away'))
      return
    }

    const failed = routes.failureSignal(request.hash ?? new Uint8Array(0))
    const wait = anySignal([AbortSignal.timeout(Math.max(0, Number(request.expiry) - Date.now())), failed.signal])
    let failure: string | undefined
    let guardFailed = false
    let stale = false

    try {
      const answer = await routes.pay(session, request.hash ?? new Uint8Array(0), { first: routed.out.amount, expiry: routed.out.expiry, fees: routed.out.amount - request.amount }, { signal: wait })

      if (answer.held == null) {
        // a failure further on can overtake the guard's own answer
        guardFailed = !failed.signal.aborted
        stale = answer.fail?.code === RouteFail.Code.UNKNOWN_SESSION
        failure = guardFailed ? `the guard refused: ${answer.fail?.reason ?? 'no answer'}` : failed.signal.reason.message
      } else {
        const reply = await channel.read({ signal: wait })
        failure = reply.receipt == null ? `the payee did not take it: ${reply.reject?.reason ?? 'no receipt'}` : undefined
      }
    } catch (err: any) {
      failure = failed.signal.aborted ? failed.signal.reason.message : err.message
    } finally {
      failed.done()
      wait.clear()
    }

    routes.outcome(session, stale ? 'stale' : outcomeOf(failure, guardFailed))

    if (failure != null) {
      log('routed payment %s to %p failed: %s', hash, peer, failure)
      // the payee bills the range again; our lock at the guard lapses unless a preimage turns up after all
      await books.commit(() => {
        const current = books.routed(hash)
        return current?.state === 'pending' ? { routed: [{ ...current, state: 'failed', reason: failure, updatedAt: Date.now() }] } : {}
      })
      channel.abort(new Error(failure))
      return
    }

    await this.countRouted(peer, hash)
    await channel.close({ signal: AbortSignal.timeout(this.init.requestTimeout) }).catch(() => {})
  }

  /** A routed payment the payee holds: count it in our account with the payee, once */
  private async countRouted (peer: PeerId, hash: string): Promise<void> {
    await this.components.serializer.run('payer', async () => { await this.count(peer, hash) })
  }

  /** Under the payer lock: see countRouted */
  private async count (peer: PeerId, hash: string): Promise<void> {
    const { books, counts, metrics } = this.components
    const routed = books.routed(hash)
    const request = routed?.request

    if (routed == null || request == null || routed.counted === true || routed.out == null) {
      return
    }

    const now = Date.now()
    const account = books.payer(peer.toString())
    const delivered = counts.delivered(peer)
    await books.commit({
      payer: {
        ...account,
        paidThrough: request.rangeEnd > account.paidThrough ? request.rangeEnd : account.paidThrough,
        received: delivered < request.rangeEnd ? delivered : request.rangeEnd,
        paid: account.paid + request.amount,
        attention: plus(account.attention, request.attention),
        spending: spend(account.spending ?? [], now, this.init.budgetPeriod, request.amount)
      },
      budget: { spending: spend(books.budget().spending, now, this.init.budgetPeriod, routed.out.amount) },
      routed: [{ ...routed, counted: true, updatedAt: now }]
    })
    metrics.paymentsSent?.increment()
    metrics.stroopsSent?.increment(Number(routed.out.amount))
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
      attention: plus(account.attention, request.attention),
      latest: { requestId: toHex(request.id), channel: request.channel, sequence: request.sequence, total: request.total, transaction, rangeEnd: request.rangeEnd },
      unsettled: [...account.unsettled.filter(other => other !== tab), withVersion(tab, request)],
      spending: spend(account.spending ?? [], now, this.init.budgetPeriod, request.amount)
    }

    await books.commit({
      payer: paid,
      nonce: { peer: peer.toString(), nonce: toHex(request.nonce), expiry: Number(request.expiry) },
      budget: { spending: spend(books.budget().spending, now, this.init.budgetPeriod, request.amount) },
      events: [event(peer, 'payment-sent', request, attentionNote(request))]
    })
    this.takeOffer(peer, request, false)
    metrics.requestsReceived?.increment({ paid: true })
    metrics.paymentsSent?.increment()
    this.components.log('paying %p %s stroops for request %s', peer, request.amount, toHex(request.id))
    metrics.stroopsSent?.increment(Number(request.amount))

    return { payment: { requestId: request.id, transaction } }
  }

  /** The attention a request we pay bills is taken from our offer: once */
  private takeOffer (peer: PeerId, request: PaymentRequest, routed: boolean): void {
    const offered = this.offers.get(peer.toString())

    if (offered != null && (request.attention ?? 0n) > 0n) {
      offered.taken = request.attention ?? 0n
      offered.routed = routed
    }
  }
}

function plus (a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a == null && b == null ? undefined : (a ?? 0n) + (b ?? 0n)
}

function attentionNote (request: PaymentRequest): string | undefined {
  return (request.attention ?? 0n) > 0n ? `${request.attention} for attention` : undefined
}

function outcomeOf (failure: string | undefined, guardFailed: boolean): 'paid' | 'guard-failed' | 'failed' {
  if (failure == null) {
    return 'paid'
  }

  return guardFailed ? 'guard-failed' : 'failed'
}

/** The tab with the version a request adds: what it pays, up to which byte */
function withVersion (tab: PayerTab | undefined, request: PaymentRequest): PayerTab {
  const attention = plus(tab?.attention, request.attention)
  const versions = [...(tab?.versions ?? []), { total: request.total, rangeEnd: request.rangeEnd, ...(attention == null ? {} : { attention }) }]

  return {
    channel: request.channel,
    sequence: request.sequence,
    total: request.total,
    ...(attention == null ? {} : { attention }),
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

  const attention = request.attention ?? 0n

  if (request.amount <= 0n || request.total < request.amount || request.sequence <= 0n || attention > request.amount) {
    return 'amount, total and sequence must be positive and consistent, and attention at most the amount'
  }

  // bytes are billed for a range of them; attention alone for none
  if (request.rangeEnd < request.rangeStart || (request.rangeEnd === request.rangeStart && attention !== request.amount)) {
    return 'the byte range must be [range_start, range_end), empty only for a request of attention alone'
  }
}

function event (peer: PeerId, kind: PaymentEvent['kind'], request: PaymentRequest, reason?: string): PaymentEvent {
  return { time: Date.now(), peer: peer.toString(), kind, amount: request.amount, ref: toHex(request.id), reason }
}
