/**
 * createTorPlusNode: Helia (light) + an explicit libp2p config + bitswap, on a
 * repo's blockstore, datastore and identity. Nothing here reaches for the
 * internet: no delegated routing, no public bootstrap, no mDNS.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { unixfs } from '@helia/unixfs'
import { identify } from '@libp2p/identify'
import { NotStartedError, start, stop } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { ping } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { createHeliaLight } from 'helia'
import { Registry } from 'prom-client'
import { BITSWAP_PROTOCOL } from './bitswap/constants.js'
import { bitswapInternals, DeliveryMeter } from './bitswap/delivery-meter.js'
import { BitswapMetering } from './bitswap/metering.js'
import { peerCounts } from './bitswap/peer-counts.js'
import { PeerLedger } from './bitswap/peer-ledger.js'
import { BitswapTrafficMeter } from './bitswap/traffic-meter.js'
import { toBitswapInit, toCreditInit, toLibp2pAddresses, toPaymentInit, toTorInit } from './config/to-init.js'
import { BandwidthCounter } from './metrics/bandwidth.js'
import { PaymentsUnavailableError } from './payments/errors.js'
import { PaymentService } from './payments/service.js'
import { StellarWallet } from './payments/stellar/wallet.js'
import { delayProviderSearch, DHTBootstrap, dhtMessageLimit, ProvideQueue, torplusDHT } from './routing/index.js'
import { checkListenAddresses, isLoopback, loopbackOnlyGater, offlineGater, onionOnlyGater } from './transport/address-policy.js'
import { frameLimit, isOnion, onion, onionConnectionMonitor, optimisticSelect, torReconnect } from './transport/index.js'
import { createTor } from './transport/tor-provider.js'
import { AGENT_VERSION, VERSION } from './version.js'
import type { Repo } from './repo/index.js'
import type { ExternalTorProgressEvents, ManagedTorProgressEvents } from './transport/index.js'
import type { NodeTor } from './transport/tor-provider.js'
import type { CreateLibp2pOptions, HeliaWithLibp2p } from '@helia/libp2p'
import type { UnixFS } from '@helia/unixfs'
import type { Identify } from '@libp2p/identify'
import type { AbortOptions, ComponentLogger, Metrics, Startable } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'
import type { ProgressOptions } from 'progress-events'

export interface TorPlusServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  /** Absent offline and with Routing.Type "none" */
  dht?: KadDHT
}

export interface TorPlusNodeInit {
  /** An open repo; the node does not close it */
  repo: Repo

  /**
   * Neither listen nor dial: the CLI uses this when it opens a repo without a
   * daemon, so a command never waits on the network
   *
   * @default false
   */
  offline?: boolean

  /**
   * @default defaultLogger()
   */
  logger?: ComponentLogger
}

export type TorPlusNodeProgressEvents = ManagedTorProgressEvents | ExternalTorProgressEvents

export interface TorPlusNode extends Startable {
  start(options?: AbortOptions & ProgressOptions<TorPlusNodeProgressEvents>): Promise<void>
  /** The tor the node reaches peers through; none in loopback or offline mode */
  readonly tor?: NodeTor
  readonly helia: HeliaWithLibp2p<TorPlusServices>
  readonly fs: UnixFS
  readonly repo: Repo
  readonly offline: boolean
  /** Prometheus registry with libp2p's metrics and ours */
  readonly registry: Registry
  readonly bitswapTraffic: BitswapTrafficMeter
  /** Bytes in and out over all connections */
  readonly bandwidth: BandwidthCounter
  /** The node's Stellar account */
  readonly wallet: StellarWallet
  /** Bitswap bytes per peer, kept in the datastore */
  readonly peerLedger: PeerLedger
  /** The credit policy on what we serve; absent when nothing is charged */
  readonly metering?: BitswapMetering
  /**
   * Billing, paying and settlement; throws PaymentsUnavailableError offline
   * or when Payments is not configured
   */
  readonly payments: PaymentService
  /**
   * Announce in the background that this node provides `cid`; does nothing
   * without a DHT
   */
  provide(cid: CID): void
}

class DefaultTorPlusNode implements TorPlusNode {
  readonly [Symbol.toStringTag] = 'torplus:node'
  readonly helia: HeliaWithLibp2p<TorPlusServices>
  readonly fs: UnixFS
  readonly repo: Repo
  readonly offline: boolean
  readonly registry: Registry
  readonly bandwidth: BandwidthCounter
  readonly wallet: StellarWallet
  readonly peerLedger: PeerLedger
  /** The tor the node reaches peers through; none in loopback or offline mode */
  readonly tor?: NodeTor
  private meter?: BitswapTrafficMeter
  private delivery?: DeliveryMeter
  private paymentService?: PaymentService
  private creditMetering?: BitswapMetering
  private provideQueue?: ProvideQueue
  private bootstrap?: DHTBootstrap
  private started = false

