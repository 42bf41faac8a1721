/**
 * A DNS server on loopback for TXT records (dnsmasq, Debian's
 * dnsmasq-base), no upstream: a name it holds answers its records, an
 * unknown name under its domain NXDOMAIN. Also a DNS-over-HTTP endpoint on
 * loopback that passes each POSTed query to it unchanged.
 */
import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import http from 'node:http'
import * as dnsPacket from 'dns-packet'
import pWaitFor from 'p-wait-for'
import { PortAllocator } from '../../src/devnet/ports.js'
import type { AddressInfo } from 'node:net'

export interface DnsServer {
  /** `dns://127.0.0.1:<port>` */
  url: string
  port: number
  stop(): Promise<void>
}

/**
 * dnsmasq serving `records` (each the character strings of one TXT record:
 * a name may have several) for names under `domain`. dnsmasq splits the
 * strings of a record at commas, quoted or not: none may hold one
 */
export async function startDnsmasq (domain: string, records: Array<{ name: string, strings: string[] }>): Promise<DnsServer> {
  const port = await new PortAllocator().next()
  const child = spawn('dnsmasq', [
    '-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--user=root',
    '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`, `--local=/${domain}/`,
    ...records.map(record => `--txt-record=${[record.name, ...record.strings].join(',')}`)
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))

  await pWaitFor(async () => {
    if (child.exitCode != null) {
      throw new Error(`dnsmasq exited: ${stderr}`)
    }

    return answers(port)
  }, { interval: 50, timeout: 10_000 })

  return {
    url: `dns://127.0.0.1:${port}`,
    port,
    async stop () {
      child.kill('SIGTERM')
      await exited
    }
  }
}

async function answers (port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4')

  try {
    return await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => { resolve(false) }, 200)
      socket.once('message', () => { clearTimeout(timer); resolve(true) })
      socket.once('error', () => { clearTimeout(timer); resolve(false) })
      socket.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'TXT', name: 'probe.invalid' }] }), port, '127.0.0.1')
    })
  } finally {
    socket.close()
  }
}

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
