/**
 * When tor dies every onion connection dies with it. Once tor runs again,
 * dial back the peers that were lost then: outbound dials need only our
 * SocksPort, not our own freshly republished descriptor, so the links come
 * back even while other nodes still hold an older descriptor of ours.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { anySignal } from 'any-signal'
import { DEFAULT_DIAL_TIMEOUT, DEFAULT_RECONNECT_ATTEMPTS, DEFAULT_RECONNECT_GRACE, DEFAULT_RECONNECT_MAX_REMEMBERED, DEFAULT_RECONNECT_RETRY_INTERVAL } from '../constants.js'
import type { TorProvider, TorRestartedDetail } from '../index.js'
import type { ComponentLogger, Libp2pEvents, Logger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'

export interface TorReconnectInit {
  tor: TorProvider

  /**
   * Peers lost this many milliseconds before tor was found gone count as
   * lost with it (their sockets may close first)
   *
   * @default 10_000
   */
  grace?: number

  /**
   * Dial attempts per lost peer
   *
   * @default 5
   */
  attempts?: number

  /**
   * Milliseconds between attempts
   *
   * @default 10_000
   */
  retryInterval?: number

  /**
   * Milliseconds for one dial
   *
   * @default 60_000
   */
  dialTimeout?: number

  /**
   * Disconnected peers remembered at most
   *
   * @default 256
   */
  maxRemembered?: number
}

export interface TorReconnectComponents {
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

class TorReconnect implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:tor-reconnect'
  private readonly components: TorReconnectComponents
  private readonly tor: TorProvider
  private readonly log: Logger
  private readonly grace: number
  private readonly attempts: number
  private readonly retryInterval: number
  private readonly dialTimeout: number
  private readonly maxRemembered: number
  /** Disconnection time by peer, oldest first */
  private readonly lost = new Map<string, { peerId: PeerId, at: number }>()
  private shutdown = new AbortController()

  constructor (components: TorReconnectComponents, init: TorReconnectInit) {
    this.components = components
    this.tor = init.tor
    this.log = components.logger.forComponent('torplus:onion:reconnect')
    this.grace = init.grace ?? DEFAULT_RECONNECT_GRACE
    this.attempts = init.attempts ?? DEFAULT_RECONNECT_ATTEMPTS
    this.retryInterval = init.retryInterval ?? DEFAULT_RECONNECT_RETRY_INTERVAL
    this.dialTimeout = init.dialTimeout ?? DEFAULT_DIAL_TIMEOUT
    this.maxRemembered = init.maxRemembered ?? DEFAULT_RECONNECT_MAX_REMEMBERED
    this.onDisconnect = this.onDisconnect.bind(this)
    this.onRestarted = this.onRestarted.bind(this)
  }

  start (): void {
    this.shutdown = new AbortController()
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    this.tor.addEventListener('restarted', this.onRestarted)
  }

  stop (): void {
    this.shutdown.abort()
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.tor.removeEventListener('restarted', this.onRestarted)
    this.lost.clear()
  }

  private onDisconnect (evt: CustomEvent<PeerId>): void {
    const key = evt.detail.toString()
    this.lost.delete(key)
    this.lost.set(key, { peerId: evt.detail, at: Date.now() })

    if (this.lost.size > this.maxRemembered) {
      this.lost.delete(this.lost.keys().next().value as string)
    }
  }

  private onRestarted (evt: CustomEvent<TorRestartedDetail>): void {
    const since = evt.detail.downAt - this.grace
    const peers = [...this.lost.values()].filter(peer => peer.at >= since).map(peer => peer.peerId)
    this.log('tor is back: dialling %d peers lost with it', peers.length)

    for (const peerId of peers) {
      this.lost.delete(peerId.toString())
      void this.redial(peerId)
    }
  }

  private async redial (peerId: PeerId): Promise<void> {
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (this.shutdown.signal.aborted || this.components.connectionManager.getConnections(peerId).length > 0) {
        return
      }

      const signal = anySignal([this.shutdown.signal, AbortSignal.timeout(this.dialTimeout)])

      try {
        await this.components.connectionManager.openConnection(peerId, { signal })
        this.log('reconnected to %p after %d attempts', peerId, attempt)
        return
      } catch (err: any) {
        this.log('could not reconnect to %p (attempt %d of %d) - %s', peerId, attempt, this.attempts, err.message)
      } finally {
        signal.clear()
      }

      await delay(this.retryInterval, undefined, { signal: this.shutdown.signal }).catch(() => {})
    }
  }
}

/**
 * A libp2p service that redials, after a tor restart, the peers lost with it
 */
export function torReconnect (init: TorReconnectInit): (components: TorReconnectComponents) => Startable {
  return (components) => new TorReconnect(components, init)
}
