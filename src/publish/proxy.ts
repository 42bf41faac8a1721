/**
 * The node as a browser's way in: a proxy on loopback (Addresses.Proxy)
 * that speaks HTTP (CONNECT, and requests in absolute form) and SOCKS5 on
 * one port. A TorPlus name (or a host the extension aliased) is resolved
 * and its bytes go to the publishing node over libp2p, paid as bitswap is;
 * `.onion` and other hosts go to tor's SocksPort with Proxy.Mode "tor", or
 * are refused. The proxy itself opens no socket but to loopback: names are
 * resolved and sites reached through the node, the rest through tor.
 */
import http from 'node:http'
import net from 'node:net'
import { pipeline } from 'node:stream/promises'
import { routeName } from '../names/index.js'
import { ERROR_HEADER } from './constants.js'
import { ProxyRefusedError } from './errors.js'
import { join } from './join.js'
import { socks5Handshake, socks5Reply, socksReplyOf, SOCKS_REPLY } from './socks5.js'
import type { NameResolver } from '../names/index.js'
import type { Logger } from '@libp2p/interface'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'

export interface SiteProxyInit {
  /** Loopback host and port to listen on */
  host: string
  port: number
  /** What resolves TorPlus names (and the extension's aliases) */
  names: Pick<NameResolver, 'resolve' | 'hasAlias'>
  /** Opens a tunnel to the site a name stands for, at the onion that publishes it */
  openSite(onion: string, name: string, options: { signal: AbortSignal }): Promise<Duplex>
  /** Reaches any other host (tor's SocksPort); absent: other hosts are refused */
  connect?(host: string, port: number, options: { signal: AbortSignal }): Promise<Duplex>
  /** Milliseconds to reach a target, lookup included */
  timeout: number
  log: Logger
}

/** Connections the proxy holds at once */
const MAX_CONNECTIONS = 1024

/** Request headers a proxy must not pass on (RFC 9110 §7.6.1), besides those Connection names */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

export class SiteProxy {
  private readonly init: SiteProxyInit
  private readonly server: net.Server
  private readonly http: http.Server
  private readonly sockets = new Set<Socket>()

