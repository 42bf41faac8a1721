/**
 * An onion-service listener: a TCP server on 127.0.0.1 at a port the OS
 * picks, published with ADD_ONION under the node's own key. It reports its
 * /onion3 address only, and publishes again when tor restarts.
 */
import net from 'node:net'
import { TypedEventEmitter } from 'main-event'
import { OnionListenAddressError } from './errors.js'
import { parseOnionMultiaddr } from './onion-address.js'
import { toMultiaddrConnection } from './socket-to-conn.js'
import type { TorProvider } from './index.js'
import type { OnionKey } from './onion-address.js'
import type { HsDescEvent } from './tor/control/index.js'
import type { ComponentLogger, Listener, ListenerEvents, Logger, Upgrader } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface OnionListenerInit {
  tor: TorProvider
  key: OnionKey
  upgrader: Upgrader
  logger: ComponentLogger
  descriptorTimeout: number
  inactivityTimeout: number
}

type Status = { code: 'inactive' } | { code: 'active', address: Multiaddr, server: net.Server, virtualPort: number }

export class OnionListener extends TypedEventEmitter<ListenerEvents> implements Listener {
  private readonly init: OnionListenerInit
  private readonly log: Logger
  private readonly sockets = new Set<net.Socket>()
  private readonly shutdown = new AbortController()
  private status: Status = { code: 'inactive' }
  private unwatch: () => void = () => {}

  constructor (init: OnionListenerInit) {
    super()
    this.init = init
    this.log = init.logger.forComponent('torplus:onion:listener')
    this.republish = this.republish.bind(this)
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
      await this.publish()
    } catch (err) {
      server.close()
      this.status = { code: 'inactive' }
      throw err
    }

    this.init.tor.addEventListener('restarted', this.republish)
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

    const { server } = this.status
    this.status = { code: 'inactive' }
    this.shutdown.abort()
    this.unwatch()
    this.init.tor.removeEventListener('restarted', this.republish)

    try {
      await this.init.tor.control.delOnion(this.init.key.serviceId)
    } catch (err: any) {
      // tor already gone: the service went with its control connection
      this.log('DEL_ONION failed - %s', err.message)
    }

    for (const socket of this.sockets) {
      socket.destroy()
    }

    await new Promise<void>(resolve => server.close(() => { resolve() }))
    this.safeDispatchEvent('close')
  }

  private async publish (): Promise<void> {
    if (this.status.code !== 'active') {
      return
    }

    const { server, virtualPort } = this.status
    const { port } = server.address() as net.AddressInfo
    const control = this.init.tor.control
    const serviceId = this.init.key.serviceId

    // a client that asks for the descriptor before it is uploaded backs off,
    // so the address is only reported once tor says it is up
    let done: () => void = () => {}
    const uploaded = new Promise<void>((resolve) => {
      const timer = setTimeout(() => { done() }, this.init.descriptorTimeout)
      const onDesc = (evt: CustomEvent<{ action: string, address: string }>): void => {
        if (evt.detail.action === 'UPLOADED' && evt.detail.address === serviceId) {
          done()
        }
      }
      done = () => {
        clearTimeout(timer)
        control.removeEventListener('hs-desc', onDesc)
        resolve()
      }
      control.addEventListener('hs-desc', onDesc)
    })

    this.watchRejections(control)

    try {
      await control.addOnion({ privateKey: this.init.key.privateKey, ports: [{ virtualPort, target: `127.0.0.1:${port}` }] })
    } catch (err) {
      // no upload will come: drop the timer and the listener now
      done()
      throw err
    }

    await uploaded
    this.log('published %s:%d for 127.0.0.1:%d', serviceId, virtualPort, port)
  }

  /**
   * An HSDir refuses a descriptor whose revision is not above the one it
   * holds; after a restart across a descriptor rotation that can be ours, and
   * clients then get the stale one until tor's next rotation. Nothing a
   * controller can do forces a new revision, so say it plainly.
   */
  private watchRejections (control: TorProvider['control']): void {
    this.unwatch()
    const onDesc = (evt: CustomEvent<HsDescEvent>): void => {
      if (evt.detail.action === 'FAILED' && evt.detail.reason === 'UPLOAD_REJECTED' && evt.detail.address === this.init.key.serviceId) {
        this.log.error('a tor directory rejected our onion descriptor because it holds a newer one from before the last tor restart; some clients may not reach this node until tor publishes its next descriptor')
        // once per publication: every HSDir says the same
        this.unwatch()
      }
    }
    control.addEventListener('hs-desc', onDesc)
    this.unwatch = () => { control.removeEventListener('hs-desc', onDesc) }
  }

  private republish (): void {
    this.publish().catch((err) => {
      this.log.error('could not publish the onion service again after tor restarted - %e', err)
      this.safeDispatchEvent('error', { detail: err })
    })
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
