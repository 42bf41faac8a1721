/**
 * Join the DHT through the peers in Routing.Bootstrap, and come back to them
 * whenever the node is left with too few connections. @libp2p/bootstrap dials
 * its list once at start: over tor a first dial often fails (the peer's
 * descriptor is not yet published, a circuit times out), and a node whose
 * only dial failed would stay out of the DHT for good.
 *
 * Start it once the whole node runs, not with libp2p: a connection made
 * before bitswap registers its protocol is identified without it, and the
 * peer then never sends us a want (identify-push did not repair that over
 * onion links).
 */
import { setMaxListeners } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { anySignal } from 'any-signal'
import type { ComponentLogger, Libp2p, Logger, PeerId, Startable } from '@libp2p/interface'
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
}

export interface DHTBootstrapComponents {
  libp2p: Pick<Libp2p, 'dial' | 'getConnections'>
  logger: ComponentLogger
}

export class DHTBootstrap implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:dht-bootstrap'
  private readonly components: DHTBootstrapComponents
  private readonly log: Logger
  private readonly peers: Array<{ peerId: PeerId, address: Multiaddr }>
  private readonly minConnections: number
  private readonly interval: number
  private readonly dialTimeout: number
  private timer?: ReturnType<typeof setTimeout>
  private shutdown?: AbortController

  constructor (components: DHTBootstrapComponents, init: DHTBootstrapInit) {
    this.components = components
    this.log = components.logger.forComponent('torplus:routing:bootstrap')
    this.peers = init.list.map(text => {
      const address = multiaddr(text)
      return { address, peerId: peerIdFromString(address.getComponents().findLast(c => c.name === 'p2p')?.value ?? '') }
    })
    this.minConnections = init.minConnections ?? 4
    this.interval = init.interval ?? 30_000
    this.dialTimeout = init.dialTimeout ?? 60_000
  }

  start (): void {
    this.shutdown = new AbortController()
    setMaxListeners(Infinity, this.shutdown.signal)
    this.schedule(0)
  }

  stop (): void {
    clearTimeout(this.timer)
    this.shutdown?.abort()
    this.shutdown = undefined
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
    const { libp2p } = this.components

    if (this.shutdown == null || libp2p.getConnections().length >= this.minConnections) {
      return
    }

    const missing = this.peers.filter(({ peerId }) => libp2p.getConnections(peerId).length === 0)
    this.log('%d connections, dialling %d bootstrap peers', libp2p.getConnections().length, missing.length)

    await Promise.all(missing.map(async ({ peerId, address }) => {
      const signal = anySignal([this.shutdown?.signal, AbortSignal.timeout(this.dialTimeout)])

      try {
        await libp2p.dial(address, { signal })
        this.log('connected to bootstrap peer %p', peerId)
      } catch (err: any) {
        this.log('could not dial bootstrap peer %p - %s', peerId, err.message)
      } finally {
        signal.clear()
      }
    }))
  }
}