  constructor (init: SiteProxyInit) {
    this.init = init
    this.http = http.createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 60_000, headersTimeout: 20_000 }, (request, response) => { void this.forward(request, response) })
    this.http.on('connect', (request: http.IncomingMessage, socket: Socket, head: Buffer) => { void this.tunnel(request, socket, head) })
    this.http.on('clientError', (err, socket) => {
      if (socket.writable) {
        socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nnot an HTTP proxy request (${err.message}): point a browser's HTTP or SOCKS5 proxy here\n`)
      }
    })
    this.server = net.createServer(socket => { this.accept(socket) })
    this.server.maxConnections = MAX_CONNECTIONS
  }

  async start (): Promise<{ host: string, port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.init.port, this.init.host, () => { resolve() })
    })

    const address = this.server.address() as AddressInfo
    return { host: address.address, port: address.port }
  }

  async stop (): Promise<void> {
    this.sockets.forEach(socket => { socket.destroy() })
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
  }

  /** SOCKS5 starts with its version byte; anything else is taken as HTTP */
  private accept (socket: Socket): void {
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
    socket.on('error', () => {})
    socket.setTimeout(20_000, () => { socket.destroy() })
    socket.once('readable', () => {
      const first: Buffer | null = socket.read(1)

      if (first == null) {
        return
      }

      socket.unshift(first)

      if (first[0] === 0x05) {
        void this.socks(socket)
      } else {
        this.http.emit('connection', socket)
      }
    })
  }

  private async socks (socket: Socket): Promise<void> {
    const request = await socks5Handshake(socket).catch(() => undefined)

    if (request == null) {
      socket.destroy()
      return
    }

    let target: Duplex

    try {
      target = await this.reach(request.host, request.port)
    } catch (err: any) {
      this.init.log('SOCKS5 %s:%d refused - %s', request.host, request.port, err.message)
      socket.end(socks5Reply(socksReplyOf(err)))
      return
    }

    socket.write(socks5Reply(SOCKS_REPLY.succeeded))
    await this.join(socket, target)
  }

  private async tunnel (request: http.IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const target = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(request.url ?? '')

    if (target == null) {
      socket.end(answer(400, 'CONNECT wants host:port'))
      return
    }

    let tunnel: Duplex

    try {
      tunnel = await this.reach(target[1].replace(/^\[(.*)\]$/, '$1'), Number(target[2]))
    } catch (err: any) {
      this.init.log('CONNECT %s refused - %s', request.url, err.message)
      socket.end(answer(statusOf(err), err.message, errorCode(err)))
      return
    }

    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    tunnel.write(head)
    await this.join(socket, tunnel)
  }

  /** A request in absolute form (`GET http://host/path`): sent on through a connection of its own */
  private async forward (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    // a site may take its time: the server's own timeouts bound the request and an idle connection
    request.socket.setTimeout(0)
    let url: URL

    try {
      url = new URL(request.url ?? '')
    } catch {
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end('this is a proxy: set it as your browser\'s HTTP or SOCKS5 proxy (requests here name a whole URL)\n')
      return
    }

    if (url.protocol !== 'http:') {
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end(`a ${url.protocol} URL goes through CONNECT\n`)
      return
    }

    let connection: Duplex

    try {
      connection = await this.reach(url.hostname.replace(/^\[(.*)\]$/, '$1'), url.port === '' ? 80 : Number(url.port))
    } catch (err: any) {
      response.writeHead(statusOf(err), { 'Content-Type': 'text/plain', [ERROR_HEADER]: errorCode(err) }).end(`${err.message}\n`)
      return
    }

    const headers = passedOn(request)
    const outgoing = http.request({
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, host: url.host, connection: 'close' },
      createConnection: () => connection as Socket
    }, (incoming) => {
      response.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, passedOn(incoming))
      pipeline(incoming, response).catch(() => { connection.destroy() })
    })
    outgoing.once('error', (err) => {
      if (!response.headersSent) {
        response.writeHead(502, { 'Content-Type': 'text/plain', [ERROR_HEADER]: 'ERR_SITE_UNREACHABLE' }).end(`the site broke off: ${err.message}\n`)
      } else {
        response.destroy()
      }
    })
    pipeline(request, outgoing).catch(() => { connection.destroy() })
  }

  /** A tunnel to the site a TorPlus name stands for, or to any other host through tor */
  private async reach (host: string, port: number): Promise<Duplex> {
    const signal = AbortSignal.timeout(this.init.timeout)
    const { names } = this.init

    if (routeName(host).kind !== 'direct' || names.hasAlias(host)) {
      const resolution = await names.resolve(host, { signal })
      return this.init.openSite(resolution.onion, resolution.name, { signal })
    }

    if (this.init.connect == null) {
      throw new ProxyRefusedError(`${host.slice(0, 253)} is not a TorPlus name, and Proxy.Mode is "refuse" (or the node has no tor): only TorPlus sites are reached`)
    }

    return this.init.connect(host, port, { signal })
  }

  private async join (socket: Socket, target: Duplex): Promise<void> {
    socket.setTimeout(0)
    await join(socket, target).catch(() => {
      socket.destroy()
      target.destroy()
    })
  }
}

/** Headers of a request or response, without those for this hop only, nor our error header */
function passedOn (message: http.IncomingMessage): Record<string, string | string[]> {
  const named = new Set(String(message.headers.connection ?? '').toLowerCase().split(',').map(name => name.trim()))
  const headers: Record<string, string | string[]> = {}

  for (const [name, value] of Object.entries(message.headers)) {
    // the error header is ours: a site cannot pass its own off as the node's
    if (value != null && !HOP_HEADERS.has(name) && !named.has(name) && name !== ERROR_HEADER) {
      headers[name] = value
    }
  }

  return headers
}

function statusOf (err: any): number {
  switch (err.code) {
    case 'ERR_NAME_NOT_FOUND':
    case 'ERR_SITE_REFUSED':
      return 404
    case 'ERR_PROXY_REFUSED':
      return 403
    case 'ERR_NAME_LOOKUP_TIMEOUT':
      return 504
    default:
      return 502
  }
}

/** The code of a failure to reach a host, for ERROR_HEADER: the browser extension explains it */
function errorCode (err: any): string {
  return typeof err.code === 'string' && /^ERR_[A-Z0-9_]{1,60}$/.test(err.code) ? err.code : 'ERR_SITE_UNREACHABLE'
}

function answer (status: number, message: string, code?: string): string {
  const body = `${message.replace(/[\r\n]/g, ' ')}\n`
  const header = code == null ? '' : `${ERROR_HEADER}: ${code}\r\n`
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: text/plain\r\n${header}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
}
