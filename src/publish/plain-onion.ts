/**
 * The node's first site over plain HTTP on its onion, for visitors with a
 * stock Tor Browser: they cannot pay, so with `Publish.PlainOnion` "free"
 * they share one free allowance (a new circuit is a new visitor to us, so a
 * per-visitor allowance would be a new allowance per circuit); with "off"
 * the onion serves no HTTP at all.
 */
import http from 'node:http'
import net from 'node:net'
import { MAX_ALLOWANCE_WAIT, MAX_PLAIN_CONNECTIONS, MIN_PLAIN_VISIT, TUNNEL_IDLE_TIMEOUT } from './constants.js'
import { FreeAllowance } from './free-allowance.js'
import { join } from './join.js'
import { connectLocal } from './local-socket.js'
import type { FreeAllowanceInit } from './free-allowance.js'
import type { Logger } from '@libp2p/interface'

export interface PlainOnionServerInit extends FreeAllowanceInit {
  /** The loopback port of the site plain visitors get, if one is served */
  sitePort(): number | undefined
  log: Logger
  /** A visit began: ok, no_site, allowance_used, unavailable */
  onVisit?(outcome: string): void
  /** Bytes of the site went to a visitor */
  onSent?(bytes: number): void
}

export class PlainOnionServer {
  private readonly init: PlainOnionServerInit
  private readonly allowance: FreeAllowance
  private readonly sockets = new Set<net.Socket>()
  private server?: net.Server

  constructor (init: PlainOnionServerInit) {
    this.init = init
    this.allowance = new FreeAllowance(init)
  }

  /** Listen on an ephemeral loopback port, the onion port's target */
  async start (): Promise<number> {
    const server = net.createServer(socket => { this.onConnection(socket) })
    server.maxConnections = MAX_PLAIN_CONNECTIONS
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    return (server.address() as net.AddressInfo).port
  }

  async stop (): Promise<void> {
    this.sockets.forEach(socket => socket.destroy())
    await new Promise<void>(resolve => { this.server?.close(() => { resolve() }) ?? resolve() })
    this.server = undefined
  }

  private onConnection (visitor: net.Socket): void {
    this.sockets.add(visitor)
    visitor.once('close', () => this.sockets.delete(visitor))
    visitor.setTimeout(TUNNEL_IDLE_TIMEOUT, () => visitor.destroy())
    visitor.on('error', () => {})
    this.forward(visitor).catch(err => {
      this.init.log('plain onion visit ended - %s', err.message)
      visitor.destroy()
    })
  }

  private async forward (visitor: net.Socket): Promise<void> {
    const port = this.init.sitePort()

    if (port == null) {
      this.init.onVisit?.('no_site')
      answer(visitor, 404, 'No site is published at this onion.')
      return
    }

    const wait = this.allowance.waitFor(MIN_PLAIN_VISIT)

    if (wait > MAX_ALLOWANCE_WAIT) {
      this.init.onVisit?.('allowance_used')
      answer(visitor, 503, 'This site\'s free allowance for Tor Browser visitors is used up for now. TorPlus visitors pay for what they fetch and are served at full speed: run a torplus node and browse through its proxy.', Math.ceil(wait / 1000))
      return
    }

    const site = await connectLocal(port).catch(() => undefined)

    if (site == null) {
      this.init.onVisit?.('unavailable')
      answer(visitor, 502, 'The site\'s server is not running.')
      return
    }

    this.init.onVisit?.('ok')
    site.on('error', () => {})
    visitor.once('close', () => site.destroy())
    await join(visitor, site, this.allowance.pace(MAX_ALLOWANCE_WAIT, bytes => this.init.onSent?.(bytes)))
  }
}

/** A whole HTTP response from us rather than the site, and the connection closed */
function answer (socket: net.Socket, status: number, text: string, retryAfter?: number): void {
  const body = `${text}\n`
  socket.end([
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(retryAfter == null || !Number.isFinite(retryAfter) ? [] : [`Retry-After: ${retryAfter}`]),
    'Connection: close',
    '',
    body
  ].join('\r\n'))
}
