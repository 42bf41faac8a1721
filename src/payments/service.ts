/**
 * The payment service: both sides of `/torplus/payment/1.0.0` (we bill the
 * peers we serve and pay the peers that serve us), the books they share,
 * the channel accounts and settlement
 */
import { hkdfSync } from 'node:crypto'
import { NotStartedError, serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { KeyedSerializer } from '../utils/keyed-serializer.js'
import { levelSyncedStore, PaymentBooks } from './books/index.js'
import { PAYMENT_PROTOCOL, PRUNE_INTERVAL, RELAY_ANNOUNCE_FIRST_REPEAT, RELAY_ANNOUNCE_INTERVAL, RELAY_ANNOUNCE_TIMEOUT, RELAY_REFRESH_INTERVAL } from './constants.js'
import { Funding } from './funding.js'
import { PaymentMetrics } from './metrics.js'
import { Payee } from './payee.js'
import { PayerFunds } from './payer-funds.js'
import { Payer } from './payer.js'
import { MAX_MESSAGE_SIZE } from './protocol/exchange.js'
import { RouteClient } from './routes/client.js'
import { RELAY_PROTOCOL, ROUTE_PROTOCOL } from './routes/constants.js'
import { routeKeyFromSecret } from './routes/onion.js'
import { RelayDirectory } from './routes/relays.js'
import { Router } from './routes/router.js'
import { relayStatus, routesStatus } from './routes/status.js'
import { Settler } from './settler.js'
import { ChannelPool } from './stellar/channels.js'
import type { PaymentEvent, PayeeAccount, PayerAccount, Tab, TabState } from './books/index.js'
import type { BillOptions, BillOutcome, PayeeInit } from './payee.js'
import type { PayerInit } from './payer.js'
import type { PeerCounts, PeerHolder } from './ports.js'
import type { RelayInit } from './routes/router.js'
import type { RelayStatus, RoutesStatus } from './routes/status.js'
import type { SettlerInit } from './settler.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { AbortOptions, ComponentLogger, ContentRouting, Logger, Metrics, PeerId, PrivateKey, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { LevelDatastore } from 'datastore-level'

export type { BillOutcome, BillOptions } from './payee.js'
export type { RelayStatus, RoutesStatus } from './routes/status.js'
export type { PeerCounts } from './ports.js'

export type { PaymentEvent, PayeeAccount, PayerAccount, Tab, TabState } from './books/index.js'

export interface PaymentServiceComponents {
  registrar: Pick<Registrar, 'handle' | 'unhandle'>
  connectionManager: Pick<ConnectionManager, 'openStream'>
  privateKey: PrivateKey
  peerId: PeerId
  /** Where relays are announced and found */
  contentRouting?: Pick<ContentRouting, 'findProviders' | 'provide'>
  /** Per-peer byte counts: what is billed and paid against */
  peerCounts: PeerCounts
  logger: ComponentLogger
  metrics?: Metrics
}

export interface PaymentServiceInit extends PayeeInit, PayerInit, SettlerInit {
  /** The node's Stellar account */
  wallet: StellarWallet
  /** Where the payment books are kept (synced at every payment) */
  datastore: LevelDatastore
  /** The node's Stellar seed, from which channel keys are derived */
  seed: Uint8Array
  /** Most channel accounts */
  channels: number
  /** Milliseconds the payment history and ended tabs are kept */
  historyRetention: number
  /** Relaying others' routed payments */
  relay: RelayInit
  /** Paying and being paid through routes */
  routes: RoutesInit
}

export interface RoutesInit {
  /** Relays per route; 0 pays directly */
  hops: number
  /** Relays to route through besides those found in the DHT (with /p2p/) */
  relays: Multiaddr[]
  /** The most the fees of one payment may come to */
  maxFee: { base: bigint, ppm: number }
  /** With no route: pay directly, or refuse */
  fallback: 'direct' | 'refuse'
  /** Take payments through routes as a payee */
  accept: boolean
  /** Seconds a lock must have left when it reaches us as the payee */
  finalDelta: number
  /** Seconds before a lock expires that we claim it on the ledger */
  claimMargin: number
  /** Milliseconds one route exchange may take */
  messageTimeout: number
}

/** One peer as both sides see it */
export interface PeerPayments {
  peer: string
  /** What the peer paid us */
  fromPeer?: PayeeAccount & { bytesServed: bigint }
  /** What we paid the peer */
  toPeer?: PayerAccount & { bytesDelivered: bigint }
}

export interface PaymentServiceEvents {
  /** A peer paid us, or a payment of its landed: what it owes or its refusal may have ended */
  payment: CustomEvent<PeerId | string>
}

export class PaymentService extends TypedEventEmitter<PaymentServiceEvents> implements Startable, PeerHolder {
  readonly [Symbol.toStringTag] = 'torplus:payments'
  readonly [serviceCapabilities] = ['@torplus/payments']
  readonly [serviceDependencies] = ['@torplus/peer-counts']
  readonly books: PaymentBooks
  private readonly components: PaymentServiceComponents
  private readonly init: PaymentServiceInit
  private readonly log: Logger
  private readonly metrics: PaymentMetrics
  private readonly serializer = new KeyedSerializer()
  private payee?: Payee
  private payer?: Payer
  private settler?: Settler
  private router?: Router
  private directory?: RelayDirectory
  private routeClient?: RouteClient
  private announceTimer?: ReturnType<typeof setTimeout>
  private relaysTimer?: ReturnType<typeof setInterval>
  private channels?: ChannelPool
  private pruneTimer?: ReturnType<typeof setInterval>
  private release?: () => void
  private started = false

  constructor (components: PaymentServiceComponents, init: PaymentServiceInit) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('torplus:payments')
    this.metrics = new PaymentMetrics(components.metrics)
    this.books = new PaymentBooks(levelSyncedStore(init.datastore))
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    const { registrar, connectionManager, peerCounts: counts } = this.components
    const { wallet } = this.init
    await this.books.load()
    await this.prune()

    const shared = { books: this.books, wallet, counts, serializer: this.serializer, metrics: this.metrics }
    const channels = this.channels = new ChannelPool({ seed: this.init.seed, max: this.init.channels, books: this.books, wallet, log: this.log.newScope('channels') })
    const landed = (tab: Tab): void => {
      if (tab.state === 'settled') {
        this.safeDispatchEvent('payment', { detail: tab.peer })
      }
    }
    const { routes, relay } = this.init
    const settler = this.settler = new Settler({ ...shared, channels, log: this.log.newScope('settle'), onFinished: landed }, { ...this.init, claimMargin: routes.claimMargin })
    const funding = new Funding({ books: this.books, wallet })
    const funds = new PayerFunds({ books: this.books, wallet, serializer: this.serializer, log: this.log.newScope('funds') })
    const routeKey = routeKeyFromSecret(hkdfSync('sha256', this.init.seed, new Uint8Array(0), 'torplus route key', 32) as any)
    const payee = this.payee = new Payee({ ...shared, connectionManager, privateKey: this.components.privateKey, channels, settler, funding, log: this.log.newScope('payee'), onPaid: peer => this.safeDispatchEvent('payment', { detail: peer }), routeKey: routes.accept ? routeKey.publicKey : undefined }, this.init)
    const router = this.router = new Router({ ...shared, connectionManager, channels, settler, funding, funds, routeKey, payee, metrics: this.metrics, log: this.log.newScope('route') }, { relay, finalDelta: routes.finalDelta, messageTimeout: routes.messageTimeout })
    const directory = this.directory = new RelayDirectory({ connectionManager, contentRouting: this.components.contentRouting, privateKey: this.components.privateKey, routeKey, log: this.log.newScope('relays') }, { relay, relays: routes.relays, asset: { code: wallet.asset.getCode(), issuer: wallet.asset.getIssuer() ?? '' }, messageTimeout: routes.messageTimeout, wanted: routes.hops })
    this.routeClient = routes.hops > 0 ? new RouteClient({ router, directory, books: this.books, peerId: this.components.peerId, log: this.log.newScope('routes') }, routes) : undefined
    const payer = this.payer = new Payer({ ...shared, connectionManager, funds, routes: this.routeClient, onOffer: async (peer, offer, options) => payee.attend(peer, offer, options), log: this.log.newScope('payer') }, { ...this.init, routeFallback: routes.fallback })

    await registrar.handle(PAYMENT_PROTOCOL, async (stream, connection) => { await payer.handle(stream, connection) }, {
      // requests are small and rare; a flood of streams is refused early
      maxInboundStreams: 4,
      maxOutboundStreams: 4
    })
    await registrar.handle(ROUTE_PROTOCOL, async (stream, connection) => { await router.handle(stream, connection) }, {
      maxInboundStreams: 16,
      maxOutboundStreams: 16
    })

    if (relay.enabled) {
      await registrar.handle(RELAY_PROTOCOL, async (stream) => { await directory.serve(stream) }, { maxInboundStreams: 4, maxOutboundStreams: 4 })
      this.announceRelay()
    }

    // requests a stop left out, long expired: their locks are void
    await payee.voidExpired()
    settler.start()
    payee.start()
    router.start()
    this.pruneTimer = setInterval(() => {
      this.prune().catch(err => { this.log.error('could not prune the books - %e', err) })
    }, PRUNE_INTERVAL)
    this.pruneTimer.unref()

    if (this.routeClient != null) {
      // relays looked up and their terms read ahead of the first payment, which then finds a route at once
      const refresh = (): void => {
        directory.candidates({ signal: AbortSignal.timeout(RELAY_REFRESH_INTERVAL) })
          .catch(err => { this.log('could not refresh the relays we know - %e', err) })
      }
      refresh()
      this.relaysTimer = setInterval(refresh, RELAY_REFRESH_INTERVAL)
      this.relaysTimer.unref()
    }

    this.release = counts.retain(this)
    this.started = true
    this.log('payments on %s in %s, messages up to %d bytes', wallet.address, wallet.asset.getCode(), MAX_MESSAGE_SIZE)
  }

  async stop (): Promise<void> {
    if (!this.started) {
      return
    }

    clearInterval(this.pruneTimer)
    clearTimeout(this.announceTimer)
    clearInterval(this.relaysTimer)
    this.release?.()
    await this.components.registrar.unhandle(PAYMENT_PROTOCOL)
    await this.components.registrar.unhandle(ROUTE_PROTOCOL)
    await this.components.registrar.unhandle(RELAY_PROTOCOL)
    this.router?.stop()
    this.payee?.stop()
    await this.settler?.stop()
    this.started = false
  }

  /**
   * Whether the books hold something of the peer's that must be kept: it
   * paid us (or failed to), has a tab under way, or we paid it. A peer that
   * only ever took its free allowance holds nothing, and may be forgotten
   */
  holds (peer: string): boolean {
    const payer = this.books.payer(peer)

    if (payer.paid > 0n || payer.unsettled.length > 0) {
      return true
    }

    const payee = this.books.payee(peer)
    const received = payee.received > 0n || (payee.landed ?? 0n) > 0n || (payee.defaulted ?? 0n) > 0n || payee.refused === true
    return received || this.books.tabList(['open', 'submitting']).some(tab => tab.peer === peer)
  }

  /** Whether a payment of the peer's reached us: what a popularity tracker weighs a peer's requests by */
  hasPaid (peer: string): boolean {
    return this.books.payeeCredit(peer).paidThrough > 0n
  }

  /** The peer's counts were dropped as idle: forget it too if it holds nothing (see `holds`) */
  forgotten (peer: string): void {
    if (!this.holds(peer) && this.books.payeeAccounts().some(account => account.peer === peer)) {
      this.books.forgetPayee(peer).catch(err => { this.log.error('could not forget %s - %e', peer, err) })
    }
  }

  /** Keep our relay provider record fresh, in the background */
  private announceRelay (next = RELAY_ANNOUNCE_FIRST_REPEAT): void {
    this.directory?.announce({ signal: AbortSignal.timeout(RELAY_ANNOUNCE_TIMEOUT) })
      .catch(err => { this.log('could not announce our relay in the DHT - %e', err) })
      .finally(() => {
        if (this.started) {
          this.announceTimer = setTimeout(() => { this.announceRelay(Math.min(next * 2, RELAY_ANNOUNCE_INTERVAL)) }, next)
          this.announceTimer.unref()
        }
      })
  }

  /**
   * Drop what the books need no longer: nonces of expired requests (an
   * expired request is refused as such), and history past its retention
   */
  private async prune (): Promise<void> {
    const now = Date.now()
    await this.payee?.voidExpired(now)
    await this.books.pruneNonces(now)
    await this.books.pruneHistory(now - this.init.historyRetention)
  }

  /** Ask a peer to pay for what it was served since its last payment */
  async bill (peer: PeerId, options: BillOptions = {}): Promise<BillOutcome> {
    return this.running().payee.bill(peer, options)
  }

  /**
   * Offer `peer` money for attention to its site `site`: it bills it, and
   * we pay up to `amount` of it, within our budgets. Resolves to what we paid.
   */
  async offerAttention (peer: PeerId, amount: bigint, site: string, options: AbortOptions = {}): Promise<bigint> {
    if (this.payer == null) {
      throw new NotStartedError('the payment service is not started')
    }

    return this.payer.offer(peer, amount, site, options)
  }

  /**
   * Have a channel account ready for the next new payer's tab, so that its
   * first bill does not wait for an account to be created and a ledger to
   * close (seconds on Stellar's own networks)
   */
  async prepareToBill (options: AbortOptions = {}): Promise<void> {
    await this.running().channels.keepSpare(options)
  }

  /** Submit every tab that holds a payment; returns them with their outcome */
  async settle (options: AbortOptions = {}): Promise<Tab[]> {
    return this.running().settler.settleAll(options)
  }

  /** Every peer with payments either way */
  peers (): PeerPayments[] {
    const peers = new Map<string, PeerPayments>()
    const entry = (peer: string): PeerPayments => {
      const found = peers.get(peer) ?? { peer }
      peers.set(peer, found)
      return found
    }

    for (const account of this.books.payeeAccounts()) {
      entry(account.peer).fromPeer = { ...account, bytesServed: this.components.peerCounts.served(account.peer) }
    }

    for (const account of this.books.payerAccounts()) {
      entry(account.peer).toPeer = { ...account, bytesDelivered: this.components.peerCounts.delivered(account.peer) }
    }

    return [...peers.values()]
  }

  /** Our payments through routes, the sessions and relays they use */
  routes (): RoutesStatus {
    const client = this.routeClient?.status() ?? { hops: 0, sessions: [], relays: [] }
    return routesStatus(this.books, client)
  }

  /** What we relay for others: legs, what is locked, fees earned */
  relay (): RelayStatus {
    return relayStatus(this.books, this.init.relay)
  }

  tabs (states?: TabState[]): Tab[] {
    return this.books.tabList(states)
  }

  /** Events between two times (ms), oldest first */
  events (from: number, to: number): AsyncGenerator<PaymentEvent> {
    return this.books.events(from, to)
  }

  private running (): { payee: Payee, settler: Settler, channels: ChannelPool } {
    if (this.payee == null || this.settler == null || this.channels == null) {
      throw new NotStartedError('the payment service is not started')
    }

    return { payee: this.payee, settler: this.settler, channels: this.channels }
  }
}

/**
 * Billing, paying and settlement over `/torplus/payment/1.0.0`; needs the
 * per-peer byte counts (`peerCounts`)
 */
export function payments (init: PaymentServiceInit): (components: PaymentServiceComponents) => PaymentService {
  return (components) => new PaymentService(components, init)
}
