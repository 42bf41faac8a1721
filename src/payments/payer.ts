/**
 * The payer side: answer a payee's request with a payment or a reject. A
 * request is paid only if it is signed by the peer that sent it, new,
 * unexpired, in our asset, follows on from what we paid that peer, bills no
 * more bytes than we received from it (within a tolerance for bytes in
 * flight, and as far ahead as we pay ahead), at no more than
 * our price, within our budgets and our balance. The payment is synced to
 * the books before it leaves.
 */
import { Reject } from './pb/payment.js'
import { priceOf } from './pricing.js'
import { paymentChannel, toHex } from './protocol/exchange.js'
import { verifyPaymentRequest } from './protocol/request.js'
import { buildTabTransaction } from './stellar/tab.js'
import type { PaymentBooks, PayerAccount, PaymentEvent } from './books/index.js'
import type { PaymentMetrics } from './metrics.js'
import type { PayerFunds } from './payer-funds.js'
import type { PaymentMessage, PaymentRequest } from './pb/payment.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { PeerLedger } from '../bitswap/peer-ledger.js'
import type { KeyedSerializer } from '../utils/keyed-serializer.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

export interface PayerComponents {
  books: PaymentBooks
  wallet: StellarWallet
  funds: PayerFunds
  peerLedger: Pick<PeerLedger, 'get' | 'atLeast'>
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

export class Payer {
  private readonly components: PayerComponents
  private readonly init: PayerInit

  constructor (components: PayerComponents, init: PayerInit) {
    this.components = components
    this.init = init
  }

