/**
 * A DNS-over-HTTP endpoint on loopback that passes each POSTed query to a
 * DNS server (src/devnet/dnsmasq.ts) unchanged
 */
import dgram from 'node:dgram'
import http from 'node:http'
import type { DnsServer } from '../../src/devnet/dnsmasq.js'
import type { AddressInfo } from 'node:net'

export { startDnsmasq } from '../../src/devnet/dnsmasq.js'
export type { DnsServer } from '../../src/devnet/dnsmasq.js'

export interface DohServer {
  /** `http://127.0.0.1:<port>/dns-query` */
  url: string
  /** Queries it passed on */
  queries: number
  stop(): Promise<void>
}

/**
 * RFC 8484 over plain HTTP on loopback, in front of `dns`; `hang` makes it
 * read each query and never answer
 */
export async function startDoh (dns: DnsServer | undefined, options: { hang?: boolean } = {}): Promise<DohServer> {
  const state = { queries: 0 }
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      state.queries++

      if (options.hang === true || dns == null) {
        return
      }

      const socket = dgram.createSocket('udp4')
      socket.once('message', (reply) => {
        socket.close()
        response.writeHead(200, { 'content-type': 'application/dns-message' }).end(reply)
      })
      socket.send(Buffer.concat(chunks), dns.port, '127.0.0.1')
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dns-query`,
    get queries () { return state.queries },
    async stop () {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}
