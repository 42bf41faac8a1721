/**
 * Serve a hono app on the TCP multiaddr of a config key, to requests that
 * name it by address (see host-guard.ts)
 */
import { createAdaptorServer } from '@hono/node-server'
import { multiaddr } from '@multiformats/multiaddr'
import { isLoopback } from '../transport/index.js'
import { NonLoopbackAddressError, PortInUseError, UnsupportedHttpAddressError } from './errors.js'
import { refusedHost } from './host-guard.js'
import type { Logger } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Hono } from 'hono'
import type { AddressInfo } from 'node:net'

export interface HttpServer {
  /** The bound multiaddr, with the real port */
  multiaddr: string
  /** http://host:port */
  url: string
  close(): Promise<void>
}

export interface ServeOptions {
  /** For messages, e.g. "RPC API" */
  what: string
  /** The config key the address came from */
  key: string
  allowNonLoopback: boolean
  log: Logger
}

/**
 * Where a server of the config key listens: a TCP multiaddr, on loopback
 * unless the config allows otherwise (then logged as an error)
 */
export function listenAddress (address: string, options: ServeOptions): { host: string, port: number, family: 4 | 6 } {
  const ma = multiaddr(address)
  const target = toHostPort(ma)

  if (target == null) {
    throw new UnsupportedHttpAddressError(options.what, address, options.key)
  }

  if (!isLoopback(ma)) {
    if (!options.allowNonLoopback) {
      throw new NonLoopbackAddressError(options.what, address, options.key)
    }

    options.log.error('the %s listens on non-loopback address %s: anyone who reaches it controls this node', options.what, address)
  }

  return target
}

export async function serve (app: Hono<any>, address: string, options: ServeOptions): Promise<HttpServer> {
  const { host, port, family } = listenAddress(address, options)

  const server = createAdaptorServer({
    fetch: async (request, env) => {
      const refused = refusedHost(request)

      if (refused != null) {
        return new Response(`${refused}\n`, { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
      }

      return app.fetch(request, env)
    },
    hostname: host
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(options.what, address, options.key) : err)
    })
    server.listen(port, host, () => { resolve() })
  })

  const bound = (server.address() as AddressInfo).port
  const hostForUrl = family === 6 ? `[${host}]` : host

  return {
    multiaddr: `/${family === 6 ? 'ip6' : 'ip4'}/${host}/tcp/${bound}`,
    url: `http://${hostForUrl}:${bound}`,
    async close () {
      await new Promise<void>((resolve) => {
        server.close(() => { resolve() })
        // idle keep-alive sockets would hold close() open
        if ('closeAllConnections' in server) {
          server.closeAllConnections()
        }
      })
    }
  }
}

function toHostPort (ma: Multiaddr): { host: string, port: number, family: 4 | 6 } | undefined {
  const [ip, tcp] = ma.getComponents()

  if (ip == null || tcp == null || (ip.name !== 'ip4' && ip.name !== 'ip6') || tcp.name !== 'tcp') {
    return undefined
  }

  return { host: ip.value ?? '', port: Number(tcp.value), family: ip.name === 'ip6' ? 6 : 4 }
}
