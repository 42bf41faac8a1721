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
import { BitswapTrafficMeter } from './bitswap/traffic-meter.js'
import { toBitswapInit, toLibp2pAddresses } from './config/to-init.js'
import { BandwidthCounter } from './metrics/bandwidth.js'
import { checkListenAddresses, loopbackOnlyGater } from './transport/address-policy.js'
import { AGENT_VERSION, VERSION } from './version.js'
import type { Repo } from './repo/index.js'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { UnixFS } from '@helia/unixfs'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, Metrics, Startable } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

export interface TorPlusServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
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

export interface TorPlusNode extends Startable {
  readonly helia: HeliaWithLibp2p<TorPlusServices>
  readonly fs: UnixFS
  readonly repo: Repo
  readonly offline: boolean
  /** Prometheus registry with libp2p's metrics and ours */
  readonly registry: Registry
  readonly bitswapTraffic: BitswapTrafficMeter
  /** Bytes in and out over all connections */
  readonly bandwidth: BandwidthCounter
}

class DefaultTorPlusNode implements TorPlusNode {
  readonly [Symbol.toStringTag] = 'torplus:node'
  readonly helia: HeliaWithLibp2p<TorPlusServices>
  readonly fs: UnixFS
  readonly repo: Repo
  readonly offline: boolean
  readonly registry: Registry
  readonly bandwidth: BandwidthCounter
  private meter?: BitswapTrafficMeter
  private started = false

  constructor (init: TorPlusNodeInit) {
    const { repo } = init
    const logger = init.logger ?? defaultLogger()
    this.repo = repo
    this.offline = init.offline === true
    this.registry = new Registry()
    this.bandwidth = new BandwidthCounter()

    const helia = createHeliaLight({
      blockstore: repo.blockstore,
      datastore: repo.datastore,
      logger
    })

    this.helia = withBitswap(withLibp2pLight(helia, {
      privateKey: repo.privateKey,
      nodeInfo: { name: 'torplus', version: VERSION, userAgent: AGENT_VERSION },
      addresses: { listen: this.offline ? [] : toLibp2pAddresses(repo.config) },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: loopbackOnlyGater(),
      connectionManager: {
        maxConnections: repo.config.Swarm.ConnMgr.HighWater,
        dialTimeout: repo.config.Swarm.DialTimeout,
        // the default dnsaddr resolver makes a DNS query before any gate runs
        resolvers: {}
      },
      metrics: this.bandwidth.wrap(prometheusMetrics({ registry: this.registry })),
      services: {
        identify: identify(),
        ping: ping()
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

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) {
      return
    }

    checkListenAddresses(this.offline ? [] : toLibp2pAddresses(this.repo.config), this.repo.config.Addresses.AllowNonLoopback)
    await this.helia.start()

    const metrics = this.helia.libp2p.metrics
    this.meter = new BitswapTrafficMeter({ libp2p: this.helia.libp2p, logger: this.helia.logger, metrics })
    this.registerRepoMetrics(metrics)
    await start(this.meter, this.bandwidth)
    this.started = true
  }

  async stop (): Promise<void> {
    if (!this.started) {
      return
    }

    await stop(this.bandwidth, ...(this.meter == null ? [] : [this.meter]))

    await this.helia.stop()
    this.started = false
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

/**
 * Build a node on an open repo; call `start()` to bring it online
 */
export function createTorPlusNode (init: TorPlusNodeInit): TorPlusNode {
  return new DefaultTorPlusNode(init)
}
