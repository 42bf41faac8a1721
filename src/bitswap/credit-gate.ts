/**
 * Metered bitswap, composed around an unmodified @helia/bitswap: the
 * traffic meter's gate applies the credit policy to every frame we send a
 * peer (throttled past the credit limit), bills the peer through the payment
 * service once it owes the payment threshold, and holds the streams that
 * carry its wants once it owes the disconnect limit, until it pays. Held
 * streams are released in order when the payment arrives, so bitswap then
 * reads the wants it would have read before, and the peer's fetch goes on
 * without it doing anything.
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { PaymentProtocolUnsupportedError } from '../payments/errors.js'
import { DEFAULT_BILL_RETRY_INTERVAL, DEFAULT_HOLD_TIMEOUT, DEFAULT_MAX_HELD, DEFAULT_MAX_HELD_PER_PEER } from './constants.js'
import { CreditPolicy } from './credit.js'
import type { CreditPolicyInit, PeerCreditView } from './credit.js'
import type { PeerTrafficStore } from './peer-traffic.js'
import type { BitswapGate } from './traffic-meter.js'
import type { PaymentService } from '../payments/index.js'
import type { ComponentLogger, Counter, Logger, Metrics, PeerId, Startable, Stream } from '@libp2p/interface'

export interface CreditGateComponents {
  payments: Pick<PaymentService, 'bill' | 'prepareToBill' | 'addEventListener' | 'removeEventListener' | 'books'>
  peerTraffic: Pick<PeerTrafficStore, 'get' | 'addEventListener' | 'removeEventListener'>
  logger: ComponentLogger
  metrics?: Metrics
}

export interface CreditGateInit extends CreditPolicyInit {
  /**
   * Milliseconds a held stream waits for its peer to pay before it is reset
   *
   * @default 300_000
   */
  holdTimeout?: number

  /**
   * Streams held per peer; more are reset (a peer sends one stream per
   * wantlist change, so this bounds a flood)
   *
   * @default 8
   */
  maxHeldPerPeer?: number

  /**
   * Streams held in all
   *
   * @default 256
   */
  maxHeld?: number

  /**
   * Milliseconds before a peer that did not pay is billed again; a peer that
   * does not speak the payment protocol waits ten times as long
   *
   * @default 30_000
   */
  billRetryInterval?: number
}

interface HeldStream {
  release(admitted: boolean): void
}

export class CreditGate implements BitswapGate, Startable {
  readonly [Symbol.toStringTag] = 'torplus:bitswap:credit-gate'
  readonly [serviceCapabilities] = ['@torplus/credit-gate']
  readonly [serviceDependencies] = ['@torplus/payments', '@torplus/peer-traffic']
  readonly policy: CreditPolicy
  private readonly components: CreditGateComponents
  private readonly log: Logger
  private readonly holdTimeout: number
  private readonly maxHeldPerPeer: number
  private readonly maxHeld: number
  private readonly billRetryInterval: number
  private readonly freeAllowance: number
  private readonly held = new Map<string, HeldStream[]>()
  private readonly billing = new Set<string>()
  private readonly notBefore = new Map<string, number>()
  /** Peers that would not pay ahead: billed only for what they were served */
  private readonly noAhead = new Set<string>()
  /** Held frames' pauses, per peer, cut short when the peer pays */
  private readonly pauses = new Map<string, Set<() => void>>()
  private readonly refused?: Counter
  private readonly delayed?: Counter
  private started = false
  /** Whether a channel account was readied for the first bill */
  private prepared = false

