/**
 * Free loopback ports for the processes of a local network
 */
import net from 'node:net'
import { TorNetworkError } from './errors.js'

/**
 * The HTTP addresses of a node started by a test, a benchmark or a devnet:
 * ports the kernel picks, so two nodes (or a user's own daemon) never
 * contend for the defaults
 */
export const EPHEMERAL_HTTP_ADDRESSES = {
  API: '/ip4/127.0.0.1/tcp/0',
  Gateway: '/ip4/127.0.0.1/tcp/0',
  PaymentGateway: '/ip4/127.0.0.1/tcp/0',
  Proxy: '/ip4/127.0.0.1/tcp/0'
} as const

async function ephemeralPort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}

/**
 * Hands out free loopback ports, never the same one twice: the kernel may
 * offer a port again once its probe socket is closed, and the tors of a
 * network bind theirs only seconds later
 */
export class PortAllocator {
  private readonly given = new Set<number>()

  async next (): Promise<number> {
    // bounded: the kernel has thousands of ephemeral ports to offer
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = await ephemeralPort()

      if (!this.given.has(port)) {
        this.given.add(port)
        return port
      }
    }

    throw new TorNetworkError('no free loopback port found in 100 attempts: too many ports in use on 127.0.0.1', [])
  }
}
