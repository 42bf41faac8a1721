/**
 * The proxy a browser points at, on loopback, in front of real nodes: a
 * TorPlus name (a TXT record served by dnsmasq) reached through HTTP
 * CONNECT, an absolute-form request and SOCKS5, its bytes from the
 * publishing node over a site tunnel; names without an onion, hosts that
 * are not names (refused, or handed to tor), and hostile input, after
 * which it still serves
 */
import fs from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { duplexPair } from 'node:stream'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import { nameResolver } from '../../src/names/index.js'
import { SiteProxy } from '../../src/publish/index.js'
import { startDnsmasq } from '../utils/dnsmasq.js'
import { startNode } from '../utils/payments.js'
import { createRepo, tempDir } from '../utils/repo.js'
import type { SiteProxyInit } from '../../src/publish/index.js'
import type { DnsServer } from '../utils/dnsmasq.js'
import type { RunningNode } from '../utils/payments.js'

/** Everything `socket` sends until it closes, or `ms` pass */
async function readAll (socket: net.Socket, ms = 10_000): Promise<string> {
  return new Promise(resolve => {
    let text = ''
    const timer = setTimeout(() => { socket.destroy(); resolve(text) }, ms)
    socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1') })
    socket.on('error', () => {})
    socket.once('close', () => { clearTimeout(timer); resolve(text) })
  })
}

async function connectTo (port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port })
  await new Promise(resolve => socket.once('connect', resolve))
  return socket
}

/** A SOCKS5 CONNECT to a host name; resolves with the reply code and the socket */
async function socksConnect (port: number, host: string, targetPort: number): Promise<{ reply: number, socket: net.Socket }> {
  const socket = await connectTo(port)
  const read = async (bytes: number): Promise<Buffer> => new Promise((resolve, reject) => {
    const tryRead = (): void => {
      const data: Buffer | null = socket.read(bytes)

      if (data != null) {
        socket.off('readable', tryRead)
        resolve(data)
      }
    }
    socket.on('readable', tryRead)
    socket.once('close', () => { reject(new Error('closed')) })
    tryRead()
  })
  socket.write(Uint8Array.of(5, 1, 0))
  expect([...await read(2)]).to.deep.equal([5, 0])
  const name = Buffer.from(host)
  socket.write(Buffer.concat([Uint8Array.of(5, 1, 0, 3, name.byteLength), name, Uint8Array.of(targetPort >> 8, targetPort & 0xff)]))
  const reply = await read(10)
  return { reply: reply[1], socket }
}

