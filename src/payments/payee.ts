/**
 * The payee side: bill a peer for the bytes it was served and has not paid
 * for. A request names the byte range, the amount and the tab it adds to;
 * the payer's payment is a newer transaction for that tab, checked, synced to
 * the books and only then receipted.
 */
import { anySignal } from 'any-signal'
import { PAYMENT_PROTOCOL } from './constants.js'
import { PeerUnreachableError } from './errors.js'
import { Reject } from './pb/payment.js'
import { bytesFor, priceOf } from './pricing.js'
import { paymentChannel, toHex } from './protocol/exchange.js'
import { createPaymentRequest } from './protocol/request.js'
import { tabLock } from './settler.js'
import { checkTabTransaction, tabTotal } from './stellar/tab.js'
import type { PaymentBooks, PayeeAccount, PaymentEvent, Tab } from './books/index.js'
import type { PaymentMetrics } from './metrics.js'
import type { Payment, PaymentRequest } from './pb/payment.js'
import type { PaymentChannel } from './protocol/exchange.js'
import type { Settler } from './settler.js'
import type { ChannelLease, ChannelPool } from './stellar/channels.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { PeerLedger } from '../bitswap/peer-ledger.js'
import type { KeyedSerializer } from '../utils/keyed-serializer.js'
import type { AbortOptions, Libp2p, Logger, PeerId, PrivateKey } from '@libp2p/interface'

export interface PayeeComponents {
  libp2p: Pick<Libp2p, 'dialProtocol'>
  privateKey: PrivateKey
  books: PaymentBooks
  wallet: StellarWallet
  channels: ChannelPool
  settler: Settler
  peerLedger: Pick<PeerLedger, 'get' | 'atLeast'>
  serializer: KeyedSerializer
  metrics: PaymentMetrics
  log: Logger
  /** Told of every payment accepted */
  onPaid?(peer: PeerId): void
}

export interface PayeeInit {
  /**
   * Bytes served to a peer free of charge (its allowance) and not yet
   * accounted in a paid range; they are left out of the amount billed
   *
   * @default () => 0n
   */
  freeBytes?(peer: string): bigint

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
}

/** A payer that lost track sends its view, or settling closed the tab: then we ask again */
const MAX_ATTEMPTS = 3

/** Times to settle the oldest tab for a channel before giving up */
const MAX_LEASE_ATTEMPTS = 8

export class Payee {
  private readonly components: PayeeComponents
  private readonly init: PayeeInit

  constructor (components: PayeeComponents, init: PayeeInit) {
    this.components = components
    this.init = init
  }

  /**
   * Ask `peer` to pay for the bytes served to it since its last payment
   */
  async bill (peer: PeerId, options: BillOptions = {}): Promise<BillOutcome> {
    return this.components.serializer.run(`payee:${peer}`, async () => {
      let outcome: BillOutcome | { status: 'resync' } = { status: 'resync' }

      for (let attempt = 0; attempt < MAX_ATTEMPTS && outcome.status === 'resync'; attempt++) {
        outcome = await this.billOnce(peer, options)
      }

      return outcome.status === 'resync'
        ? { status: 'rejected', requestId: '', code: 'OUT_OF_SYNC', reason: 'the payer and we disagree on what it has paid', received: 0n }
        : outcome
    })
  }

  private async billOnce (peer: PeerId, options: BillOptions): Promise<BillOutcome | { status: 'resync' }> {
    const { books, peerLedger } = this.components
    const account = books.payee(peer.toString())
    // the books are synced at each payment, the byte counts lazily
    peerLedger.atLeast(peer, { bytesSent: account.served ?? account.paidThrough })
    const served = peerLedger.get(peer).bytesSent
    let rangeEnd = options.rangeEnd != null && options.rangeEnd < served ? options.rangeEnd : served + (options.ahead ?? 0n)
    const pending = this.currentTab(account)?.pending

    // a request we never heard back about: the payer may have paid it, and
    // after a crash our byte count may be short of it; ask for it again, so
    // the payer either pays it or shows us its payment
    if (pending != null && pending.rangeEnd > rangeEnd) {
      rangeEnd = pending.rangeEnd
    }

    const forgiven = account.forgiven ?? 0n
    const free = min(rangeEnd - account.paidThrough, max(0n, (this.init.freeBytes?.(peer.toString()) ?? forgiven) - forgiven))
    const amount = priceOf(rangeEnd - account.paidThrough - free, this.init.pricePerMiB)

    if (rangeEnd <= account.paidThrough || amount === 0n) {
      return { status: 'nothing-due', paidThrough: account.paidThrough }
    }

    const leased = await this.openTab(peer, account, options)

    // settling takes the same lock, so the tab cannot be submitted mid-exchange
    return this.components.serializer.run(tabLock(leased), async () => {
      const tab = books.tab(leased.channel, leased.sequence) ?? leased

      if (tab.state !== 'open') {
        return { status: 'resync' }
      }

      return this.exchange(peer, account, tab, { amount, rangeEnd, free, served: min(served, rangeEnd) }, options)
    })
  }

