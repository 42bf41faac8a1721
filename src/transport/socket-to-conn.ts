/**
 * A net.Socket (a SOCKS stream through tor, or tor's connection to our
 * onion listener) as a libp2p MultiaddrConnection. The remote address is
 * always an /onion3 one: inbound streams arrive from tor on loopback, and
 * 127.0.0.1 would make every onion peer look like one dialable host.
 */
import { ConnectionFailedError, TimeoutError } from '@libp2p/interface'
import { AbstractMultiaddrConnection } from '@libp2p/utils'
import { pEvent } from 'p-event'
import type { AbortOptions, CounterGroup, Logger, MessageStreamDirection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Socket } from 'node:net'

export interface OnionConnectionInit {
  socket: Socket
  direction: MessageStreamDirection
  remoteAddr: Multiaddr
  log: Logger
  /** Milliseconds without traffic before the connection is closed */
  inactivityTimeout: number
  metrics?: CounterGroup
}

/** The list type @libp2p/utils was built against */
type SendBuffer = Parameters<AbstractMultiaddrConnection['sendData']>[0]

class OnionSocketConnection extends AbstractMultiaddrConnection {
  private readonly socket: Socket

  constructor (init: OnionConnectionInit) {
    super(init)
    this.socket = init.socket

    this.socket.on('data', (buf) => { this.onData(buf) })
    // tor closes a stream whole, never half: a write that races the remote's
    // close (a stream's close frame answering the remote's) fails with EPIPE,
    // or ECONNRESET when tor had not read it, and the connection ends as the
    // remote meant it to
    let closedUnderWrite = false
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') {
        this.log('the remote closed the connection while we wrote (%s)', err.code)
        closedUnderWrite = true
        this.onTransportClosed()
        return
      }

      this.log('socket error - %e', err)
      this.abort(err)
    })
    this.socket.setTimeout(init.inactivityTimeout)
    this.socket.once('timeout', () => { this.abort(new TimeoutError('onion connection inactive')) })
    this.socket.once('end', () => { this.onTransportClosed() })
    this.socket.once('close', (hadError) => {
      if (hadError && !closedUnderWrite) {
        this.abort(new ConnectionFailedError('the onion connection closed with an error'))
        return
      }

      this.onTransportClosed()
    })
    this.socket.on('drain', () => { this.safeDispatchEvent('drain') })
  }

  sendData (data: SendBuffer): { sentBytes: number, canSendMore: boolean } {
    let sentBytes = 0
    let canSendMore = true

    for (const buf of data) {
      sentBytes += buf.byteLength
      canSendMore = this.socket.write(buf)

      if (!canSendMore) {
        break
      }
    }

    return { sentBytes, canSendMore }
  }

  async sendClose (options?: AbortOptions): Promise<void> {
    if (this.socket.destroyed) {
      return
    }

    this.socket.destroySoon()
    await pEvent(this.socket, 'close', options)
  }

  sendReset (): void {
    this.socket.destroy()
  }

  sendPause (): void {
    this.socket.pause()
  }

  sendResume (): void {
    this.socket.resume()
  }
}

export function toMultiaddrConnection (init: OnionConnectionInit): AbstractMultiaddrConnection {
  return new OnionSocketConnection(init)
}