  constructor (init: TorPlusNodeInit) {
    const { repo } = init
    const logger = init.logger ?? defaultLogger()
    this.repo = repo
    this.offline = init.offline === true
    this.registry = new Registry()
    this.bandwidth = new BandwidthCounter()
    const { Payments } = repo.config
    this.wallet = new StellarWallet({ seed: repo.stellarSeed, network: Payments.Network, horizon: Payments.Horizon, asset: { code: Payments.Asset.Code, issuer: Payments.Asset.Issuer } })

    this.peerLedger = new PeerLedger({
      datastore: repo.datastore,
      logger,
      // a peer with payments is kept; one that only took its allowance goes, and with it what else is kept of it
      holds: peer => this.paymentService?.holds(peer) ?? false,
      onForget: peer => {
        this.creditMetering?.forget(peer)
        this.paymentService?.forget(peer).catch(err => { logger.forComponent('torplus:node').error('could not forget %s - %e', peer, err) })
      }
    }, { forgetIdle: repo.config.Bitswap.ForgetIdle })

    const helia = createHeliaLight({
      blockstore: repo.blockstore,
      datastore: repo.datastore,
      logger
    })

    const listen = this.offline ? [] : toLibp2pAddresses(repo.config)
    const onionOnly = repo.config.Swarm.OnionOnly && !this.offline
    const { Routing, Reprovider, Swarm } = repo.config

    if (onionOnly) {
      this.tor = createTor(toTorInit(repo.config, repo.path), logger)
    }

    const network = networking(repo, this.offline, this.tor)
    const dht: { dht?: ReturnType<typeof torplusDHT>, dhtMessageLimit?: ReturnType<typeof dhtMessageLimit> } = network.allowAddress != null && Routing.Type !== 'none'
      ? {
          dht: torplusDHT({
            allowAddress: network.allowAddress,
            clientMode: Routing.Type === 'dhtclient',
            messageTimeout: Routing.MessageTimeout,
            reprovideInterval: Reprovider.Interval
          }),
          dhtMessageLimit: dhtMessageLimit()
        }
      : {}
    delayProviderSearch(helia.routing, Routing.ProviderSearchDelay)

    this.helia = withBitswap(withLibp2pLight(helia, {
      privateKey: repo.privateKey,
      nodeInfo: { name: 'torplus', version: VERSION, userAgent: AGENT_VERSION },
      // announcing exactly the listen addresses keeps observed addresses out
      addresses: { listen, announce: onionOnly ? listen : undefined },
      transports: network.transports,
      connectionGater: network.connectionGater,
      connectionEncrypters: [noise()],
      // bitswap opens a stream per message, and a full negotiation waits for
      // an echo that queues behind every byte the peer is sending us
      streamMuxers: [optimisticSelect(this.tor == null ? yamux() : frameLimit(yamux()), { protocols: [BITSWAP_PROTOCOL] })],
      connectionManager: {
        maxConnections: repo.config.Swarm.ConnMgr.HighWater,
        inboundConnectionThreshold: repo.config.Swarm.ConnMgr.InboundRate,
        dialTimeout: repo.config.Swarm.DialTimeout,
        // libp2p gives one address 6 s by default: a loaded onion circuit takes longer
        addressDialTimeout: repo.config.Swarm.DialTimeout,
        // the default dnsaddr resolver makes a DNS query before any gate runs
        resolvers: {}
      },
      connectionMonitor: onionConnectionMonitor(repo.config.Swarm.PingTimeout),
      metrics: this.bandwidth.wrap(prometheusMetrics({ registry: this.registry })),
      services: {
        identify: identify(),
        ping: ping(),
        ...dht,
        ...(this.tor == null ? {} : { torReconnect: torReconnect({ tor: this.tor, dialTimeout: Swarm.DialTimeout }) })
      }
    }), toBitswapInit(repo.config))

    this.fs = unixfs(this.helia)
  }

  get bitswapTraffic (): BitswapTrafficMeter {
    if (this.meter == null) {
      throw new NotStartedError('the node is not started')
    }

    return this.meter
  }

  get metering (): BitswapMetering | undefined {
    return this.creditMetering
  }

  get payments (): PaymentService {
    if (this.paymentService == null) {
      throw new PaymentsUnavailableError(this.offline ? 'the node is offline: start the daemon' : this.wallet.unconfigured()?.message ?? 'the node is not started')
    }

    return this.paymentService
  }

  isStarted (): boolean {
    return this.started
  }