  private async exchange (peer: PeerId, account: PayeeAccount, tab: Tab, bill: Bill, options: BillOptions): Promise<BillOutcome | { status: 'resync' }> {
    const { books, wallet, metrics, log } = this.components
    const { amount, rangeEnd } = bill
    const request = await createPaymentRequest({
      payee: wallet.address,
      assetCode: wallet.asset.getCode(),
      assetIssuer: wallet.asset.getIssuer() ?? '',
      amount,
      rangeStart: account.paidThrough,
      rangeEnd,
      expiry: BigInt(Date.now() + this.init.requestExpiry),
      channel: tab.channel,
      sequence: tab.sequence,
      total: tab.total + amount
    }, this.components.privateKey)
    const requestId = toHex(request.id)

    await books.commit({
      payee: { ...account, tab: { channel: tab.channel, sequence: tab.sequence } },
      // until the payer answers, it may hold a newer transaction for this tab than we do
      tabs: [{ ...tab, pending: { requestId, rangeEnd } }],
      events: [event(peer, 'request-sent', amount, requestId)]
    })
    log('billing %p %s stroops for bytes %s-%s on %s/%s', peer, amount, request.rangeStart, rangeEnd, tab.channel, tab.sequence)

    const signal = anySignal([AbortSignal.timeout(this.init.requestTimeout), options.signal])
    const channel = await this.open(peer, signal)

    try {
      await channel.write({ request }, { signal })
      const answer = await channel.read({ signal })

      if (answer.payment != null) {
        return await this.accept(peer, request, bill, answer.payment, channel, signal)
      }

      if (answer.reject == null) {
        throw new Error('the payer answered neither with a payment nor a reject')
      }

      const { code, reason } = answer.reject
      metrics.requests?.increment({ [code]: true })

      if (code === Reject.Code.OUT_OF_SYNC && await this.catchUp(peer, answer.reject, answer.reject.latest)) {
        await channel.close({ signal })
        return { status: 'resync' }
      }

      await books.commit({ tabs: [{ ...tab, pending: undefined }], events: [event(peer, 'request-refused', amount, requestId, code)] })
      await channel.close({ signal })
      log('%p rejected request %s: %s %s', peer, requestId, code, reason)
      return { status: 'rejected', requestId, code, reason, received: answer.reject.received }
    } catch (err: any) {
      metrics.requests?.increment({ failed: true })
      channel.abort(err)
      throw err
    }
  }

  private async accept (peer: PeerId, request: PaymentRequest, bill: Bill, payment: Payment, channel: PaymentChannel, signal: AbortSignal): Promise<BillOutcome> {
    const { books, wallet, metrics, settler } = this.components
    const requestId = toHex(request.id)
    const tab = books.tab(request.channel, request.sequence)

    if (tab == null) {
      throw new Error(`tab ${request.channel}/${request.sequence} vanished while billing`)
    }

    const checked = toHex(payment.requestId) === requestId
      ? checkTabTransaction(payment.transaction, { channel: tab.channel, sequence: tab.sequence, payee: wallet.address, asset: wallet.asset, total: request.total, passphrase: wallet.passphrase, payer: tab.payer })
      : { reason: 'the payment is for another request' }

    if ('reason' in checked) {
      metrics.requests?.increment({ BAD_PAYMENT: true })
      await books.commit({ tabs: [{ ...tab, pending: undefined }], events: [event(peer, 'payment-refused', request.amount, requestId, checked.reason)] })
      await channel.write({ reject: { requestId: request.id, code: Reject.Code.BAD_PAYMENT, reason: checked.reason, paidThrough: 0n, received: 0n } }, { signal })
      await channel.close({ signal })
      return { status: 'rejected', requestId, code: 'BAD_PAYMENT', reason: checked.reason, received: 0n }
    }

    const account = books.payee(peer.toString())
    const updated: Tab = { ...tab, total: request.total, transaction: payment.transaction, payer: checked.payer, pending: undefined, updatedAt: Date.now() }
    const paid: PayeeAccount = { ...account, paidThrough: request.rangeEnd, served: bill.served, received: account.received + request.amount, forgiven: (account.forgiven ?? 0n) + bill.free }
    await books.commit({ payee: paid, tabs: [updated], events: [event(peer, 'payment-received', request.amount, requestId)] })
    // told before the receipt goes: it may queue behind data on the connection,
    // and whatever waits on this payment (a throttled peer) need not
    this.components.onPaid?.(peer)

    metrics.requests?.increment({ paid: true })
    this.components.log('%p paid request %s', peer, requestId)
    metrics.paymentsReceived?.increment()
    metrics.stroopsReceived?.increment(Number(request.amount))

    await channel.write({ receipt: { requestId: request.id, totalPaid: paid.received } }, { signal })
    await channel.close({ signal })
    settler.settleIfDue(updated)

    return { status: 'paid', requestId, amount: request.amount, total: request.total, paidThrough: paid.paidThrough, received: paid.received }
  }

