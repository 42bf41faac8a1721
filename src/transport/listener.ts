/**
 * An onion-service listener: a TCP server on 127.0.0.1 at a port the OS
 * picks, served as one port of the node's onion service (which publishes
 * again when tor restarts). It reports its /onion3 address only.
 */
import net from 'node:net'
import { TypedEventEmitter } from 'main-event'
import { OnionListenAddressError } from './errors.js'
import { parseOnionMultiaddr } from './onion-address.js'
import { toMultiaddrConnection } from './socket-to-conn.js'
import type { OnionKey } from './onion-address.js'
import type { OnionService } from './onion-service.js'
import type { ComponentLogger, Listener, ListenerEvents, Logger, Upgrader } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface OnionListenerInit {
  /** The node's onion service, shared by its listeners */
  service: OnionService
  key: OnionKey
  upgrader: Upgrader
  logger: ComponentLogger
  inactivityTimeout: number
}

type Status = { code: 'inactive' } | { code: 'active', address: Multiaddr, server: net.Server, virtualPort: number }

export class OnionListener extends TypedEventEmitter<ListenerEvents> implements Listener {
  private readonly init: OnionListenerInit
  private readonly log: Logger
  private readonly sockets = new Set<net.Socket>()
  private readonly shutdown = new AbortController()
  private status: Status = { code: 'inactive' }

  constructor (init: OnionListenerInit) {
    super()
    this.init = init
    this.log = init.logger.forComponent('torplus:onion:listener')
  }

  async listen (ma: Multiaddr): Promise<void> {
    const target = parseOnionMultiaddr(ma)

    if (target == null || target.serviceId !== this.init.key.serviceId) {
      throw new OnionListenAddressError(ma.toString(), `/onion3/${this.init.key.serviceId}`)
    }

    const server = net.createServer(socket => { this.onSocket(socket) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })

    this.status = { code: 'active', address: ma.decapsulateCode(421), server, virtualPort: target.port }

    try {
      await this.init.service.add(target.port, `127.0.0.1:${(server.address() as net.AddressInfo).port}`)
    } catch (err) {
      server.close()
      this.status = { code: 'inactive' }
      throw err
    }

    this.safeDispatchEvent('listening')
  }

  getAddrs (): Multiaddr[] {
    return this.status.code === 'active' ? [this.status.address] : []
  }

  updateAnnounceAddrs (): void {}

  async close (): Promise<void> {
    if (this.status.code !== 'active') {
      return
    }

    const { server, virtualPort } = this.status
    this.status = { code: 'inactive' }
    this.shutdown.abort()
    await this.init.service.remove(virtualPort)

    for (const socket of this.sockets) {
      socket.destroy()
    }

    await new Promise<void>(resolve => server.close(() => { resolve() }))
    this.safeDispatchEvent('close')
  }

  private onSocket (socket: net.Socket): void {
    if (this.status.code !== 'active') {
      socket.destroy()
      return
    }

    // as the dial side does: a small frame (a want, a ping) goes out at once, not after an ack (a 1 KiB echo over onion: 149 → 116 ms)
    socket.setNoDelay(true)
    const maConn = toMultiaddrConnection({
      socket,
      direction: 'inbound',
      // the dialer's own onion reaches us through identify
      remoteAddr: this.status.address,
      inactivityTimeout: this.init.inactivityTimeout,
      log: this.init.logger.forComponent('torplus:onion:connection')
    })

    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))

    this.init.upgrader.upgradeInbound(maConn, { signal: this.shutdown.signal }).catch((err: Error) => {
      this.log.error('inbound onion connection upgrade failed - %e', err)
      maConn.abort(err)
    })
  }
}
