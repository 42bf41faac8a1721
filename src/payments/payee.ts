/**
 * The payee side: bill a peer for the bytes it was served and has not paid
 * for. A request names the byte range, the amount and the tab it adds to;
 * the payer's payment is a newer transaction for that tab, checked, found
 * fundable on the ledger (the payer's account covers every tab it has with
 * us), synced to the books and only then receipted. A new payer's first tab
 * is settled at once, and a payer whose promise stops being fundable while
 * it is served has its tab settled at once: what does not land is rolled
 * back (settlement-outcome.ts).
 *
 * A payer may offer us money for attention to our sites: we bill it with
 * what it owes for bytes, and keep it apart from byte money in the books.
 */
import { createHash, randomBytes } from 'node:crypto'
import { UnsupportedProtocolError } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { anySignal } from 'any-signal'
import { FUNDING_MAX_AGE, MAX_ATTENTION_BILLS, MAX_ATTENTION_OFFER, MAX_SITE_NAME_LENGTH, MIN_ATTENTION_OFFER, PAYMENT_PROTOCOL } from './constants.js'
import { PaymentProtocolUnsupportedError, PeerUnreachableError, UnexpectedAnswerError } from './errors.js'
import { leaseChannel } from './lease.js'
import { Reject } from './pb/payment.js'
import { bytesFor, priceOf } from './pricing.js'
import { paymentChannel, toHex } from './protocol/exchange.js'
import { createPaymentRequest } from './protocol/request.js'
import { tabLock } from './settler.js'
import { checkTabTransaction, tabTotal } from './stellar/tab.js'
import type { BookChanges, PaymentBooks, PayeeAccount, PaymentEvent, PendingRequest, RoutedPayment, Tab } from './books/index.js'
import type { Funding } from './funding.js'
import type { PaymentMetrics } from './metrics.js'
import type { AttentionOffer, Payment, PaymentMessage, PaymentRequest } from './pb/payment.js'
import type { PeerCounts } from './ports.js'
import type { PaymentChannel } from './protocol/exchange.js'
import type { RoutedPayee } from './routes/router.js'
import type { Settler } from './settler.js'
import type { ChannelPool } from './stellar/channels.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { KeyedSerializer } from '../utils/keyed-serializer.js'
import type { AbortOptions, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface PayeeComponents {
  connectionManager: Pick<ConnectionManager, 'openStream'>
  privateKey: PrivateKey
  books: PaymentBooks
  wallet: StellarWallet
  channels: ChannelPool
  settler: Settler
  funding: Funding
  counts: PeerCounts
  serializer: KeyedSerializer
  metrics: PaymentMetrics
  log: Logger
  /** Told of every payment accepted */
  onPaid?(peer: PeerId): void
  /** Our route key, when we take payment through routes */
  routeKey?: Uint8Array
}

export interface PayeeInit {
  /** Stroops per MiB served */
  pricePerMiB: bigint
  /** Milliseconds a request stays valid */
  requestExpiry: number
  /** Milliseconds to wait for the payer */
  requestTimeout: number
}

export interface BillOptions extends AbortOptions {
  /**
   * Bill up to this many bytes served instead of everything counted
   */
  rangeEnd?: bigint

  /**
   * Bytes to bill beyond what was served, for a payer that pays ahead (not
   * with `rangeEnd`)
   *
   * @default 0n
   */
  ahead?: bigint

  /**
   * Bytes served to the peer free of charge (its allowance) and not yet
   * accounted in a paid range; they are left out of the amount billed
   *
   * @default 0n
   */
  freeBytes?: bigint

  /**
   * Attention money the payer offered for time spent on our site `site`,
   * billed on top of the bytes
   */
  attention?: { amount: bigint, site: string }
}

export type BillOutcome =
  | { status: 'paid', requestId: string, amount: bigint, total: bigint, paidThrough: bigint, received: bigint }
  | { status: 'nothing-due', paidThrough: bigint }
  | { status: 'rejected', requestId: string, code: string, reason: string, received: bigint }

interface Bill {
  amount: bigint
  rangeEnd: bigint
  /** Bytes of the range served free */
  free: bigint
  /** Bytes served when the bill was made; `rangeEnd` runs ahead of it when billing ahead */
  served: bigint
  /** Stroops of `amount` for attention */
  attention: bigint
  /** The site the attention was paid for */
  site?: string
}

type ExchangeOutcome = BillOutcome | { status: 'resync' }

/** A payer that lost track sends its view, or settling closed the tab: then we ask again */
const MAX_ATTEMPTS = 3

/** Unanswered requests of a tab remembered, to believe a payer's account of them */
const MAX_ASKED = 8

/** The name of a site an offer of attention is for */
const SITE_NAME = new RegExp(`^[a-z0-9.-]{1,${MAX_SITE_NAME_LENGTH}}$`)

export class Payee implements Startable, RoutedPayee {
  private readonly components: PayeeComponents
  private readonly init: PayeeInit
  /** Requests paid through a route, waiting for the lock to reach us */
  private readonly locks = new Map<string, () => void>()
  /** Per open tab, the bytes its peer had been served when its funding was last checked */
  private readonly checkedAt = new Map<string, bigint>()
  /** Offers of attention being billed */
  private attentionBills = 0
  private timer?: ReturnType<typeof setInterval>

  constructor (components: PayeeComponents, init: PayeeInit) {
    this.components = components
    this.init = init
  }

  isStarted (): boolean {
    return this.timer != null
  }

  start (): void {
    this.timer = setInterval(() => { this.recheckFunding() }, FUNDING_MAX_AGE)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /**
   * Ask `peer` to pay for the bytes served to it since its last payment
   */
  async bill (peer: PeerId, options: BillOptions = {}): Promise<BillOutcome> {
    return this.components.serializer.run(`payee:${peer}`, async () => {
      let outcome: ExchangeOutcome = { status: 'resync' }

      for (let attempt = 0; attempt < MAX_ATTEMPTS && outcome.status === 'resync'; attempt++) {
        outcome = await this.billOnce(peer, options)
      }

      return outcome.status === 'resync'
        ? { status: 'rejected', requestId: '', code: 'OUT_OF_SYNC', reason: 'the payer and we disagree on what it has paid', received: 0n }
        : outcome
    })
  }

  /**
   * A payer offers attention money: bill it (with what it owes for bytes),
   * and answer with how that went
   */
  async attend (peer: PeerId, offer: AttentionOffer, options: AbortOptions = {}): Promise<PaymentMessage> {
    const refuse = (code: Reject.Code, reason: string): PaymentMessage => ({ reject: { requestId: new Uint8Array(0), code, reason, paidThrough: 0n, received: 0n } })

    // the site's name goes into our history as it is: a DNS name only
    if (offer.amount < MIN_ATTENTION_OFFER || offer.amount > MAX_ATTENTION_OFFER || !SITE_NAME.test(offer.site)) {
      return refuse(Reject.Code.MALFORMED, `an offer is of ${MIN_ATTENTION_OFFER} to ${MAX_ATTENTION_OFFER} stroops, for a site named by a DNS name of at most ${MAX_SITE_NAME_LENGTH} characters`)
    }

    if (this.attentionBills >= MAX_ATTENTION_BILLS) {
      return refuse(Reject.Code.RATE_LIMITED, 'we are billing other offers of attention: offer again later')
    }

    this.attentionBills++

    try {
      const outcome = await this.bill(peer, { ...options, attention: { amount: offer.amount, site: offer.site } })

      if (outcome.status === 'paid') {
        return { receipt: { requestId: Buffer.from(outcome.requestId, 'hex'), totalPaid: outcome.received } }
      }

      return outcome.status === 'rejected'
        ? refuse(codeOf(outcome.code), outcome.reason)
        : refuse(Reject.Code.UNKNOWN, 'nothing was billed')
    } catch (err: any) {
      return refuse(Reject.Code.UNAVAILABLE, `we could not bill the offer: ${err.message}`)
    } finally {
      this.attentionBills--
    }
  }

  private async billOnce (peer: PeerId, options: BillOptions): Promise<ExchangeOutcome> {
    const { books, counts } = this.components
    const account = books.payee(peer.toString())
    // the books are synced at each payment, the byte counts lazily
    counts.atLeast(peer, { served: account.served ?? account.paidThrough })
    const served = counts.served(peer)
    let rangeEnd = options.rangeEnd != null && options.rangeEnd < served ? options.rangeEnd : served + (options.ahead ?? 0n)
    const pending = this.currentTab(account)?.pending
    const attention = options.attention?.amount ?? 0n

    // a request we never heard back about: the payer may have paid it, and
    // after a crash our byte count may be short of it; ask for it again, so
    // the payer either pays it or shows us its payment
    if (pending != null && pending.rangeEnd > rangeEnd) {
      rangeEnd = pending.rangeEnd
    }

    // attention is billed with no bytes when none are due (the payer paid ahead)
    if (attention > 0n && rangeEnd < account.paidThrough) {
      rangeEnd = account.paidThrough
    }

    const forgiven = account.forgiven ?? 0n
    const free = min(rangeEnd - account.paidThrough, max(0n, (options.freeBytes ?? forgiven) - forgiven))
    // priced on the running total of bytes paid for, so that rounding up
    // (a partial stroop is charged whole) happens once, not once a bill
    const amount = priceOf(rangeEnd - forgiven - free, this.init.pricePerMiB) - priceOf(account.paidThrough - forgiven, this.init.pricePerMiB) + attention

    if ((rangeEnd <= account.paidThrough && attention === 0n) || amount === 0n) {
      return { status: 'nothing-due', paidThrough: account.paidThrough }
    }

    // the stream first: a peer that does not speak the protocol (a plain
    // bitswap client) never takes a channel
    const channel = await this.open(peer, options)
    let leased: Tab

    try {
      leased = await this.openTab(peer, account, options)
    } catch (err: any) {
      channel.abort(err)
      throw err
    }

    const bill = { amount, rangeEnd, free, served: min(served, rangeEnd), attention, site: options.attention?.site }
    // settling takes the same lock, so the tab cannot be submitted mid-exchange
    const outcome = await this.components.serializer.run(tabLock(leased), async () => {
      const tab = books.tab(leased.channel, leased.sequence) ?? leased

      if (tab.state !== 'open') {
        await channel.close()
        return { status: 'resync' } as const
      }

      return this.exchange(peer, channel, account, tab, bill, options)
    })

    await this.releaseIfUnpaid(leased)
    return outcome
  }

  private async exchange (peer: PeerId, channel: PaymentChannel, account: PayeeAccount, tab: Tab, bill: Bill, options: AbortOptions): Promise<ExchangeOutcome> {
    const { books, wallet, metrics, log } = this.components
    const { amount, rangeEnd } = bill
    const expiry = Date.now() + this.init.requestExpiry
    // a fresh preimage per request: its hash is never used twice
    const preimage = this.components.routeKey == null ? undefined : randomBytes(32)
    const hash = preimage == null ? undefined : createHash('sha256').update(preimage).digest()
    const request = await createPaymentRequest({
      ...(hash == null ? {} : { hash, routeKey: this.components.routeKey }),
      ...(bill.attention > 0n ? { attention: bill.attention } : {}),
      payee: wallet.address,
      assetCode: wallet.asset.getCode(),
      assetIssuer: wallet.asset.getIssuer() ?? '',
      amount,
      rangeStart: account.paidThrough,
      rangeEnd,
      expiry: BigInt(expiry),
      channel: tab.channel,
      sequence: tab.sequence,
      total: tab.total + amount
    }, this.components.privateKey)
    const requestId = toHex(request.id)

    await books.commit(() => ({
      payee: { ...books.payee(peer.toString()), tab: { channel: tab.channel, sequence: tab.sequence } },
      // until the payer answers, it may hold a newer transaction for this tab than we do
      tabs: [{ ...tab, pending: asking(tab.pending, { requestId, rangeEnd, expiry, total: request.total, attention: request.attention }) }],
      events: [event(peer, 'request-sent', amount, requestId, attentionNote(bill))],
      // synced before the request leaves: after a crash we can still release it
      routed: hash == null || preimage == null
        ? []
        : [{ hash: toHex(hash), state: 'pending', preimage: toHex(preimage), request: { id: requestId, peer: peer.toString(), amount, rangeStart: request.rangeStart, rangeEnd, expiry, free: bill.free, served: bill.served, attention: request.attention }, createdAt: Date.now(), updatedAt: Date.now() }]
    }))
    log('billing %p %s stroops for bytes %s-%s on %s/%s', peer, amount, request.rangeStart, rangeEnd, tab.channel, tab.sequence)

    const signal = anySignal([AbortSignal.timeout(this.init.requestTimeout), options.signal])

    try {
      await channel.write({ request }, { signal })
      const answer = await channel.read({ signal })

      if (answer.payment?.routed === true && request.hash != null) {
        signal.clear()
        return await this.acceptRouted(peer, request, channel, options)
      }

      if (answer.payment != null) {
        return await this.accept(peer, request, bill, answer.payment, channel, signal)
      }

      if (answer.reject == null) {
        throw new UnexpectedAnswerError('the payer answered neither with a payment nor a reject')
      }

      const { code, reason } = answer.reject
      metrics.requests?.increment({ [code]: true })

      if (code === Reject.Code.OUT_OF_SYNC && await this.catchUp(peer, answer.reject, answer.reject.latest, signal)) {
        await channel.close({ signal })
        return { status: 'resync' }
      }

      const current = books.tab(tab.channel, tab.sequence) ?? tab
      await books.commit({ tabs: [{ ...current, pending: undefined }], events: [event(peer, 'request-refused', amount, requestId, code)] })
      await channel.close({ signal })
      log('%p rejected request %s: %s %s', peer, requestId, code, reason)
      return { status: 'rejected', requestId, code, reason, received: answer.reject.received }
    } catch (err: any) {
      metrics.requests?.increment({ failed: true })
      channel.abort(err)
      throw err
    } finally {
      signal.clear()

      // whatever the payer answered but a routed payment that reached us, the request's lock is void
      if (request.hash != null) {
        await this.voidRouted(toHex(request.hash)).catch(err => { log.error('could not void the lock of request %s - %e', requestId, err) })
      }
    }
  }

  /**
   * Void a request's lock: its preimage is forgotten, never released, and a
   * lock that comes for it later finds no request
   */
  private async voidRouted (hash: string): Promise<void> {
    const { books, serializer } = this.components
    await serializer.run(`routed:${hash}`, async () => {
      const routed = books.routed(hash)

      if (routed?.state === 'pending' && routed.in == null && routed.out == null) {
        await books.commit({ forgetRouted: [hash] })
      }
    })
  }

  /** Void the locks of requests that expired unanswered (we stopped while they were out) */
  async voidExpired (now = Date.now()): Promise<void> {
    for (const routed of this.components.books.routedList(['pending'])) {
      if (routed.in == null && routed.out == null && (routed.request?.expiry ?? 0) < now) {
        await this.voidRouted(routed.hash)
      }
    }
  }

  private async accept (peer: PeerId, request: PaymentRequest, bill: Bill, payment: Payment, channel: PaymentChannel, signal: AbortSignal): Promise<BillOutcome> {
    const { books, wallet, metrics, settler } = this.components
    const requestId = toHex(request.id)
    const tab = books.tab(request.channel, request.sequence)

    if (tab == null) {
      throw new UnexpectedAnswerError(`tab ${request.channel}/${request.sequence} vanished while billing`)
    }

    const checked = toHex(payment.requestId) === requestId
      ? checkTabTransaction(payment.transaction, { channel: tab.channel, sequence: tab.sequence, payee: wallet.address, asset: wallet.asset, total: request.total, passphrase: wallet.passphrase, payer: tab.payer })
      : { reason: 'the payment is for another request' }
    const refusal = 'reason' in checked
      ? { code: Reject.Code.BAD_PAYMENT, reason: checked.reason }
      : await this.unfunded(checked.payer, { channel: tab.channel, sequence: tab.sequence, total: request.total }, signal)

    if (refusal != null || 'reason' in checked) {
      const { code, reason } = refusal ?? { code: Reject.Code.BAD_PAYMENT, reason: 'not checked' }
      metrics.requests?.increment({ [code]: true })
      await books.commit({ tabs: [{ ...tab, pending: undefined }], events: [event(peer, 'payment-refused', request.amount, requestId, reason)] })
      await channel.write({ reject: { requestId: request.id, code, reason, paidThrough: 0n, received: 0n } }, { signal })
      await channel.close({ signal })
      return { status: 'rejected', requestId, code, reason, received: 0n }
    }

    const updated: Tab = {
      ...tab,
      total: request.total,
      transaction: payment.transaction,
      payer: checked.payer,
      pending: undefined,
      updatedAt: Date.now(),
      rangeStart: tab.rangeStart ?? request.rangeStart,
      rangeEnd: request.rangeEnd,
      free: (tab.free ?? 0n) + bill.free,
      ...withAttention(tab.attention, bill.attention)
    }
    // from the account as it is when written: a settlement may end meanwhile
    const { payee: paid } = await books.commit(() => {
      const account = books.payee(peer.toString())
      return {
        payee: { ...account, paidThrough: request.rangeEnd, served: bill.served, received: account.received + request.amount, forgiven: (account.forgiven ?? 0n) + bill.free, ...withAttention(account.attention, bill.attention) },
        tabs: [updated],
        events: [event(peer, 'payment-received', request.amount, requestId, attentionNote(bill))]
      }
    }) as { payee: PayeeAccount }
    // told before the receipt goes: it may queue behind data on the connection,
    // and whatever waits on this payment (a throttled peer) need not
    this.components.onPaid?.(peer)

    metrics.requests?.increment({ paid: true })
    this.components.log('%p paid request %s', peer, requestId)
    metrics.paymentsReceived?.increment()
    metrics.stroopsReceived?.increment(Number(request.amount))

    await channel.write({ receipt: { requestId: request.id, totalPaid: paid.received } }, { signal })
    await channel.close({ signal })
    // a new payer's first tab, and a refused payer's, land now: until they
    // do, we do not know its promises hold
    settler.settleIfDue(updated, paid.refused === true || this.unproven(peer.toString()))

    return { status: 'paid', requestId, amount: request.amount, total: request.total, paidThrough: paid.paidThrough, received: paid.received }
  }

  /**
   * The payer pays through a route: wait, until the request expires, for the
   * lock to reach us (the router credits the payer as it holds it), then
   * receipt; a request whose lock did not come is void, its preimage never
   * released
   */
  private async acceptRouted (peer: PeerId, request: PaymentRequest, channel: PaymentChannel, options: AbortOptions): Promise<BillOutcome> {
    const { books, metrics, serializer } = this.components
    const hash = toHex(request.hash ?? new Uint8Array(0))
    const requestId = toHex(request.id)
    const signal = anySignal([AbortSignal.timeout(Math.max(0, Number(request.expiry) - Date.now())), options.signal])

    try {
      await new Promise<void>((resolve) => {
        this.locks.set(hash, resolve)
        signal.addEventListener('abort', () => { resolve() }, { once: true })
        // a payer whose route failed says so by ending the stream
        channel.read({ signal }).then(() => { resolve() }, () => { resolve() })

        if (books.routed(hash)?.state !== 'pending') {
          resolve()
        }
      })
    } finally {
      this.locks.delete(hash)
      signal.clear()
    }

    const taken = await serializer.run(`routed:${hash}`, async () => {
      const routed = books.routed(hash)

      if (routed?.state === 'fulfilled') {
        return true
      }

      if (routed != null) {
        const tab = this.currentTab(books.payee(peer.toString()))
        await books.commit({
          forgetRouted: [hash],
          tabs: tab?.pending?.requestId === requestId ? [{ ...tab, pending: undefined }] : [],
          events: [event(peer, 'request-refused', request.amount, requestId, 'no routed payment in time')]
        })
      }

      return false
    })
    const deadline = AbortSignal.timeout(this.init.requestTimeout)

    if (!taken) {
      metrics.requests?.increment({ [Reject.Code.EXPIRED]: true })
      const reason = 'no payment reached us through the route before the request expired'
      await channel.write({ reject: { requestId: request.id, code: Reject.Code.EXPIRED, reason, paidThrough: 0n, received: 0n } }, { signal: deadline }).catch(() => {})
      await channel.close({ signal: deadline })
      return { status: 'rejected', requestId, code: 'EXPIRED', reason, received: 0n }
    }

    const account = books.payee(peer.toString())
    metrics.requests?.increment({ paid: true })
    await channel.write({ receipt: { requestId: request.id, totalPaid: account.received } }, { signal: deadline }).catch(() => {})
    await channel.close({ signal: deadline })
    return { status: 'paid', requestId, amount: request.amount, total: request.amount, paidThrough: account.paidThrough, received: account.received }
  }

  /** What crediting a request's payer for its routed payment changes (RoutedPayee) */
  credit (routed: RoutedPayment): BookChanges {
    const request = routed.request

    if (request == null) {
      return {}
    }

    const { books } = this.components
    const account = books.payee(request.peer)
    const tab = this.currentTab(account)
    const free = request.free ?? 0n

    return {
      payee: {
        ...account,
        paidThrough: request.rangeEnd > account.paidThrough ? request.rangeEnd : account.paidThrough,
        served: request.served ?? request.rangeEnd,
        received: account.received + request.amount,
        forgiven: (account.forgiven ?? 0n) + free,
        ...withAttention(account.attention, request.attention ?? 0n)
      },
      tabs: tab?.pending?.requestId === request.id ? [{ ...tab, pending: undefined }] : [],
      events: [{ time: Date.now(), peer: request.peer, kind: 'payment-received', amount: request.amount, ref: request.id, reason: (request.attention ?? 0n) > 0n ? `routed; ${request.attention} for attention` : 'routed' }]
    }
  }

  /** A request's lock is held and its payer credited (RoutedPayee) */
  locked (hash: string): void {
    const routed = this.components.books.routed(hash)

    if (routed?.request != null) {
      const { metrics } = this.components
      metrics.paymentsReceived?.increment()
      metrics.stroopsReceived?.increment(Number(routed.request.amount))
      this.components.onPaid?.(peerIdFromString(routed.request.peer))
    }

    this.locks.get(hash)?.()
  }

  /**
   * The payer says it paid more than our books hold: we crashed after it
   * paid and before we synced. Its word is taken only for a request we sent
   * and have no answer to: its latest transaction must be for our open tab
   * and pay exactly what one of those requests asked, for the range it
   * asked, and the payer's account must be able to fund it; otherwise we
   * keep the transaction we hold.
   */
  private async catchUp (peer: PeerId, view: { paidThrough: bigint }, latest: Payment | undefined, signal: AbortSignal): Promise<boolean> {
    const { books, wallet, funding, counts, log } = this.components
    const account = books.payee(peer.toString())
    const tab = this.currentTab(account)
    const total = latest == null ? undefined : tabTotal(latest.transaction, wallet.passphrase)
    const asked = tab?.pending?.asked?.find(request => request.rangeEnd === view.paidThrough && request.total === total)
    // a request of attention alone moves no bytes, only money
    const advances = view.paidThrough > account.paidThrough || (view.paidThrough === account.paidThrough && (asked?.attention ?? 0n) > 0n)

    if (latest == null || tab == null || asked == null || !advances) {
      log('%p claims payment through %s, which is no request of ours it left unanswered', peer, view.paidThrough)
      return false
    }

    const checked = checkTabTransaction(latest.transaction, { channel: tab.channel, sequence: tab.sequence, payee: wallet.address, asset: wallet.asset, total: asked.total, passphrase: wallet.passphrase, payer: tab.payer })

    if ('reason' in checked || total !== asked.total || total <= tab.total) {
      log('%p claims payment through %s, which its transaction does not bear out', peer, view.paidThrough)
      return false
    }

    const short = await funding.shortfall(checked.payer, { channel: tab.channel, sequence: tab.sequence, total }, { signal }).catch((err: Error) => err.message)

    if (short != null) {
      log('%p claims payment through %s with a transaction its account cannot fund: %s', peer, view.paidThrough, short)
      return false
    }

    log('%p paid %s through %s before we last stopped; adopting it', peer, total, view.paidThrough)
    const served = counts.served(peer)
    await books.commit(() => {
      const now = books.payee(peer.toString())
      const attention = asked.attention ?? 0n
      // what the lost request left free: its bytes less those the amount pays for
      const free = max(0n, view.paidThrough - now.paidThrough - bytesFor(total - tab.total - attention, this.init.pricePerMiB))
      return {
        payee: { ...now, paidThrough: view.paidThrough, served: min(view.paidThrough, served), received: now.received + total - tab.total, forgiven: (now.forgiven ?? 0n) + free, ...withAttention(now.attention, attention) },
        tabs: [{ ...tab, total, transaction: latest.transaction, payer: checked.payer, pending: undefined, updatedAt: Date.now(), rangeStart: tab.rangeStart ?? now.paidThrough, rangeEnd: view.paidThrough, free: (tab.free ?? 0n) + free, ...withAttention(tab.attention, attention) }],
        events: [event(peer, 'payment-received', total - tab.total, toHex(latest.requestId), 'recovered')]
      }
    })
    this.components.onPaid?.(peer)

    return true
  }

  /** Why a payment from `payer` is not credited: its account cannot fund its tabs with us */
  private async unfunded (payer: string, tab: { channel: string, sequence: bigint, total: bigint }, signal: AbortSignal): Promise<{ code: Reject.Code, reason: string } | undefined> {
    try {
      const short = await this.components.funding.shortfall(payer, tab, { signal })
      return short == null ? undefined : { code: Reject.Code.UNFUNDED, reason: short }
    } catch (err: any) {
      return { code: Reject.Code.UNFUNDED, reason: `cannot read the payer's account now (${err.message}); pay again later` }
    }
  }

  /**
   * Whether nothing of the peer's has landed or gone to the ledger yet: its
   * first tab is settled at once, to learn early whether its promises hold
   */
  private unproven (peer: string): boolean {
    const account = this.components.books.payee(peer)
    return (account.landed ?? 0n) === 0n && !this.components.books.tabList(['submitting', 'settled']).some(tab => tab.peer === peer)
  }

  /**
   * A peer we serve whose account stopped covering its tabs with us (it
   * moved its funds) gets its tab settled now: what lands is ours, what
   * does not is rolled back and the peer refused, instead of serving it on
   * against a promise that cannot be kept
   */
  private recheckFunding (): void {
    const { books, counts, funding, settler, log } = this.components
    const open = books.tabList(['open']).filter(tab => tab.payer != null && tab.transaction != null)
    const keys = new Set(open.map(tabLock))

    for (const key of this.checkedAt.keys()) {
      if (!keys.has(key)) {
        this.checkedAt.delete(key)
      }
    }

    for (const tab of open) {
      const served = counts.served(tab.peer)

      // only while it is being served: an idle payer costs no reads
      if (this.checkedAt.get(tabLock(tab)) === served) {
        continue
      }

      this.checkedAt.set(tabLock(tab), served)
      funding.shortfall(tab.payer ?? '', undefined, { signal: AbortSignal.timeout(FUNDING_MAX_AGE) })
        .then(short => {
          if (short != null) {
            log('%s can no longer fund its tab %s/%s: %s; settling it now', tab.peer, tab.channel, tab.sequence, short)
            settler.settleIfDue(tab, true)
          }
        }, (err: Error) => { log('could not read the account of %s - %e', tab.peer, err) })
    }
  }

  /**
   * A tab whose payer answered without signing on it (it refused, or paid
   * through a route) is forgotten and frees its channel: nothing can land at
   * its sequence without the channel's signature, so the next tab takes it,
   * and no ledger transaction is spent using it up
   */
  private async releaseIfUnpaid (leased: Tab): Promise<void> {
    const { books, channels, serializer } = this.components

    await serializer.run(tabLock(leased), async () => {
      const tab = books.tab(leased.channel, leased.sequence)

      if (tab == null || tab.state !== 'open' || tab.transaction != null || tab.pending != null || tab.held != null) {
        return
      }

      await books.commit(() => {
        const account = books.payee(tab.peer)
        const pointsHere = account.tab?.channel === tab.channel && account.tab.sequence === tab.sequence
        return { forgetTabs: [tab], ...(pointsHere ? { payee: { ...account, tab: undefined } } : {}) }
      })
      channels.release(tab.channel)
    })
  }

  /** The tab payments from `peer` go to, opening one on a free channel */
  private currentTab (account: PayeeAccount): Tab | undefined {
    const tab = account.tab == null ? undefined : this.components.books.tab(account.tab.channel, account.tab.sequence)
    return tab?.state === 'open' ? tab : undefined
  }

  private async openTab (peer: PeerId, account: PayeeAccount, options: AbortOptions): Promise<Tab> {
    const current = this.currentTab(account)

    if (current != null) {
      return current
    }

    const lease = await leaseChannel(this.components.channels, this.components.settler, options)

    const now = Date.now()
    return { peer: peer.toString(), channel: lease.channel, sequence: lease.sequence, total: 0n, state: 'open', openedAt: now, updatedAt: now }
  }

  private async open (peer: PeerId, options: AbortOptions): Promise<PaymentChannel> {
    const signal = anySignal([AbortSignal.timeout(this.init.requestTimeout), options.signal])

    try {
      return paymentChannel(await this.components.connectionManager.openStream(peer, PAYMENT_PROTOCOL, { signal }))
    } catch (err: any) {
      this.components.metrics.requests?.increment({ failed: true })

      if (err.name === UnsupportedProtocolError.name) {
        throw new PaymentProtocolUnsupportedError(peer.toString())
      }

      throw new PeerUnreachableError(peer.toString(), err.message)
    } finally {
      signal.clear()
    }
  }
}

/** The pending state of a tab once another request asks it for `request` */
function asking (pending: PendingRequest | undefined, request: { requestId: string, rangeEnd: bigint, expiry: number, total: bigint, attention?: bigint }): PendingRequest {
  const asked = { rangeEnd: request.rangeEnd, total: request.total, ...(request.attention == null ? {} : { attention: request.attention }) }

  return {
    requestId: request.requestId,
    rangeEnd: request.rangeEnd,
    expiry: request.expiry,
    asked: [...(pending?.asked ?? []), asked].slice(-MAX_ASKED)
  }
}

/** An account's or tab's attention money with `added` more: the field only where there is some */
function withAttention (before: bigint | undefined, added: bigint): { attention?: bigint } {
  return before == null && added === 0n ? {} : { attention: (before ?? 0n) + added }
}

/** The reject code of a bill's outcome, by its name */
function codeOf (name: string): Reject.Code {
  const code = (Reject.Code as Record<string, unknown>)[name]
  return typeof code === 'string' ? code as Reject.Code : Reject.Code.UNKNOWN
}

function attentionNote (bill: Pick<Bill, 'attention' | 'site'>): string | undefined {
  return bill.attention > 0n ? `${bill.attention} for attention to ${bill.site ?? 'our sites'}` : undefined
}

function min (a: bigint, b: bigint): bigint {
  return a < b ? a : b
}

function max (a: bigint, b: bigint): bigint {
  return a > b ? a : b
}

function event (peer: PeerId, kind: PaymentEvent['kind'], amount: bigint, ref: string, reason?: string): PaymentEvent {
  return { time: Date.now(), peer: peer.toString(), kind, amount, ref, reason }
}
