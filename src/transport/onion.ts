/**
 * The onion transport: dials /onion3 addresses through tor's SocksPort and
 * listens as an onion service. It handles /onion3 addresses only.
 */
import { randomUUID } from 'node:crypto'
import { InvalidMultiaddrError, InvalidParametersError, serviceCapabilities, transportSymbol } from '@libp2p/interface'
import { CustomProgressEvent } from 'progress-events'
import { DEFAULT_DESCRIPTOR_TIMEOUT, DEFAULT_DIAL_TIMEOUT, DEFAULT_INACTIVITY_TIMEOUT } from './constants.js'
import { OnionListener } from './listener.js'
import { isOnion, parseOnionMultiaddr } from './onion-address.js'
import { OnionService } from './onion-service.js'
import { toMultiaddrConnection } from './socket-to-conn.js'
import { socksConnect } from './socks.js'
import type { OnionComponents, OnionDialEvents, OnionInit, TorProvider } from './index.js'
import type { OnionKey } from './onion-address.js'
import type { Connection, CreateListenerOptions, DialTransportOptions, Listener, Logger, Transport } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export class OnionTransport implements Transport<OnionDialEvents> {
  readonly [transportSymbol] = true
  readonly [Symbol.toStringTag] = 'torplus:onion'
  readonly [serviceCapabilities]: string[] = ['@libp2p/transport']
  private readonly components: OnionComponents
  private readonly tor: TorProvider
  private readonly key?: OnionKey
  private readonly dialTimeout: number
  private readonly descriptorTimeout: number
  private readonly inactivityTimeout: number
  private readonly isolateStreams: boolean
  private readonly log: Logger
  private service?: OnionService

  constructor (components: OnionComponents, init: Required<Omit<OnionInit, 'key' | 'service'>> & Pick<OnionInit, 'key' | 'service'>) {
    this.components = components
    this.tor = init.tor
    this.key = init.key
    this.dialTimeout = init.dialTimeout
    this.descriptorTimeout = init.descriptorTimeout
    this.inactivityTimeout = init.inactivityTimeout
    this.isolateStreams = init.isolateStreams
    this.log = components.logger.forComponent('torplus:onion')
    this.service = init.service
  }

  async dial (ma: Multiaddr, options: DialTransportOptions<OnionDialEvents>): Promise<Connection> {
    options.signal.throwIfAborted()
    const target = parseOnionMultiaddr(ma)

    if (target == null) {
      throw new InvalidMultiaddrError(`${ma} is not an /onion3 address`)
    }

    options.onProgress?.(new CustomProgressEvent('onion:open-connection'))
    const peer = ma.getComponents().find(c => c.name === 'p2p')?.value
    const socket = await socksConnect({
      proxy: this.tor.socks,
      destination: { host: target.host, port: target.port },
      timeout: this.dialTimeout,
      signal: options.signal,
      isolation: this.isolateStreams ? `${peer ?? target.serviceId}/${randomUUID()}` : undefined
    })

    const maConn = toMultiaddrConnection({
      socket,
      direction: 'outbound',
      remoteAddr: ma,
      inactivityTimeout: this.inactivityTimeout,
      log: this.components.logger.forComponent('torplus:onion:connection')
    })

    try {
      this.log('new outbound connection %a', ma)
      return await options.upgrader.upgradeOutbound(maConn, options)
    } catch (err: any) {
      this.log.error('could not upgrade the connection to %a - %e', ma, err)
      maConn.abort(err)
      throw err
    }
  }

  createListener (options: CreateListenerOptions): Listener {
    if (this.key == null) {
      throw new InvalidParametersError('the onion transport has no key to listen with: pass `key` to onion()')
    }

    // one service for every listener: tor takes one ADD_ONION per key
    this.service ??= new OnionService({ tor: this.tor, key: this.key, descriptorTimeout: this.descriptorTimeout, log: this.components.logger.forComponent('torplus:onion:service') })

    return new OnionListener({
      service: this.service,
      key: this.key,
      upgrader: options.upgrader,
      logger: this.components.logger,
      inactivityTimeout: this.inactivityTimeout
    })
  }

  listenFilter (multiaddrs: Multiaddr[]): Multiaddr[] {
    return this.key == null ? [] : multiaddrs.filter(isOnion)
  }

  dialFilter (multiaddrs: Multiaddr[]): Multiaddr[] {
    return multiaddrs.filter(isOnion)
  }
}

/**
 * The onion transport: dials through tor's SocksPort, listens as an onion
 * service when given a key
 */
export function onion (init: OnionInit): (components: OnionComponents) => Transport<OnionDialEvents> {
  return (components) => new OnionTransport(components, {
    tor: init.tor,
    key: init.key,
    dialTimeout: init.dialTimeout ?? DEFAULT_DIAL_TIMEOUT,
    descriptorTimeout: init.descriptorTimeout ?? DEFAULT_DESCRIPTOR_TIMEOUT,
    inactivityTimeout: init.inactivityTimeout ?? DEFAULT_INACTIVITY_TIMEOUT,
    isolateStreams: init.isolateStreams ?? true,
    service: init.service
  })
}