  constructor (components: CreditGateComponents, init: CreditGateInit) {
    this.components = components
    this.log = components.logger.forComponent('torplus:bitswap:credit-gate')
    this.holdTimeout = init.holdTimeout ?? DEFAULT_HOLD_TIMEOUT
    this.maxHeldPerPeer = init.maxHeldPerPeer ?? DEFAULT_MAX_HELD_PER_PEER
    this.maxHeld = init.maxHeld ?? DEFAULT_MAX_HELD
    this.billRetryInterval = init.billRetryInterval ?? DEFAULT_BILL_RETRY_INTERVAL
    this.freeAllowance = init.freeAllowance
    const books = components.payments.books
    this.policy = new CreditPolicy({
      served: peer => components.peerTraffic.get(peer).bytesSent,
      paidThrough: peer => books.payeeCredit(peer).paidThrough,
      forgiven: peer => books.payeeCredit(peer).forgiven,
      refused: peer => books.payeeCredit(peer).refused
    }, init)
    this.refused = components.metrics?.registerCounter('torplus_bitswap_refused_streams_total', { help: 'Streams of wants reset because their peer owed the disconnect limit' })
    this.delayed = components.metrics?.registerCounter('torplus_bitswap_throttled_frames_total', { help: 'Bitswap frames held back by the throttle' })
    components.metrics?.registerMetric('torplus_bitswap_held_streams', { help: 'Streams of wants held until their peer pays', calculate: () => this.heldCount() })
  }

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    this.components.payments.addEventListener('payment', this.onPayment)
    this.components.peerTraffic.addEventListener('forget', this.onForget)
    this.started = true
  }

  stop (): void {
    this.components.payments.removeEventListener('payment', this.onPayment)
    this.components.peerTraffic.removeEventListener('forget', this.onForget)

    for (const streams of this.held.values()) {
      streams.forEach(stream => { stream.release(false) })
    }

    this.held.clear()
    this.noAhead.clear()
    this.pauses.forEach(wakers => { wakers.forEach(wake => { wake() }) })
    this.started = false
  }

  delay (peer: string, bytes: number): number {
    const delay = this.policy.delay(peer, bytes)

    if (delay > 0) {
      this.delayed?.increment()
    }

    return delay
  }

  sent (peer: string, bytes: number): void {
    this.policy.sent(peer, bytes)

    if (!this.prepared && this.policy.view(peer).allowance <= this.freeAllowance / 2) {
      // half an allowance ahead of the first bill, which would wait for it
      this.prepared = true
      this.components.payments.prepareToBill().catch(err => { this.log.error('could not ready a channel account for billing - %e', err) })
    }

    if (this.policy.due(peer, this.ahead(peer))) {
      this.bill(peer)
    }
  }

  async pause (peer: string, ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const wakers = this.pauses.get(peer) ?? new Set()
      const wake = (): void => {
        clearTimeout(timer)
        wakers.delete(wake)

        if (wakers.size === 0) {
          this.pauses.delete(peer)
        }

        resolve()
      }
      const timer = setTimeout(wake, ms)
      wakers.add(wake)
      this.pauses.set(peer, wakers)
    })
  }

  async admit (peer: string, stream: Stream): Promise<boolean> {
    if (this.policy.status(peer) !== 'refused') {
      return true
    }

    const streams = this.held.get(peer) ?? []

    if (streams.length >= this.maxHeldPerPeer || this.heldCount() >= this.maxHeld) {
      this.refused?.increment()
      return false
    }

    this.log('holding %s stream %s of %s until it pays', stream.protocol, stream.id, peer)
    this.bill(peer)

    return new Promise<boolean>(resolve => {
      const timer = setTimeout(() => { entry.release(false) }, this.holdTimeout)
      const entry: HeldStream = {
        release: (admitted) => {
          clearTimeout(timer)
          const list = this.held.get(peer) ?? []
          list.splice(list.indexOf(entry), 1)

          if (list.length === 0) {
            this.held.delete(peer)
          }

          if (!admitted) {
            this.refused?.increment()
          }

          resolve(admitted)
        }
      }

      streams.push(entry)
      this.held.set(peer, streams)
    })
  }

  /** The credit view of every peer we hold state for */
  view (peer: string): PeerCreditView {
    return this.policy.view(peer)
  }

  private readonly onForget = (evt: CustomEvent<string>): void => {
    this.forget(evt.detail)
  }

  /** Drop what is kept of a peer forgotten as idle */
  forget (peer: string): void {
    if (this.billing.has(peer) || this.held.has(peer)) {
      return
    }

    this.policy.forget(peer)
    this.notBefore.delete(peer)
    this.noAhead.delete(peer)
  }

  private ahead (peer: string): bigint {
    return this.noAhead.has(peer) ? 0n : this.policy.aheadBytes
  }

  private heldCount (): number {
    return [...this.held.values()].reduce((sum, list) => sum + list.length, 0)
  }

  private readonly onPayment = (event: CustomEvent<PeerId | string>): void => {
    const peer = event.detail.toString()
    // it pays now: bill it again as soon as it owes
    this.notBefore.delete(peer)
    // throttled frames look again at once
    this.pauses.get(peer)?.forEach(wake => { wake() })

    if (this.policy.status(peer) !== 'refused') {
      // in the order they came, so bitswap sees the wants in order
      for (const stream of [...(this.held.get(peer) ?? [])]) {
        stream.release(true)
      }
    }
  }

  /** Bill in the background, one bill per peer at a time */
  private bill (peer: string): void {
    if (this.billing.has(peer) || (this.notBefore.get(peer) ?? 0) > Date.now()) {
      return
    }

    const ahead = this.ahead(peer)
    this.billing.add(peer)
    this.components.payments.bill(peerIdFromString(peer), { ahead, freeBytes: this.policy.freeBytes(peer) })
      .then(outcome => {
        this.billing.delete(peer)

        if (outcome.status === 'rejected' && outcome.code === 'AMOUNT_MISMATCH' && ahead > 0n) {
          this.log('%s does not pay %s bytes ahead; billing it for what it was served', peer, ahead)
          this.noAhead.add(peer)
          this.bill(peer)
          return
        }

        if (outcome.status === 'rejected') {
          this.log('%s rejected our bill: %s %s', peer, outcome.code, outcome.reason)
          this.notBefore.set(peer, Date.now() + this.billRetryInterval)
          return
        }

        this.notBefore.delete(peer)

        // what went out while the bill was out may be due already: billed now,
        // not at the next frame, which may be waiting for this very payment
        if (outcome.status === 'paid' && this.started && this.policy.due(peer, this.ahead(peer))) {
          this.bill(peer)
        }
      }, err => {
        this.billing.delete(peer)
        // an unmodified bitswap peer does not speak the payment protocol: it is served its allowance, then throttled, then refused
        const unsupported = err.name === PaymentProtocolUnsupportedError.name
        this.log('could not bill %s - %e', peer, err)
        this.notBefore.set(peer, Date.now() + this.billRetryInterval * (unsupported ? 10 : 1))
      })
  }
}

/**
 * The credit policy on what we serve: throttle, bill and hold bitswap
 * streams of peers that owe; needs the payment service
 */
export function creditGate (init: CreditGateInit): (components: CreditGateComponents) => CreditGate {
  return (components) => new CreditGate(components, init)
}