  /**
   * The payer says it paid more than our books hold: we crashed after it
   * paid and before we synced. Adopt its latest transaction if it is a valid
   * one for our open tab that pays more, and covers no more bytes than it
   * pays for.
   */
  private async catchUp (peer: PeerId, view: { paidThrough: bigint, received: bigint }, latest?: Payment): Promise<boolean> {
    const { books, wallet, log } = this.components
    const { paidThrough } = view
    const account = books.payee(peer.toString())
    const tab = account.tab == null ? undefined : books.tab(account.tab.channel, account.tab.sequence)

    if (latest == null || tab == null || tab.state !== 'open' || paidThrough <= account.paidThrough) {
      return false
    }

    const total = tabTotal(latest.transaction, wallet.passphrase) ?? 0n
    const checked = checkTabTransaction(latest.transaction, { channel: tab.channel, sequence: tab.sequence, payee: wallet.address, asset: wallet.asset, total, passphrase: wallet.passphrase, payer: tab.payer })

    if ('reason' in checked || total <= tab.total || total - tab.total < priceOf(paidThrough - account.paidThrough, this.init.pricePerMiB)) {
      log('%p claims payment through %s, which its transaction does not bear out', peer, paidThrough)
      return false
    }

    log('%p paid %s through %s before we last stopped; adopting it', peer, total, paidThrough)
    // what the lost request left free: its bytes less those the amount pays for
    const paidBytes = bytesFor(total - tab.total, this.init.pricePerMiB)
    const free = max(0n, paidThrough - account.paidThrough - paidBytes)
    await books.commit({
      // what it received is what we had served, less what was in flight
      payee: { ...account, paidThrough, served: min(paidThrough, view.received), received: account.received + total - tab.total, forgiven: (account.forgiven ?? 0n) + free },
      tabs: [{ ...tab, total, transaction: latest.transaction, payer: checked.payer, pending: undefined, updatedAt: Date.now() }],
      events: [event(peer, 'payment-received', total - tab.total, toHex(latest.requestId), 'recovered')]
    })
    this.components.onPaid?.(peer)

    return true
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

    const lease = await this.lease(options)

    const now = Date.now()
    return { peer: peer.toString(), channel: lease.channel, sequence: lease.sequence, total: 0n, state: 'open', openedAt: now, updatedAt: now }
  }

  /**
   * A free channel; when all are leased, settle the oldest tab to free one.
   * Other payers may be after the same channel, so this tries a few times.
   */
  private async lease (options: AbortOptions): Promise<ChannelLease> {
    const { channels, settler } = this.components

    for (let attempt = 0; ; attempt++) {
      try {
        return await channels.lease(options)
      } catch (err: any) {
        if (err.name !== 'ChannelsExhaustedError' || attempt >= MAX_LEASE_ATTEMPTS) {
          throw err
        }
      }

      await settler.settleOldest(options)
    }
  }

  private async open (peer: PeerId, signal: AbortSignal): Promise<PaymentChannel> {
    try {
      return paymentChannel(await this.components.libp2p.dialProtocol(peer, PAYMENT_PROTOCOL, { signal }))
    } catch (err: any) {
      this.components.metrics.requests?.increment({ failed: true })
      throw new PeerUnreachableError(peer.toString(), err.message)
    }
  }
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
