/**
 * The credit policy a provider applies to each peer it serves, in the
 * spirit of Swarm's SWAP and pseudosettle: a free allowance that refills
 * over time (so a light user is never asked to pay), a payment request once
 * the unpaid amount passes the payment threshold, a rate limit past the
 * credit limit, and refusal of new wants past the disconnect limit. A
 * payment lowers the unpaid amount at once; settlement on the ledger is not
 * waited for. A peer that pays ahead is billed a little beyond what it was
 * served, so that its next bill is paid before it owes the credit limit,
 * however much data is queued ahead of the bill on the connection.
 */
import { bytesFor, priceOf } from '../payments/index.js'

export interface CreditPolicyInit {
  /** Stroops per MiB */
  pricePerMiB: bigint
  /** Bytes served free before any payment */
  freeAllowance: number
  /** Bytes per second the allowance refills */
  allowanceRefreshRate: number
  /** Stroops a payment request is sent for, at least */
  paymentThreshold: bigint
  /** Stroops a request asks for beyond what was served, of a peer that pays ahead */
  billAhead: bigint
  /** Stroops unpaid past which blocks are rate-limited */
  creditLimit: bigint
  /** Stroops unpaid past which new wants are refused */
  disconnectLimit: bigint
  /** Bytes per second a throttled peer is served */
  throttleRate: number
  /**
   * Bytes a refused peer is still served past the disconnect limit, of what
   * it asked for before: one request in flight (a bitswap message)
   *
   * @default 0
   */
  inFlight?: number
}

/** Milliseconds a held frame waits before it is looked at again (a payment wakes it sooner) */
const HOLD = 1000

export interface CreditSources {
  /** Bytes sent to the peer, all told */
  served(peer: string): bigint
  /** End of the byte range the peer has paid for */
  paidThrough(peer: string): bigint
  /** Free bytes already accounted in paid ranges */
  forgiven(peer: string): bigint
  /**
   * Whether a settlement of the peer's failed (or its promise stopped being
   * fundable): refused, whatever it owes, until a payment of its lands
   */
  refused?(peer: string): boolean

  /**
   * Milliseconds since the epoch
   *
   * @default Date.now
   */
  now?(): number
}

export type CreditStatus = 'free' | 'owing' | 'throttled' | 'refused'

interface PeerCredit {
  /** Bytes of allowance left */
  allowance: number
  refilledAt: number
  /** Bytes served free, all told */
  freeBytes: bigint
  /** Throttle tokens, bytes; negative while a frame is being paid off */
  tokens: number
  tokensAt: number
}

export interface PeerCreditView {
  status: CreditStatus
  /** Stroops */
  unpaid: bigint
  /** Bytes */
  allowance: number
  freeBytes: bigint
}

export class CreditPolicy {
  private readonly init: CreditPolicyInit
  private readonly sources: CreditSources
  private readonly peers = new Map<string, PeerCredit>()
  private readonly now: () => number

  constructor (sources: CreditSources, init: CreditPolicyInit) {
    this.sources = sources
    this.init = init
    this.now = () => sources.now?.() ?? Date.now()
  }

  /** Bytes served to the peer free and not yet accounted in a paid range */
  freeBytes (peer: string): bigint {
    return this.entry(peer).freeBytes
  }

  /** Bytes a bill asks for beyond what was served, of a peer that pays ahead */
  get aheadBytes (): bigint {
    return bytesFor(this.init.billAhead, this.init.pricePerMiB)
  }

  /** Stroops the peer owes for what it was served beyond its allowance */
  unpaid (peer: string): bigint {
    const owed = this.owedBytes(peer)
    return owed > 0n ? priceOf(owed, this.init.pricePerMiB) : 0n
  }

  status (peer: string): CreditStatus {
    const unpaid = this.unpaid(peer)

    if (this.init.pricePerMiB === 0n) {
      return 'free'
    }

    if (this.sources.refused?.(peer) === true) {
      return 'refused'
    }

    if (unpaid === 0n) {
      return 'free'
    }

    if (unpaid >= this.init.disconnectLimit) {
      return 'refused'
    }

    if (unpaid >= this.init.creditLimit) {
      return 'throttled'
    }

    return 'owing'
  }