describe('site proxy', function () {
  this.timeout(120_000)
  let dns: DnsServer
  let publisher: RunningNode
  let client: RunningNode
  let onion: string
  const proxies: SiteProxy[] = []
  const toTor: Array<[string, number]> = []
  let spoofing: http.Server

  async function startProxy (init: Partial<SiteProxyInit> = {}): Promise<number> {
    const proxy = new SiteProxy({
      host: '127.0.0.1',
      port: 0,
      names: nameResolver({ dns: [dns.url], ethRpc: null, timeout: 5000 })({ logger: defaultLogger() }),
      openSite: async (to, name, options) => {
        if (to !== `${onion}.onion`) {
          throw new Error(`no node at ${to}`)
        }

        return client.node.services.sites.open(publisher.node.helia.libp2p.getMultiaddrs()[0], name, options)
      },
      timeout: 10_000,
      log: defaultLogger().forComponent('test:proxy'),
      ...init
    })
    proxies.push(proxy)
    return (await proxy.start()).port
  }

  before(async () => {
    publisher = await startNode(await createRepo({ Routing: { Type: 'none' } }))
    client = await startNode(await createRepo({ Routing: { Type: 'none' } }))
    onion = publisher.repo.onionKey.serviceId
    dns = await startDnsmasq('site.test', [
      { name: 'torplus.files.site.test', strings: [`torplus=${onion}.onion`] },
      { name: 'torplus.elsewhere.site.test', strings: ['torplus=not-an-onion'] },
      { name: 'torplus.spoof.site.test', strings: [`torplus=${onion}.onion`] }
    ])
    const dir = await tempDir('torplus-site-')
    await fs.writeFile(path.join(dir, 'index.html'), '<h1>hello</h1>')
    await publisher.node.services.sites.publish({ dir, name: 'torplus.files.site.test' })
    // a site that sends the node's error header as its own
    spoofing = http.createServer((_, response) => { response.writeHead(404, { 'x-torplus-error': 'ERR_NAME_NOT_FOUND' }).end('mine') })
    await new Promise<void>(resolve => spoofing.listen(0, '127.0.0.1', resolve))
    await publisher.node.services.sites.publish({ target: `http://127.0.0.1:${(spoofing.address() as net.AddressInfo).port}`, name: 'torplus.spoof.site.test' })
  })

  after(async () => {
    await Promise.all(proxies.map(async proxy => proxy.stop()))
    await client?.stop()
    await publisher?.stop()
    await dns?.stop()
    spoofing?.close()
  })

  it('reaches a TorPlus site through HTTP CONNECT', async () => {
    const port = await startProxy()
    const socket = await connectTo(port)
    socket.write('CONNECT torplus.files.site.test:80 HTTP/1.1\r\nHost: torplus.files.site.test:80\r\n\r\nGET / HTTP/1.1\r\nHost: torplus.files.site.test\r\nConnection: close\r\n\r\n')
    const answer = await readAll(socket)

    expect(answer).to.match(/^HTTP\/1.1 200 Connection Established\r\n\r\nHTTP\/1.1 200 OK/)
    expect(answer).to.include('<h1>hello</h1>')
  })

  it('reaches a TorPlus site through a request in absolute form, as a browser sends plain HTTP', async () => {
    const port = await startProxy()
    const answer = await new Promise<{ status: number, body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: 'http://torplus.files.site.test/' }, (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => { body += chunk.toString() })
        response.on('end', () => { resolve({ status: response.statusCode ?? 0, body }) })
      }).once('error', reject)
    })

    expect(answer).to.deep.equal({ status: 200, body: '<h1>hello</h1>' })
  })

  it('reaches a TorPlus site through SOCKS5, the name resolved by the node', async () => {
    const port = await startProxy()
    const { reply, socket } = await socksConnect(port, 'torplus.files.site.test', 80)
    expect(reply).to.equal(0)
    socket.write('GET / HTTP/1.1\r\nHost: torplus.files.site.test\r\nConnection: close\r\n\r\n')
    expect(await readAll(socket)).to.include('<h1>hello</h1>')
  })

  it('passes on no error header of a site\'s: the browser extension takes it for the node\'s', async () => {
    const port = await startProxy()
    const plain = await connectTo(port)
    plain.write('GET http://torplus.spoof.site.test/ HTTP/1.1\r\nHost: torplus.spoof.site.test\r\nConnection: close\r\n\r\n')
    const answer = await readAll(plain)
    expect(answer).to.match(/^HTTP\/1.1 404 /)
    expect(answer).to.include('mine')
    expect(answer.toLowerCase()).to.not.include('x-torplus-error')
  })

  it('says why a name leads nowhere: no such name, a malformed record', async () => {
    const port = await startProxy()

    for (const name of ['torplus.nowhere.site.test', 'torplus.elsewhere.site.test']) {
      const socket = await connectTo(port)
      socket.write(`CONNECT ${name}:443 HTTP/1.1\r\n\r\n`)
      expect(await readAll(socket)).to.match(/^HTTP\/1.1 404 Not Found\r\nContent-Type: text\/plain\r\nx-torplus-error: ERR_NAME_NOT_FOUND\r\n/)
      expect((await socksConnect(port, name, 443)).reply).to.equal(0x04)

      // and a plain request, with the code the extension explains
      const plain = await connectTo(port)
      plain.write(`GET http://${name}/ HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`)
      expect(await readAll(plain)).to.match(/^HTTP\/1.1 404 [^]*\r\nx-torplus-error: ERR_NAME_NOT_FOUND\r\n/i)
    }
  })

  it('refuses other hosts with Proxy.Mode "refuse", and hands them to tor with "tor"', async () => {
    const refusing = await startProxy()
    const socket = await connectTo(refusing)
    socket.write('CONNECT example.com:443 HTTP/1.1\r\n\r\n')
    expect(await readAll(socket)).to.match(/^HTTP\/1.1 403 .*\r\n[\s\S]*Proxy.Mode is "refuse"/)
    expect((await socksConnect(refusing, 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion', 80)).reply).to.equal(0x02)

    // a stand-in for tor's SocksPort: an echo server
    const torPort = await startProxy({
      connect: async (host, port) => {
        toTor.push([host, port])
        const [a, b] = duplexPair()
        a.on('data', (chunk: Buffer) => { a.write(chunk) })
        return b
      }
    })
    const { reply, socket: echo } = await socksConnect(torPort, 'example.com', 443)
    expect(reply).to.equal(0)
    echo.write('ping')
    const echoed = await new Promise<string>(resolve => echo.once('data', (chunk: Buffer) => { resolve(chunk.toString()) }))
    echo.destroy()
    expect(echoed).to.equal('ping')
    expect(toTor).to.deep.equal([['example.com', 443]])
  })

  it('answers hostile input and serves on', async () => {
    const port = await startProxy()
    const hostile = [
      Buffer.from('\x00\x01\x02garbage\r\n\r\n'),
      Buffer.from(`GET http://torplus.files.site.test/ HTTP/1.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`),
      Buffer.from('CONNECT nothing HTTP/1.1\r\n\r\n'),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Uint8Array.of(5, 0),
      Uint8Array.of(5, 1, 2),
      Uint8Array.of(5, 1, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 80),
      Uint8Array.of(5, 1, 0, 5, 1, 0, 9)
    ]

    for (const bytes of hostile) {
      const socket = await connectTo(port)
      socket.write(bytes)
      const answer = await readAll(socket, 12_000)

      if (bytes[0] !== 5) {
        expect(answer).to.match(/^HTTP\/1.1 4\d\d /)
      }
    }

    const socket = await connectTo(port)
    socket.write('CONNECT torplus.files.site.test:80 HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(await readAll(socket)).to.include('<h1>hello</h1>')
  })
})
