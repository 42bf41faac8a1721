/**
 * The one place that maps PascalCase config to camelCase component options
 */
import path from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { toStroops } from '../stellar/index.js'
import { parseByteSize } from './byte-size.js'
import type { Config } from './schema.js'
import type { CreditGateInit, PeerTrafficStoreInit } from '../bitswap/index.js'
import type { FillInit, FrequencyTrackerInit, PopularListInit } from '../frequency/index.js'
import type { NameResolverInit } from '../names/index.js'
import type { PaymentServiceInit, StellarWalletInit } from '../payments/index.js'
import type { FreeAllowanceInit } from '../publish/index.js'
import type { DHTBootstrapInit, ProvideQueueInit, TorPlusDHTInit } from '../routing/index.js'
import type { TorInit } from '../transport/index.js'
import type { BitswapOptions } from '@helia/bitswap'

/** Everything `createTorPlusNode` takes from the config */
export interface NodeSettings {
  /** Where libp2p listens; none offline */
  listen: string[]
  /** Whether listen addresses off loopback are allowed (development mode) */
  allowNonLoopback: boolean
  /** The tor peers are reached through: with Swarm.OnionOnly, not offline */
  tor?: TorInit
  /** The Stellar account's network and asset (its seed is the repo's) */
  wallet: Omit<StellarWalletInit, 'seed'>
  connections: {
    maxConnections: number
    inboundConnectionThreshold: number
    /** Milliseconds for one dial, onion circuits included */
    dialTimeout: number
    /** Least milliseconds a liveness ping may take */
    pingTimeout: number
  }
  /** Absent with Routing.Type "none" */
  dht?: Omit<TorPlusDHTInit, 'allowAddress'>
  /** Milliseconds a fetch waits on connected peers before searching the DHT */
  providerSearchDelay: number
  provide: ProvideQueueInit
  /** Absent without bootstrap peers */
  bootstrap?: Omit<DHTBootstrapInit, 'startAfter'>
  bitswap: BitswapOptions
  peerTraffic: PeerTrafficStoreInit
  payments: Omit<PaymentServiceInit, 'wallet' | 'datastore' | 'seed'>
  credit: CreditGateInit
  /** Absent with Frequency.Enabled false, and offline */
  frequency?: Omit<FrequencyTrackerInit, 'blocks' | 'weighPayers'>
  /** Absent with the tracker */
  popular?: Omit<PopularListInit, 'blocks'>
  names: Omit<NameResolverInit, 'connect' | 'offline'>
  /** Absent with Publish.PlainOnion off */
  plainOnion?: FreeAllowanceInit
  /** Stroops paid to site owners per minute of attention: 0 pays nothing */
  attentionPricePerMinute: bigint
}

/**
 * What the node runs with, from its config; `offline` neither listens nor
 * uses tor
 */
export function toNodeSettings (config: Config, repoPath: string, offline: boolean): NodeSettings {
  const { Addresses, Payments, Routing, Reprovider, Swarm } = config

  return {
    listen: offline ? [] : toLibp2pAddresses(config),
    allowNonLoopback: Addresses.AllowNonLoopback,
    tor: Swarm.OnionOnly && !offline ? toTorInit(config, repoPath) : undefined,
    wallet: { network: Payments.Network, horizon: Payments.Horizon, asset: { code: Payments.Asset.Code, issuer: Payments.Asset.Issuer } },
    connections: {
      maxConnections: Swarm.ConnMgr.HighWater,
      inboundConnectionThreshold: Swarm.ConnMgr.InboundRate,
      dialTimeout: Swarm.DialTimeout,
      pingTimeout: Swarm.PingTimeout
    },
    dht: Routing.Type === 'none'
      ? undefined
      : { clientMode: Routing.Type === 'dhtclient', messageTimeout: Routing.MessageTimeout, reprovideInterval: Reprovider.Interval },
    providerSearchDelay: Routing.ProviderSearchDelay,
    provide: { timeout: Routing.QueryTimeout },
    bootstrap: Routing.Bootstrap.length > 0 ? { list: Routing.Bootstrap, dialTimeout: Swarm.DialTimeout } : undefined,
    bitswap: toBitswapInit(config),
    peerTraffic: { forgetIdle: config.Bitswap.ForgetIdle },
    payments: toPaymentInit(config),
    credit: toCreditInit(config),
    // an offline command reads the snapshot, it does not count
    frequency: offline ? undefined : toFrequencyInit(config, repoPath),
    popular: offline || !config.Frequency.Enabled
      ? undefined
      : { publish: config.Frequency.Publish, limit: config.Frequency.PublishLimit, minRequesters: config.Frequency.MinRequesters },
    names: { dns: config.Names.Dns, ethRpc: config.Names.EthRpc, ensRegistry: config.Names.EnsRegistry, timeout: config.Names.Timeout },
    plainOnion: config.Publish.PlainOnion === 'off' ? undefined : toPlainOnionInit(config),
    attentionPricePerMinute: toStroops(Payments.AttentionPricePerMinute)
  }
}