  /** The protocol handler: one exchange per stream */
  async handle (stream: Stream, connection: Connection): Promise<void> {
    const { serializer, log } = this.components
    const channel = paymentChannel(stream)
    const signal = AbortSignal.timeout(this.init.requestTimeout)
    const peer = connection.remotePeer

    try {
      const { request } = await channel.read({ signal })

      if (request != null) {
        await this.arrival(peer, request.rangeEnd, signal)
      }

      // one decision at a time: they share the balance and the total budget
      const answer: PaymentMessage = request == null
        ? { reject: { requestId: new Uint8Array(0), code: Reject.Code.MALFORMED, reason: 'expected a payment request', paidThrough: 0n, received: 0n } }
        : await serializer.run('payer', async () => this.decide(peer, request))
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

  /**
   * A request travels on a stream of its own and can overtake bytes the
   * payee sent before it on others (still in its muxer's buffers): give
   * what it bills a moment to arrive before holding it against our count.
   * First the count is raised to what the books hold: they are synced at
   * each payment, the count lazily.
   */
  private async arrival (peer: PeerId, rangeEnd: bigint, signal: AbortSignal): Promise<void> {
    const { books, peerLedger } = this.components
    const account = books.payer(peer.toString())
    peerLedger.atLeast(peer, { bytesReceived: account.received ?? account.paidThrough })
    const deadline = Date.now() + ARRIVAL_WAIT

    while (peerLedger.get(peer).bytesReceived + this.init.byteTolerance + this.init.payAhead < rangeEnd && Date.now() < deadline && !signal.aborted) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  private async decide (peer: PeerId, request: PaymentRequest): Promise<PaymentMessage> {
    const { books, wallet, peerLedger, funds, metrics } = this.components
    const account = books.payer(peer.toString())
    // raised to what the books hold by arrival()
    const received = peerLedger.get(peer).bytesReceived
    const nonce = toHex(request.nonce)

    const reject = async (code: Reject.Code, reason: string, remember = true): Promise<PaymentMessage> => {
      metrics.requestsReceived?.increment({ [code]: true })
      await books.commit({
        nonce: remember ? { peer: peer.toString(), nonce, expiry: Number(request.expiry) } : undefined,
        events: [event(peer, 'request-rejected', request, code)]
      })
      const latest = code === Reject.Code.OUT_OF_SYNC && account.latest != null
        ? { requestId: Buffer.from(account.latest.requestId, 'hex'), transaction: account.latest.transaction }
        : undefined
      return { reject: { requestId: request.id, code, reason, paidThrough: account.paidThrough, received, latest } }
    }

    const malformed = checkShape(request)

    if (malformed != null) {
      return reject(Reject.Code.MALFORMED, malformed, false)
    }

    if (!await verifyPaymentRequest(request, peer.publicKey ?? never())) {
      return reject(Reject.Code.BAD_SIGNATURE, 'the request is not signed by the peer that sent it', false)
    }

    if (await books.seenNonce(peer.toString(), nonce)) {
      return reject(Reject.Code.REPLAYED, `nonce ${nonce} was used before`, false)
    }

    if (Number(request.expiry) < Date.now()) {
      return reject(Reject.Code.EXPIRED, `the request expired at ${new Date(Number(request.expiry)).toISOString()}`)
    }

    if (request.assetCode !== wallet.asset.getCode() || request.assetIssuer !== wallet.asset.getIssuer()) {
      return reject(Reject.Code.WRONG_ASSET, `we pay in ${wallet.asset.getCode()}:${wallet.asset.getIssuer()}`)
    }

    const latest = account.latest

    if (latest != null && latest.channel === request.channel && latest.sequence === request.sequence && latest.total === request.total && latest.rangeEnd === request.rangeEnd) {
      // the payee lost our payment (it stopped before syncing it): the same transaction again pays nothing twice
      await books.commit({ nonce: { peer: peer.toString(), nonce, expiry: Number(request.expiry) }, events: [event(peer, 'payment-sent', { ...request, amount: 0n }, 'resent')] })
      return { payment: { requestId: request.id, transaction: latest.transaction } }
    }

    const tabTotal = account.unsettled.find(tab => tab.channel === request.channel && tab.sequence === request.sequence)?.total ?? 0n

    if (request.rangeStart !== account.paidThrough || request.total !== tabTotal + request.amount) {
      return reject(Reject.Code.OUT_OF_SYNC, `we paid for bytes up to ${account.paidThrough} and owe ${tabTotal} on that tab; the request starts at ${request.rangeStart} and totals ${request.total}`)
    }

    if (request.rangeEnd > received + this.init.byteTolerance + this.init.payAhead) {
      return reject(Reject.Code.AMOUNT_MISMATCH, `the request bills bytes up to ${request.rangeEnd}; we received ${received} and pay at most ${this.init.payAhead} ahead`)
    }

    const fair = priceOf(request.rangeEnd - request.rangeStart, this.init.maxPricePerMiB)

    if (request.amount > fair) {
      return reject(Reject.Code.PRICE_TOO_HIGH, `${request.amount} stroops for ${request.rangeEnd - request.rangeStart} bytes is above our ${this.init.maxPricePerMiB} per MiB`)
    }

    const now = Date.now()
    const peerSpent = now - account.periodStart >= this.init.budgetPeriod ? 0n : account.spent
    const budget = books.budget()
    const totalSpent = now - budget.periodStart >= this.init.budgetPeriod ? 0n : budget.spent

    if (peerSpent + request.amount > this.init.budgetPerPeer || totalSpent + request.amount > this.init.budgetTotal) {
      return reject(Reject.Code.OVER_BUDGET, `paying ${request.amount} would pass our budget (${peerSpent} of ${this.init.budgetPerPeer} to this peer, ${totalSpent} of ${this.init.budgetTotal} in all)`)
    }

    const short = await funds.check(request.amount)

    if (short != null) {
      return reject(short.code, short.reason)
    }

    const tx = buildTabTransaction({ channel: request.channel, sequence: request.sequence, payer: wallet.address, payee: request.payee, asset: wallet.asset, total: request.total, passphrase: wallet.passphrase })
    wallet.sign(tx)
    const transaction = tx.toEnvelope().toXDR('base64')
    const paid: PayerAccount = {
      ...account,
      paidThrough: request.rangeEnd,
      received: received < request.rangeEnd ? received : request.rangeEnd,
      paid: account.paid + request.amount,
      latest: { requestId: toHex(request.id), channel: request.channel, sequence: request.sequence, total: request.total, transaction, rangeEnd: request.rangeEnd },
      unsettled: [...account.unsettled.filter(tab => tab.channel !== request.channel || tab.sequence !== request.sequence), { channel: request.channel, sequence: request.sequence, total: request.total }],
      spent: peerSpent + request.amount,
      periodStart: peerSpent === 0n ? now : account.periodStart
    }

    await books.commit({
      payer: paid,
      nonce: { peer: peer.toString(), nonce, expiry: Number(request.expiry) },
      budget: { spent: totalSpent + request.amount, periodStart: totalSpent === 0n ? now : budget.periodStart },
      events: [event(peer, 'payment-sent', request)]
    })
    metrics.requestsReceived?.increment({ paid: true })
    metrics.paymentsSent?.increment()
    this.components.log('paying %p %s stroops for request %s', peer, request.amount, toHex(request.id))
    metrics.stroopsSent?.increment(Number(request.amount))

    return { payment: { requestId: request.id, transaction } }
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

function never (): never {
  throw new Error('the peer has no public key')
}

function event (peer: PeerId, kind: PaymentEvent['kind'], request: PaymentRequest, reason?: string): PaymentEvent {
  return { time: Date.now(), peer: peer.toString(), kind, amount: request.amount, ref: toHex(request.id), reason }
}
