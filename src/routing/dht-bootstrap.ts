/**
 * Join the DHT through the peers in Routing.Bootstrap, and come back to them
 * whenever the node is left with too few connections. @libp2p/bootstrap dials
 * its list once at start: over tor a first dial often fails (the peer's
 * descriptor is not yet published, a circuit times out), and a node whose
 * only dial failed would stay out of the DHT for good.
 *
 * With `startAfter`, the first round waits for the whole node, not just
 * libp2p: Helia starts bitswap after libp2p, a connection made before bitswap
 * registers its protocol is identified without it, and the peer then never
 * sends us a want (identify-push did not repair that over onion links).
 */
import { serviceCapabilities, setMaxListeners } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { anySignal } from 'any-signal'
import { DEFAULT_BOOTSTRAP_DIAL_TIMEOUT, DEFAULT_BOOTSTRAP_INTERVAL, DEFAULT_BOOTSTRAP_MIN_CONNECTIONS } from './constants.js'
import type { NodeStartEvents } from '../utils/node-start.js'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface DHTBootstrapInit {
  /** Multiaddrs ending in /p2p/<peer id> */
  list: string[]

  /**
   * Below this many open connections, the bootstrap peers are dialled
   *
   * @default 4
   */
  minConnections?: number

  /**
   * Milliseconds between checks of the connection count
   *
   * @default 30_000
   */
  interval?: number

  /**
   * Milliseconds for one dial
   *
   * @default 60_000
   */
  dialTimeout?: number

  /**
   * The whole node's events (Helia's `events`): the first round waits for
   * its `start`, by when bitswap's protocol is registered. Without it the
   * first round runs as soon as libp2p starts.
   */
  startAfter?: NodeStartEvents
}

export interface DHTBootstrapComponents {
  connectionManager: Pick<ConnectionManager, 'openConnection' | 'getConnections'>
  logger: ComponentLogger
}

export class DHTBootstrap implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:dht-bootstrap'
  readonly [serviceCapabilities] = ['@torplus/dht-bootstrap']
  private readonly components: DHTBootstrapComponents
  private readonly log: Logger
  private readonly peers: Array<{ peerId: PeerId, address: Multiaddr }>
  private readonly minConnections: number
  private readonly interval: number
  private readonly dialTimeout: number
  private readonly startAfter?: NodeStartEvents
  private timer?: ReturnType<typeof setTimeout>
  private shutdown?: AbortController

  constructor (components: DHTBootstrapComponents, init: DHTBootstrapInit) {
    this.components = components
    this.log = components.logger.forComponent('torplus:routing:bootstrap')
    this.peers = init.list.map(text => {
      const address = multiaddr(text)
      return { address, peerId: peerIdFromString(address.getComponents().findLast(c => c.name === 'p2p')?.value ?? '') }
    })
    this.minConnections = init.minConnections ?? DEFAULT_BOOTSTRAP_MIN_CONNECTIONS
    this.interval = init.interval ?? DEFAULT_BOOTSTRAP_INTERVAL
    this.dialTimeout = init.dialTimeout ?? DEFAULT_BOOTSTRAP_DIAL_TIMEOUT
    this.startAfter = init.startAfter
  }

  isStarted (): boolean {
    return this.shutdown != null
  }

  start (): void {
    this.shutdown = new AbortController()
    setMaxListeners(Infinity, this.shutdown.signal)

    if (this.startAfter == null) {
      this.schedule(0)
    } else {
      this.startAfter.addEventListener('start', this.onNodeStart)
    }
  }

  stop (): void {
    this.startAfter?.removeEventListener('start', this.onNodeStart)
    clearTimeout(this.timer)
    this.shutdown?.abort()
    this.shutdown = undefined
  }

  private readonly onNodeStart = (): void => {
    this.startAfter?.removeEventListener('start', this.onNodeStart)

    if (this.shutdown != null) {
      this.schedule(0)
    }
  }

  private schedule (ms: number): void {
    this.timer = setTimeout(() => {
      this.bootstrap()
        .catch(err => { this.log.error('bootstrap round failed - %e', err) })
        .finally(() => {
          if (this.shutdown != null) {
            this.schedule(this.interval)
          }
        })
    }, ms)
  }

  private async bootstrap (): Promise<void> {
    const { connectionManager } = this.components

    if (this.shutdown == null || connectionManager.getConnections().length >= this.minConnections) {
      return
    }

    const missing = this.peers.filter(({ peerId }) => connectionManager.getConnections(peerId).length === 0)
    this.log('%d connections, dialling %d bootstrap peers', connectionManager.getConnections().length, missing.length)

    await Promise.all(missing.map(async ({ peerId, address }) => {
      const signal = anySignal([this.shutdown?.signal, AbortSignal.timeout(this.dialTimeout)])

      try {
        await connectionManager.openConnection(address, { signal })
        this.log('connected to bootstrap peer %p', peerId)
      } catch (err: any) {
        this.log('could not dial bootstrap peer %p - %s', peerId, err.message)
      } finally {
        signal.clear()
      }
    }))
  }
}

/**
 * Dial the bootstrap peers at start, and again whenever the node is left with
 * too few connections
 */
export function dhtBootstrap (init: DHTBootstrapInit): (components: DHTBootstrapComponents) => DHTBootstrap {
  return (components) => new DHTBootstrap(components, init)
}
