/**
 * The payment service: both sides of `/torplus/payment/1.0.0` (we bill the
 * peers we serve and pay the peers that serve us), the books they share,
 * the channel accounts and settlement
 */
import { TypedEventEmitter } from 'main-event'
import { KeyedSerializer } from '../utils/keyed-serializer.js'
import { levelSyncedStore, PaymentBooks } from './books/index.js'
import { PAYMENT_PROTOCOL } from './constants.js'
import { PaymentMetrics } from './metrics.js'
import { Payee } from './payee.js'
import { PayerFunds } from './payer-funds.js'
import { Payer } from './payer.js'
import { MAX_MESSAGE_SIZE } from './protocol/exchange.js'
import { Settler } from './settler.js'
import { ChannelPool } from './stellar/channels.js'
import type { PaymentEvent, PayeeAccount, PayerAccount, Tab, TabState } from './books/index.js'
import type { BillOptions, BillOutcome, PayeeInit } from './payee.js'
import type { PayerInit } from './payer.js'
import type { SettlerInit } from './settler.js'
import type { StellarWallet } from './stellar/wallet.js'
import type { PeerLedger } from '../bitswap/peer-ledger.js'
import type { AbortOptions, ComponentLogger, Libp2p, Logger, Metrics, PeerId, PrivateKey, Startable } from '@libp2p/interface'
import type { LevelDatastore } from 'datastore-level'

export type { BillOutcome, BillOptions } from './payee.js'

const NONCE_PRUNE_INTERVAL = 3_600_000
export type { PaymentEvent, PayeeAccount, PayerAccount, Tab, TabState } from './books/index.js'

export interface PaymentServiceComponents {
  libp2p: Pick<Libp2p, 'dialProtocol' | 'handle' | 'unhandle'>
  privateKey: PrivateKey
  datastore: LevelDatastore
  wallet: StellarWallet
  peerLedger: Pick<PeerLedger, 'get' | 'atLeast'>
  logger: ComponentLogger
  metrics?: Metrics
}

export interface PaymentServiceInit extends PayeeInit, PayerInit, SettlerInit {
  /** The node's Stellar seed, from which channel keys are derived */
  seed: Uint8Array
  /** Most channel accounts */
  channels: number
}

/** One peer as both sides see it */
export interface PeerPayments {
  peer: string
  /** What the peer paid us */
  asPayer?: PayeeAccount & { bytesServed: bigint }
  /** What we paid the peer */
  asPayee?: PayerAccount & { bytesReceived: bigint }
}

export interface PaymentServiceEvents {
  /** A peer paid us (its unpaid amount just went down) */
  payment: CustomEvent<PeerId>
}

export class PaymentService extends TypedEventEmitter<PaymentServiceEvents> implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:payments'
  readonly books: PaymentBooks
  private readonly components: PaymentServiceComponents
  private readonly init: PaymentServiceInit
  private readonly log: Logger
  private readonly metrics: PaymentMetrics
  private readonly serializer = new KeyedSerializer()
  private payee?: Payee
  private settler?: Settler
  private channels?: ChannelPool
  private pruneTimer?: ReturnType<typeof setInterval>
  private started = false

  constructor (components: PaymentServiceComponents, init: PaymentServiceInit) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('torplus:payments')
    this.metrics = new PaymentMetrics(components.metrics)
    this.books = new PaymentBooks(levelSyncedStore(components.datastore))
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    const { wallet, libp2p, peerLedger } = this.components
    await this.books.load()
    await this.books.pruneNonces(Date.now())

    const shared = { books: this.books, wallet, peerLedger, serializer: this.serializer, metrics: this.metrics }
    const channels = this.channels = new ChannelPool({ seed: this.init.seed, max: this.init.channels, books: this.books, wallet, log: this.log.newScope('channels') })
    this.settler = new Settler({ ...shared, channels, log: this.log.newScope('settle') }, this.init)
    this.payee = new Payee({ ...shared, libp2p, privateKey: this.components.privateKey, channels, settler: this.settler, log: this.log.newScope('payee'), onPaid: peer => this.safeDispatchEvent('payment', { detail: peer }) }, this.init)
    const payer = new Payer({ ...shared, funds: new PayerFunds({ books: this.books, wallet }), log: this.log.newScope('payer') }, this.init)

    await libp2p.handle(PAYMENT_PROTOCOL, async (stream, connection) => { await payer.handle(stream, connection) }, {
      // requests are small and rare; a flood of streams is refused early
      maxInboundStreams: 4,
      maxOutboundStreams: 4
    })
    this.settler.start()
    // a nonce need only be remembered until its request expires
    this.pruneTimer = setInterval(() => {
      this.books.pruneNonces(Date.now()).catch(err => { this.log.error('could not prune nonces - %e', err) })
    }, NONCE_PRUNE_INTERVAL)
    this.pruneTimer.unref()
    this.started = true
    this.log('payments on %s in %s, messages up to %d bytes', wallet.address, wallet.asset.getCode(), MAX_MESSAGE_SIZE)
  }

  async stop (): Promise<void> {
    if (!this.started) {
      return
    }

    clearInterval(this.pruneTimer)
    await this.components.libp2p.unhandle(PAYMENT_PROTOCOL)
    await this.settler?.stop()
    this.started = false
  }

  /** Ask a peer to pay for what it was served since its last payment */
  async bill (peer: PeerId, options: BillOptions = {}): Promise<BillOutcome> {
    return this.running().payee.bill(peer, options)
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
      entry(account.peer).asPayer = { ...account, bytesServed: this.components.peerLedger.get(account.peer).bytesSent }
    }

    for (const account of this.books.payerAccounts()) {
      entry(account.peer).asPayee = { ...account, bytesReceived: this.components.peerLedger.get(account.peer).bytesReceived }
    }

    return [...peers.values()]
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
      throw new Error('the payment service is not started')
    }

    return { payee: this.payee, settler: this.settler, channels: this.channels }
  }
}
