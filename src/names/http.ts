/**
 * One HTTP POST, for DNS over HTTPS and Ethereum JSON-RPC: through a
 * connector the node gives (tor's SocksPort in onion mode), with TLS on top
 * for https, a timeout, and a cap on what the server may send back.
 */
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'
import { TimeoutError } from '@libp2p/interface'
import { anySignal } from 'any-signal'
import { NameServerError } from './errors.js'
import type { AbortOptions } from '@libp2p/interface'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/** Opens a TCP connection to host:port (through tor, say); the host goes unresolved to whoever connects */
export interface Connector {
  (host: string, port: number, options: AbortOptions): Promise<Socket>
}

export interface PostOptions extends AbortOptions {
  contentType: string
  accept: string
  /** Milliseconds for the whole exchange */
  timeout: number
  /** Bytes of answer read at most */
  maxBytes: number
  /** How to reach the server; Node's own sockets without one */
  connect?: Connector
}

export interface PostAnswer {
  status: number
  contentType?: string
  body: Uint8Array
}

export async function post (url: URL, body: Uint8Array, options: PostOptions): Promise<PostAnswer> {
  const timeout = AbortSignal.timeout(options.timeout)
  const signal = anySignal([options.signal, timeout])
  const secure = url.protocol === 'https:'
  const defaultPort = secure ? 443 : 80
  const port = url.port === '' ? defaultPort : Number(url.port)
  // brackets of an IPv6 literal are URL syntax, not part of the host
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const { connect } = options

  try {
    return await new Promise<PostAnswer>((resolve, reject) => {
      const request = (secure ? https : http).request({
        method: 'POST',
        host,
        port,
        path: `${url.pathname}${url.search}`,
        headers: { 'content-type': options.contentType, accept: options.accept, 'content-length': body.byteLength },
        signal,
        ...(connect == null
          ? {}
          : {
              createConnection: (_: unknown, done: (err: Error | null, socket: Duplex) => void): undefined => {
                connect(host, port, { signal })
                  .then(socket => { done(null, secure ? tls.connect({ socket, servername: host, ALPNProtocols: ['http/1.1'] }) : socket) })
                  .catch(err => { done(err, undefined as unknown as Duplex) })
              }
            })
      }, (response) => {
        const chunks: Uint8Array[] = []
        let length = 0

        response.on('data', (chunk: Uint8Array) => {
          length += chunk.byteLength

          if (length > options.maxBytes) {
            response.destroy(new NameServerError(url, `answered more than ${options.maxBytes} bytes`))
            return
          }

          chunks.push(chunk)
        })
        response.once('error', reject)
        response.once('end', () => {
          resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body: Buffer.concat(chunks) })
        })
      })

      request.once('error', reject)
      request.end(body)
    })
  } catch (err: any) {
    if (timeout.aborted) {
      throw new TimeoutError(`${url.origin} did not answer within ${options.timeout} ms`)
    }

    throw err
  } finally {
    signal.clear()
  }
}