export function toFrequencyInit (config: Config, repoPath: string): NodeSettings['frequency'] {
  const { Frequency } = config

  return Frequency.Enabled
    ? {
        path: path.join(repoPath, 'frequency'),
        topK: Frequency.TopK,
        sketchWidth: Frequency.SketchWidth,
        sketchDepth: Frequency.SketchDepth,
        halfLife: Frequency.HalfLife,
        epoch: Frequency.Epoch,
        perPeerCap: Frequency.PerPeerCap,
        snapshotInterval: Frequency.SnapshotInterval
      }
    : undefined
}

export function toLibp2pAddresses (config: Config): string[] {
  return config.Addresses.Swarm
}

export function toBitswapInit (config: Config): BitswapOptions {
  const { Bitswap } = config

  return {
    sendWantlistDebounce: Bitswap.SendWantlistDebounce,
    sendBlocksDebounce: Bitswap.SendBlocksDebounce,
    maxOutgoingMessageSize: Bitswap.MaxOutgoingMessageSize,
    maxIncomingMessageSize: Bitswap.MaxOutgoingMessageSize * 2,
    messageSendTimeout: Bitswap.MessageTimeout,
    messageReceiveTimeout: Bitswap.MessageTimeout,
    sendBlocksTimeout: Bitswap.MessageTimeout
  }
}

export function toPaymentInit (config: Config): Omit<PaymentServiceInit, 'wallet' | 'datastore' | 'seed'> {
  const { Payments } = config

  return {
    pricePerMiB: toStroops(Payments.PricePerMiB),
    maxPricePerMiB: toStroops(Payments.MaxPricePerMiB),
    byteTolerance: parseByteSize(Payments.ByteTolerance) ?? 0n,
    payAhead: parseByteSize(Payments.PayAhead) ?? 0n,
    budgetPerPeer: toStroops(Payments.Budget.PerPeer),
    budgetTotal: toStroops(Payments.Budget.Total),
    budgetPeriod: Payments.Budget.Period,
    requestExpiry: Payments.RequestExpiry,
    requestTimeout: Payments.RequestTimeout,
    settleAmount: toStroops(Payments.SettleAmount),
    settleInterval: Payments.SettleInterval,
    channels: Payments.Channels,
    historyRetention: Payments.HistoryRetention,
    relay: {
      enabled: Payments.Relay.Enabled,
      feeBase: toStroops(Payments.Relay.FeeBase),
      feePpm: Payments.Relay.FeePPM,
      expiryDelta: Math.ceil(Payments.Relay.ExpiryDelta / 1000),
      maxPending: toStroops(Payments.Relay.MaxPending)
    },
    routes: {
      hops: Payments.Routes.Hops,
      relays: Payments.Routes.Relays.map(address => multiaddr(address)),
      maxFee: { base: toStroops(Payments.Routes.MaxFee.Base), ppm: Payments.Routes.MaxFee.PPM },
      fallback: Payments.Routes.Fallback,
      accept: Payments.Routes.Accept,
      finalDelta: Math.ceil(Payments.Routes.FinalDelta / 1000),
      claimMargin: Math.ceil(Payments.Routes.ClaimMargin / 1000),
      messageTimeout: Payments.Routes.MessageTimeout
    }
  }
}

/** What plain onion visitors, who cannot pay, share */
function toPlainOnionInit (config: Config): FreeAllowanceInit {
  return { capacity: Number(parseByteSize(config.Publish.PlainAllowance) ?? 0n), refillRate: Number(parseByteSize(config.Publish.PlainRefillRate) ?? 0n) }
}

export function toCreditInit (config: Config): CreditGateInit {
  const { Bitswap, Payments } = config

  return {
    pricePerMiB: toStroops(Payments.PricePerMiB),
    freeAllowance: Number(parseByteSize(Bitswap.FreeAllowance) ?? 0n),
    allowanceRefreshRate: Number(parseByteSize(Bitswap.AllowanceRefreshRate) ?? 0n),
    paymentThreshold: toStroops(Bitswap.PaymentThreshold),
    billAhead: toStroops(Bitswap.BillAhead),
    creditLimit: toStroops(Bitswap.CreditLimit),
    disconnectLimit: toStroops(Bitswap.DisconnectLimit),
    throttleRate: Number(parseByteSize(Bitswap.ThrottleRate) ?? 0n),
    inFlight: Bitswap.MaxOutgoingMessageSize
  }
}