  /**
   * Whether a payment request is due: once it would be for the payment
   * threshold, counting `ahead` bytes billed beyond what was served. As
   * `billAhead` is below the threshold, nobody is billed inside its allowance.
   */
  due (peer: string, ahead = 0n): boolean {
    const owed = this.owedBytes(peer) + ahead
    return this.init.pricePerMiB > 0n && owed > 0n && priceOf(owed, this.init.pricePerMiB) >= this.init.paymentThreshold
  }

  /**
   * Milliseconds to hold a frame of `bytes` before it may go: zero unless the
   * peer is throttled or refused. A refused peer's new wants are held; what
   * it asked for before still flows at the throttle rate, for one message's
   * worth past the disconnect limit (held longer than bitswap's send timeout,
   * a frame is dropped and bitswap forgets the block, so a peer that pays
   * soon resumes); past that, and for a peer whose settlement failed,
   * nothing goes that its free allowance does not cover until it pays.
   */
  delay (peer: string, bytes: number): number {
    const status = this.status(peer)

    if (status !== 'throttled' && status !== 'refused') {
      return 0
    }

    if (status === 'refused' && this.exhausted(peer) && this.allowanceNow(peer) < bytes) {
      return HOLD
    }

    const entry = this.refillTokens(peer)

    // a frame goes once the bucket is not in debt; the frame then puts it in
    // debt by its size, so the average rate holds whatever the frame sizes
    return entry.tokens >= 0 ? 0 : Math.ceil(-entry.tokens * 1000 / this.init.throttleRate)
  }

  /**
   * Whether a refused peer has had all the credit it gets: its settlement
   * failed, or it owes a message's worth past the disconnect limit
   */
  private exhausted (peer: string): boolean {
    return this.sources.refused?.(peer) === true ||
      this.owedBytes(peer) > bytesFor(this.init.disconnectLimit, this.init.pricePerMiB) + BigInt(this.init.inFlight ?? 0)
  }

  /** Bytes of free allowance the peer has now */
  private allowanceNow (peer: string): number {
    const entry = this.entry(peer)
    const now = this.now()
    entry.allowance = Math.min(this.init.freeAllowance, entry.allowance + (now - entry.refilledAt) * this.init.allowanceRefreshRate / 1000)
    entry.refilledAt = now
    return Math.floor(entry.allowance)
  }

  /** A frame of `bytes` goes to the peer: the allowance pays for what it can */
  sent (peer: string, bytes: number): void {
    const entry = this.entry(peer)
    this.allowanceNow(peer)
    const free = Math.min(bytes, Math.floor(entry.allowance))
    entry.allowance -= free
    entry.freeBytes += BigInt(free)

    const status = this.status(peer)

    if (status === 'throttled' || status === 'refused') {
      this.refillTokens(peer).tokens -= bytes - free
    }
  }

  view (peer: string): PeerCreditView {
    const entry = this.entry(peer)
    return { status: this.status(peer), unpaid: this.unpaid(peer), allowance: Math.floor(entry.allowance), freeBytes: entry.freeBytes }
  }

  /** Forget a peer's allowance state, e.g. after it disconnected long ago */
  forget (peer: string): void {
    this.peers.delete(peer)
  }

  /** Bytes served beyond the allowance and not paid for; negative when paid ahead */
  private owedBytes (peer: string): bigint {
    return this.sources.served(peer) - this.sources.paidThrough(peer) - (this.entry(peer).freeBytes - this.sources.forgiven(peer))
  }

  private refillTokens (peer: string): PeerCredit {
    const entry = this.entry(peer)
    const now = this.now()
    // at most one second of burst
    entry.tokens = Math.min(this.init.throttleRate, entry.tokens + (now - entry.tokensAt) * this.init.throttleRate / 1000)
    entry.tokensAt = now
    return entry
  }

  private entry (peer: string): PeerCredit {
    let entry = this.peers.get(peer)

    if (entry == null) {
      const now = this.now()
      entry = { allowance: this.init.freeAllowance, refilledAt: now, freeBytes: this.sources.forgiven(peer), tokens: this.init.throttleRate, tokensAt: now }
      this.peers.set(peer, entry)
    }

    return entry
  }
}