  async start (options: AbortOptions & ProgressOptions<TorPlusNodeProgressEvents> = {}): Promise<void> {
    if (this.started) {
      return
    }

    if (this.tor == null) {
      checkListenAddresses(this.offline ? [] : toLibp2pAddresses(this.repo.config), this.repo.config.Addresses.AllowNonLoopback)
    } else {
      // tor first: the listener publishes the onion service through it
      await this.tor.start(options)
    }

    try {
      await this.helia.start()
    } catch (err) {
      await this.tor?.stop()
      throw err
    }

    const metrics = this.helia.libp2p.metrics
    // what each peer delivered that we asked for: what we pay it for
    this.delivery = new DeliveryMeter({ bitswap: () => bitswapInternals(this.helia), peerLedger: this.peerLedger, logger: this.helia.logger })

    if (!this.offline && this.wallet.unconfigured() == null) {
      this.paymentService = new PaymentService({
        libp2p: this.helia.libp2p,
        privateKey: this.repo.privateKey,
        datastore: this.repo.datastore,
        wallet: this.wallet,
        counts: peerCounts(this.peerLedger, this.delivery),
        logger: this.helia.logger,
        metrics
      }, toPaymentInit(this.repo.config, this.repo.stellarSeed))

      const credit = toCreditInit(this.repo.config)

      // with no price there is nothing to meter: everyone is served free
      if (credit.pricePerMiB > 0n) {
        this.creditMetering = new BitswapMetering({ payments: this.paymentService, peerLedger: this.peerLedger, logger: this.helia.logger, metrics }, credit)
      }
    }

    this.meter = new BitswapTrafficMeter({ libp2p: this.helia.libp2p, logger: this.helia.logger, metrics, peerLedger: this.peerLedger, gate: this.creditMetering })

    const { Routing, Swarm } = this.repo.config

    if (this.helia.libp2p.services.dht != null) {
      this.provideQueue = new ProvideQueue({ routing: this.helia.routing, logger: this.helia.logger, metrics }, { timeout: Routing.QueryTimeout })

      if (Routing.Bootstrap.length > 0) {
        // only now: every protocol, bitswap's too, is registered before the first identify
        this.bootstrap = new DHTBootstrap({ libp2p: this.helia.libp2p, logger: this.helia.logger }, { list: Routing.Bootstrap, dialTimeout: Swarm.DialTimeout })
      }
    }

    this.registerRepoMetrics(metrics)
    await start(this.peerLedger, this.meter, this.delivery, this.bandwidth, ...[this.paymentService, this.creditMetering, this.provideQueue, this.bootstrap].filter(service => service != null))
    this.started = true
  }

  async stop (): Promise<void> {
    if (!this.started) {
      return
    }

    // settling on the way out needs the network, so payments stop first
    this.creditMetering?.stop()
    await this.paymentService?.stop()
    await stop(this.bandwidth, ...[this.meter, this.delivery, this.provideQueue, this.bootstrap].filter(service => service != null))
    await this.peerLedger.stop()
    this.provideQueue = undefined
    this.bootstrap = undefined
    this.paymentService = undefined
    this.creditMetering = undefined

    await this.helia.stop()
    await this.tor?.stop()
    this.started = false
  }

  provide (cid: CID): void {
    this.provideQueue?.provide(cid)
  }

  private registerRepoMetrics (metrics?: Metrics): void {
    metrics?.registerMetric('torplus_repo_blocks', {
      help: 'Blocks held in the blockstore',
      calculate: () => this.repo.blockstore.stat().count
    })
    metrics?.registerMetric('torplus_repo_size_bytes', {
      help: 'Bytes of block data held in the blockstore',
      calculate: () => Number(this.repo.blockstore.stat().size)
    })
    metrics?.registerMetric('torplus_repo_storage_max_bytes', {
      help: 'Datastore.StorageMax in bytes',
      calculate: () => Number(this.repo.blockstore.stat().max)
    })
  }
}

interface Networking extends Pick<CreateLibp2pOptions, 'transports' | 'connectionGater'> {
  /** The addresses peers may learn from us; none offline */
  allowAddress?(ma: Multiaddr): boolean
}

/**
 * Transports and gate: onion only through tor, loopback TCP in development
 * mode, nothing at all offline
 */
function networking (repo: Repo, offline: boolean, tor?: NodeTor): Networking {
  if (offline) {
    return { transports: [], connectionGater: offlineGater() }
  }

  if (tor != null) {
    return {
      transports: [onion({ tor, key: repo.onionKey, dialTimeout: repo.config.Swarm.DialTimeout })],
      connectionGater: onionOnlyGater(),
      allowAddress: isOnion
    }
  }

  return { transports: [tcp()], connectionGater: loopbackOnlyGater(), allowAddress: isLoopback }
}

/**
 * Build a node on an open repo; call `start()` to bring it online
 */
export function createTorPlusNode (init: TorPlusNodeInit): TorPlusNode {
  return new DefaultTorPlusNode(init)
}