/** The tor a node uses: the one `Tor.*` names, or one of its own in the repo */
export function toTorInit (config: Config, repoPath: string): TorInit {
  const { Tor } = config

  if (Tor.Mode === 'external' && Tor.ControlAddress != null && Tor.SocksAddress != null) {
    return {
      mode: 'external',
      external: {
        control: hostPort(Tor.ControlAddress),
        socks: hostPort(Tor.SocksAddress),
        password: Tor.ControlPassword ?? undefined,
        cookieFile: Tor.CookieAuthFile ?? undefined,
        bootstrapTimeout: Tor.BootstrapTimeout
      }
    }
  }

  return {
    mode: 'managed',
    managed: {
      dir: path.join(repoPath, 'tor'),
      torPath: Tor.Path,
      extraConfig: Tor.ExtraConfig,
      bootstrapTimeout: Tor.BootstrapTimeout
    }
  }
}

function hostPort (address: string): { host: string, port: number } {
  const [ip, tcp] = multiaddr(address).getComponents()
  return { host: ip.value ?? '127.0.0.1', port: Number(tcp.value) }
}

/** Where the daemon's HTTP servers listen, and how long the gateway waits */
export interface ApiSettings {
  api: string
  gateway: string
  paymentGateway: string
  /** Whether the servers may listen off loopback */
  allowNonLoopback: boolean
  /** Milliseconds the gateway waits for content it must fetch */
  retrievalTimeout: number
  /** Where the proxy listens; none without one */
  proxy?: string
  /** Whether the proxy sends hosts that are not TorPlus names through tor */
  proxyThroughTor: boolean
  /** Milliseconds the proxy has to reach a target, name lookup included */
  proxyTimeout: number
}

export function toApiSettings (config: Config): ApiSettings {
  const { Addresses, Gateway } = config

  return {
    api: Addresses.API,
    gateway: Addresses.Gateway,
    paymentGateway: Addresses.PaymentGateway,
    allowNonLoopback: Addresses.AllowNonLoopback,
    retrievalTimeout: Gateway.RetrievalTimeout,
    proxy: Addresses.Proxy ?? undefined,
    proxyThroughTor: config.Proxy.Mode === 'tor',
    proxyTimeout: config.Names.Timeout + config.Swarm.DialTimeout
  }
}

/**
 * What each request runs with, read from the config as it is when the
 * request comes (`config set` changes them at once)
 */
export interface RequestSettings {
  /** Milliseconds one DHT query may take */
  queryTimeout: number
  /** Blocks fetched at once when a DAG is walked */
  blocksInFlight: number
}

export function toRequestSettings (config: Config): RequestSettings {
  return {
    queryTimeout: config.Routing.QueryTimeout,
    blocksInFlight: config.Bitswap.BlocksInFlight
  }
}

/** Bytes the blockstore may hold: Datastore.StorageMax */
export function toStorageMax (config: Config): bigint {
  return parseByteSize(config.Datastore.StorageMax) ?? 0n
}

/** What add does when a request does not say: Import.* (the RPC's own arguments win) */
export function toImportDefaults (config: Config): { cidVersion: 0 | 1, rawLeaves?: boolean, chunker?: string } {
  const { Import } = config

  return {
    cidVersion: Import.CidVersion,
    rawLeaves: Import.UnixFSRawLeaves ?? undefined,
    chunker: Import.UnixFSChunker ?? undefined
  }
}

/** What a fill round runs with: Fill.*, and the prices it weighs items by */
export function toFillInit (config: Config): FillInit & { interval: number } {
  const { Fill, Payments } = config

  return {
    interval: Fill.Interval,
    share: Fill.Share,
    headroom: Fill.Headroom,
    peers: Fill.Peers,
    maxDagSize: parseByteSize(Fill.MaxDagSize) ?? 0n,
    maxPricePerMiB: toStroops(Fill.MaxPricePerMiB ?? Payments.PricePerMiB),
    sellPricePerMiB: toStroops(Payments.PricePerMiB),
    maxSpend: toStroops(Fill.MaxSpend),
    minSupport: Fill.MinSupport,
    hysteresis: Fill.Hysteresis
  }
}
