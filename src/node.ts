/**
 * createTorPlusNode: Helia (light) + an explicit libp2p config + bitswap, on a
 * repo's blockstore, datastore and identity. Nothing here reaches for the
 * internet: no delegated routing, no public bootstrap, no mDNS.
 *
 * Composition only: what the config says is mapped in config/to-init.ts, and
 * each part of the node is a libp2p service that libp2p starts and stops.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { unixfs } from '@helia/unixfs'
import { identify } from '@libp2p/identify'
import { defaultLogger } from '@libp2p/logger'
import { ping } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { createHeliaLight } from 'helia'
import { Registry } from 'prom-client'
import { attentionBook } from './attention/index.js'
import { BITSWAP_PROTOCOL, bitswapInternals, bitswapTrafficMeter, creditGate, deliveryMeter, peerCounts, peerTrafficStore } from './bitswap/index.js'
import { nodeAtOnion, toNodeSettings } from './config/index.js'
import { FillRecords, frequencyTracker, popularList, reclaimFill } from './frequency/index.js'
import { bandwidthCounter } from './metrics/bandwidth.js'
import { nameResolver } from './names/index.js'
import { payments, PaymentsUnavailableError, relayKey, ROUTE_PROTOCOL, StellarWallet } from './payments/index.js'
import { SITE_PROTOCOL, siteService } from './publish/index.js'
import { repoMetrics } from './repo/index.js'
import { delayProviderSearch, dhtBootstrap, dhtMessageLimit, provideQueue, torplusDHT } from './routing/index.js'
import { checkListenAddresses, createTor, frameLimit, networking, onionConnectionMonitor, optimisticSelect, socksConnector, torReconnect } from './transport/index.js'
import { AGENT_VERSION, VERSION } from './version.js'
import type { AttentionBook, SiteOwners } from './attention/index.js'
import type { BitswapTrafficMeter, CreditGate, DeliveryMeter, PeerTrafficStore } from './bitswap/index.js'
import type { FillStoreComponents, FrequencyTracker, PopularListService } from './frequency/index.js'
import type { BandwidthCounter } from './metrics/bandwidth.js'
import type { NameResolver } from './names/index.js'
import type { PaymentService, PeerCounts } from './payments/index.js'
import type { SiteService } from './publish/index.js'
import type { Repo } from './repo/index.js'
import type { DHTBootstrap, ProvideQueue } from './routing/index.js'
import type { ExternalTorProgressEvents, ManagedTorProgressEvents, NodeTor } from './transport/index.js'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { UnixFS } from '@helia/unixfs'
import type { Identify } from '@libp2p/identify'
import type { AbortOptions, ComponentLogger, Startable } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { ServiceFactoryMap } from 'libp2p'
import type { ProgressOptions } from 'progress-events'

export interface TorPlusServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  /** Absent offline and with Routing.Type "none" */
  dht?: KadDHT
  /** Bytes in and out over all connections */
  bandwidth: BandwidthCounter
  /** Bitswap bytes per peer, kept in the datastore */
  peerTraffic: PeerTrafficStore
  /** What each peer delivered that we asked it for */
  deliveryMeter: DeliveryMeter
  /** Bytes served to and delivered by each peer: what payments bill and pay against */
  peerCounts: PeerCounts
  /** Bitswap bytes in all, through the credit gate when there is one */
  bitswapTraffic: BitswapTrafficMeter
  /** Billing, paying and settlement; absent offline or when Payments is not configured */
  payments?: PaymentService
  /** The credit policy on what we serve; absent when nothing is charged */
  creditGate?: CreditGate
  /** What peers and local users ask for; absent with Frequency.Enabled false */
  frequency?: FrequencyTracker
  /** Our popular list for peers, and theirs for us; absent with the tracker */
  popular?: PopularListService
  /** Background provides; absent without a DHT */
  provideQueue?: ProvideQueue
  /** Absent without a DHT or bootstrap peers */
  dhtBootstrap?: DHTBootstrap
  /** TorPlus names to onions */
  names: NameResolver
  /** Time spent on TorPlus sites, as the extension reports it */
  attention: AttentionBook
  /** Sites this node publishes, and tunnels to others' */
  sites: SiteService
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
  /** The node's Stellar account */
  readonly wallet: StellarWallet
  /** The node's services, once it has started (libp2p's, as Helia creates libp2p at start) */
  readonly services: TorPlusServices
}

