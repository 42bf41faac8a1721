/**
 * @packageDocumentation
 *
 * A js-libp2p transport for `/onion3/<service id>:<port>` addresses: dials go
 * through tor's SocksPort (the name is resolved inside tor), and the node
 * listens as an onion service published over tor's control port.
 *
 * @example
 *
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { yamux } from '@chainsafe/libp2p-yamux'
 * import { onion, createOnionKey, frameLimit, ManagedTor, onionConnectionMonitor, optimisticSelect } from 'torplus/transport'
 *
 * const tor = new ManagedTor({ dir: '/tmp/tor', logger })
 * await tor.start()
 * const key = createOnionKey()
 *
 * const node = await createLibp2p({
 *   addresses: { listen: [`/onion3/${key.serviceId}:4101`] },
 *   transports: [onion({ tor, key })],
 *   // frames and pings that suit a circuit of a few MiB/s
 *   streamMuxers: [optimisticSelect(frameLimit(yamux()), { protocols: ['/ipfs/bitswap/1.2.0'] })],
 *   connectionMonitor: onionConnectionMonitor(60_000)
 * })
 * ```
 */
import type { OnionKey } from './onion-address.js'
import type { OnionService } from './onion-service.js'
import type { TorControl } from './tor/control/index.js'
import type { ComponentLogger, Metrics, OutboundConnectionUpgradeEvents } from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'
import type { ProgressEvent } from 'progress-events'

export { createOnionKey, isOnion, isValidServiceId, parseOnionMultiaddr, toOnionMultiaddr } from './onion-address.js'
export type { OnionKey, OnionTarget } from './onion-address.js'
export { ManagedTor } from './tor/managed-tor.js'
export { ExternalTor } from './tor/external-tor.js'
export type { ExternalTorInit, ExternalTorProgressEvents } from './tor/external-tor.js'
export type { ManagedTorInit, ManagedTorProgressEvents } from './tor/managed-tor.js'
export { TorControl } from './tor/control/index.js'
export { torReconnect } from './tor/reconnect.js'
export type { TorReconnectInit, TorReconnectComponents } from './tor/reconnect.js'
export { frameLimit } from './muxer/frame-limit.js'
export type { FrameLimitInit } from './muxer/frame-limit.js'
export { optimisticSelect } from './muxer/optimistic-select.js'
export type { OptimisticSelectInit, OptimisticSelectComponents } from './muxer/optimistic-select.js'
export { onionConnectionMonitor } from './muxer/liveness.js'
export * from './errors.js'
export { onion } from './onion.js'
export { OnionService } from './onion-service.js'
export type { OnionServiceInit } from './onion-service.js'
export { createTor } from './tor/provider.js'
export type { NodeTor, TorInit } from './tor/provider.js'
export { bootstrapStatus } from './tor/wait-for-bootstrap.js'
export { checkListenAddresses, isLoopback, loopbackOnlyGater, offlineGater, onionOnlyGater } from './address-policy.js'
export { networking } from './networking.js'
export { socksConnector } from './socks.js'
export type { Networking, NetworkingInit } from './networking.js'

export interface TorRestartedDetail {
  /** When tor was found gone (ms since the epoch) */
  downAt: number
}

export interface TorProviderEvents {
  /** tor was gone and runs again; onion services must be published anew */
  restarted: CustomEvent<TorRestartedDetail>
}

/**
 * What the transport needs from tor: where its SocksPort is, a control
 * connection, and word when tor restarted (services must be published again)
 */
export interface TorProvider extends TypedEventTarget<TorProviderEvents> {
  readonly socks: { host: string, port: number }
  readonly control: TorControl
}

export interface OnionComponents {
  logger: ComponentLogger
  metrics?: Metrics
}

export interface OnionInit {
  /** A started tor */
  tor: TorProvider

  /** The onion service key; without one the transport only dials */
  key?: OnionKey

  /**
   * Milliseconds for a dial, circuit building included
   *
   * @default 60_000
   */
  dialTimeout?: number

  /**
   * Milliseconds to wait for our descriptor upload before reporting the
   * address (a client that asks too early backs off)
   *
   * @default 60_000
   */
  descriptorTimeout?: number

  /**
   * Milliseconds without traffic before a connection closes
   *
   * @default 300_000
   */
  inactivityTimeout?: number

  /**
   * Put each connection on a circuit of its own (a SOCKS username per dial,
   * which tor isolates by default): peers never share a circuit, and a new
   * connection does not inherit one that carried earlier traffic, whose tor
   * congestion window has settled lower (on the devnet a fresh circuit moved
   * 64 MiB at 8.4 MiB/s, a used one at 6.2, mean of 8)
   *
   * @default true
   */
  isolateStreams?: boolean

  /**
   * The onion service of `key` to listen on, when other parts of the node
   * serve ports on the same onion (tor takes one ADD_ONION per key)
   *
   * @default one of the transport's own
   */
  service?: OnionService
}

export type OnionDialEvents = OutboundConnectionUpgradeEvents | ProgressEvent<'onion:open-connection'>