interface NodeParts {
  helia: HeliaWithLibp2p<TorPlusServices>
  repo: Repo
  offline: boolean
  registry: Registry
  wallet: StellarWallet
  tor?: NodeTor
  /** Checked at start when no tor confines the node to onion addresses */
  listen: { addresses: string[], allowNonLoopback: boolean }
  /** Fill's DAGs, let go when the user needs the room */
  fillStore: FillStoreComponents
}

class DefaultTorPlusNode implements TorPlusNode {
  readonly [Symbol.toStringTag] = 'torplus:node'
  readonly helia: HeliaWithLibp2p<TorPlusServices>
  readonly fs: UnixFS
  readonly repo: Repo
  readonly offline: boolean
  readonly registry: Registry
  readonly wallet: StellarWallet
  readonly tor?: NodeTor
  private readonly listen: NodeParts['listen']
  private readonly fillStore: FillStoreComponents
  private stopReclaim?: () => void
  private started = false

  constructor (parts: NodeParts) {
    this.helia = parts.helia
    this.fs = unixfs(parts.helia)
    this.repo = parts.repo
    this.offline = parts.offline
    this.registry = parts.registry
    this.wallet = parts.wallet
    this.tor = parts.tor
    this.listen = parts.listen
    this.fillStore = parts.fillStore
  }

  get services (): TorPlusServices {
    return this.helia.libp2p.services
  }

  isStarted (): boolean {
    return this.started
  }

  async start (options: AbortOptions & ProgressOptions<TorPlusNodeProgressEvents> = {}): Promise<void> {
    if (this.started) {
      return
    }

    if (this.tor == null) {
      checkListenAddresses(this.listen.addresses, this.listen.allowNonLoopback)
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

    // the delivery meter reaches into bitswap once Helia has started it
    const failure = this.services.deliveryMeter.failure

    if (failure != null) {
      await this.helia.stop()
      await this.tor?.stop()
      throw failure
    }

    // a put of the user's that would pass the quota lets fill's DAGs go first
    this.stopReclaim = this.repo.blockstore.onFull(async (bytes, options) => {
      await reclaimFill(this.fillStore, bytes, options).catch(err => { this.fillStore.log.error('could not make room - %e', err) })
    })
    this.started = true
  }

  async stop (): Promise<void> {
    if (!this.started) {
      return
    }

    this.stopReclaim?.()
    await this.helia.stop()
    await this.tor?.stop()
    this.started = false
  }
}

/**
 * Build a node on an open repo; call `start()` to bring it online
 */
export function createTorPlusNode (init: TorPlusNodeInit): TorPlusNode {
  const { repo } = init
  const offline = init.offline === true
  const logger = init.logger ?? defaultLogger()
  const settings = toNodeSettings(repo.config, repo.path, offline)
  const registry = new Registry()
  const wallet = new StellarWallet({ ...settings.wallet, seed: repo.stellarSeed })
  const tor = settings.tor == null ? undefined : createTor(settings.tor, logger)
  const network = networking({ offline, tor, onionKey: repo.onionKey, dialTimeout: settings.connections.dialTimeout, logger })
  const paid = !offline && wallet.unconfigured() == null
  // with no price there is nothing to meter: everyone is served free
  const metered = paid && settings.credit.pricePerMiB > 0n

  const helia = createHeliaLight({ blockstore: repo.blockstore, datastore: repo.datastore, logger })
  delayProviderSearch(helia.routing, settings.providerSearchDelay)

  // built in this order: a service may read those before it from its components
  // (optional ones are typed on what the node returns, not on each other)
  const services: Record<string, (components: any) => unknown> = {
    identify: identify(),
    ping: ping(),
    bandwidth: bandwidthCounter(),
    repoMetrics: repoMetrics({ blockstore: repo.blockstore }),
    peerTraffic: peerTrafficStore(settings.peerTraffic),
    deliveryMeter: deliveryMeter({ bitswap: () => bitswapInternals(helia), startAfter: helia.events }),
    peerCounts: peerCounts(),
    ...(paid ? { payments: payments({ ...settings.payments, wallet, datastore: repo.datastore, seed: repo.stellarSeed }) } : {}),
    ...(metered ? { creditGate: creditGate(settings.credit) } : {}),
    ...(settings.frequency == null ? {} : { frequency: frequencyTracker({ ...settings.frequency, weighPayers: paid, blocks: repo.blockstore, notContent: [relayKey().multihash.bytes] }) }),
    ...(settings.popular == null ? {} : { popular: popularList({ ...settings.popular, blocks: repo.blockstore }) }),
    bitswapTraffic: bitswapTrafficMeter({ gated: metered, observeWants: settings.frequency != null }),
    ...(settings.dht == null || network.allowAddress == null
      ? {}
      : {
          dht: torplusDHT({ ...settings.dht, allowAddress: network.allowAddress }),
          dhtMessageLimit: dhtMessageLimit({ observeLookups: settings.frequency != null }),
          provideQueue: provideQueue(settings.provide),
          // the first dials wait for the whole node: bitswap must be in what identify tells them
          ...(settings.bootstrap == null ? {} : { dhtBootstrap: dhtBootstrap({ ...settings.bootstrap, startAfter: helia.events }) })
        }),
    ...(tor == null ? {} : { torReconnect: torReconnect({ tor, dialTimeout: settings.connections.dialTimeout }) }),
    // port 80 of our onion, in onion mode only: the loopback development mode has no onion
    sites: siteService({
      datastore: repo.datastore,
      gated: metered,
      plainOnion: settings.plainOnion == null || network.onionService == null ? undefined : { ...settings.plainOnion, ports: network.onionService }
    }),
    // in onion mode, name servers off this machine are reached through tor only
    names: nameResolver({ ...settings.names, offline, connect: tor == null ? undefined : socksConnector(tor, { timeout: settings.names.timeout ?? settings.connections.dialTimeout, purpose: 'torplus:names' }) }),
    // site owners are paid for attention through the payment protocol
    attention: attentionBook({ datastore: repo.datastore, pricePerMinute: settings.attentionPricePerMinute, owners: paid ? siteOwners(() => node.libp2p.services) : undefined })
  }

  const node = withBitswap(withLibp2pLight(helia, {
    privateKey: repo.privateKey,
    nodeInfo: { name: 'torplus', version: VERSION, userAgent: AGENT_VERSION },
    // announcing exactly the listen addresses keeps observed addresses out
    addresses: { listen: settings.listen, announce: tor != null ? settings.listen : undefined },
    transports: network.transports,
    connectionGater: network.connectionGater,
    connectionEncrypters: [noise()],
    // bitswap opens a stream per message, and a full negotiation waits for
    // an echo that queues behind every byte the peer is sending us; each hop
    // of a routed payment opens a stream to the next, and saves a round trip
    streamMuxers: [optimisticSelect(tor == null ? yamux() : frameLimit(yamux()), { protocols: [BITSWAP_PROTOCOL, ROUTE_PROTOCOL, SITE_PROTOCOL] })],
    connectionManager: {
      maxConnections: settings.connections.maxConnections,
      inboundConnectionThreshold: settings.connections.inboundConnectionThreshold,
      dialTimeout: settings.connections.dialTimeout,
      // libp2p gives one address 6 s by default: a loaded onion circuit takes longer
      addressDialTimeout: settings.connections.dialTimeout,
      // the default dnsaddr resolver makes a DNS query before any gate runs
      resolvers: {}
    },
    connectionMonitor: onionConnectionMonitor(settings.connections.pingTimeout),
    metrics: prometheusMetrics({ registry }),
    services: services as ServiceFactoryMap<TorPlusServices>
  }), settings.bitswap)

  const fillStore: FillStoreComponents = {
    records: new FillRecords(repo.datastore),
    pins: node.pins,
    // the repo's own: Helia's takes a lock that the put waiting for this room holds
    blockstore: repo.blockstore,
    used: () => repo.blockstore.stat().size,
    log: logger.forComponent('torplus:fill')
  }

  return new DefaultTorPlusNode({ helia: node, repo, offline, registry, wallet, tor, listen: { addresses: settings.listen, allowNonLoopback: settings.allowNonLoopback }, fillStore })
}

/** A site's owner: the node at the onion its name stands for, paid through the payment service */
function siteOwners (services: () => TorPlusServices): SiteOwners {
  return {
    peerOf: async (site, options) => {
      const { names, sites } = services()
      const { onion } = await names.resolve(site, options)
      return sites.peerAt(nodeAtOnion(onion), options)
    },
    offer: async (peer, amount, site, options) => {
      const { payments } = services()

      if (payments == null) {
        throw new PaymentsUnavailableError('the node runs without payments')
      }

      return payments.offerAttention(peer, amount, site, options)
    }
  }
}
