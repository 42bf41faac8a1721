/**
 * The name resolver against real servers on loopback: dnsmasq for TXT
 * records (plain DNS, and DNS over HTTP in front of it), a local Ethereum
 * chain with ENS for .eth names; the cache, one lookup in flight per name,
 * timeouts, hostile servers, and that a server off this machine is reached
 * only through the connector (tor's SocksPort in onion mode)
 */
import dgram from 'node:dgram'
import http from 'node:http'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import * as dnsPacket from 'dns-packet'
import { startEnsChain } from '../../src/devnet/ens-chain.js'
import { NameLookupTimeoutError, NameLookupUnavailableError, nameResolver, NameNotFoundError, NameServerError, NotATorPlusNameError } from '../../src/names/index.js'
import { createOnionKey } from '../../src/transport/index.js'
import { startDnsmasq, startDoh } from '../utils/dnsmasq.js'
import type { EnsChain } from '../../src/devnet/ens-chain.js'
import type { NameResolver, NameResolverInit } from '../../src/names/index.js'
import type { DnsServer, DohServer } from '../utils/dnsmasq.js'
import type { AddressInfo } from 'node:net'

const DOMAIN = 'torplus.test'

function resolver (init: NameResolverInit): NameResolver {
  return nameResolver({ ethRpc: null, ...init })({ logger: defaultLogger() })
}

describe('name resolver', function () {
  this.timeout(60_000)
  const site = createOnionKey().serviceId
  const other = createOnionKey().serviceId
  let dns: DnsServer
  let doh: DohServer

  before(async () => {
    dns = await startDnsmasq(DOMAIN, [
      { name: `torplus.video.${DOMAIN}`, strings: ['v=spf1 -all'] },
      { name: `torplus.video.${DOMAIN}`, strings: [`torplus=${site}.onion`] },
      { name: `torplus.split.${DOMAIN}`, strings: ['torplus=', `${site}.onion`] },
      { name: `torplus.several.${DOMAIN}`, strings: ['torplus=garbage'] },
      { name: `torplus.several.${DOMAIN}`, strings: [`torplus=${other}.onion`] },
      { name: `torplus.none.${DOMAIN}`, strings: ['hello=world'] },
      { name: `torplus.malformed.${DOMAIN}`, strings: ['torplus=not an onion'] },
      { name: `torplus.long.${DOMAIN}`, strings: [`torplus=${site}.onion${' '.repeat(400)}`] }
    ])
    doh = await startDoh(dns)
  })

  after(async () => {
    await doh?.stop()
    await dns?.stop()
  })

  describe('TXT records', () => {
    const vias = ['plain DNS', 'DNS over HTTP'] as const
    vias.forEach(via => {
      it(`finds the onion of torplus.<domain> among its records, through ${via}`, async () => {
        const names = resolver({ dns: [via === 'plain DNS' ? dns.url : doh.url] })

        expect(await names.resolve(`torplus.video.${DOMAIN}`)).to.deep.equal({ name: `torplus.video.${DOMAIN}`, via: 'dns', onion: `${site}.onion` })
        expect((await names.resolve(`http://torplus.split.${DOMAIN}/page`)).onion).to.equal(`${site}.onion`)
      })
    })

    it('takes the valid record when another of ours is malformed', async () => {
      const names = resolver({ dns: [dns.url] })
      expect((await names.resolve(`torplus.several.${DOMAIN}`)).onion).to.equal(`${other}.onion`)
    })

    it('says which name has no onion: no torplus= record, a malformed one, one too long, NXDOMAIN', async () => {
      const names = resolver({ dns: [dns.url] })

      await expect(names.resolve(`torplus.none.${DOMAIN}`)).to.eventually.be.rejectedWith(NameNotFoundError, /none of its TXT records is torplus=/)
      await expect(names.resolve(`torplus.malformed.${DOMAIN}`)).to.eventually.be.rejectedWith(NameNotFoundError, /malformed.*not an onion address/)
      await expect(names.resolve(`torplus.long.${DOMAIN}`)).to.eventually.be.rejectedWith(NameNotFoundError, /characters/)
      await expect(names.resolve(`torplus.nowhere.${DOMAIN}`)).to.eventually.be.rejectedWith(NameNotFoundError, /NXDOMAIN/)
    })

    it('refuses what is not a TorPlus name without asking anyone', async () => {
      const names = resolver({ dns: [doh.url] })
      const before = doh.queries

      for (const target of ['example.com', 'www.torplus.com', 'http://sites.torplus.com/', `${site}.onion`, 'x'.repeat(10_000)]) {
        await expect(names.resolve(target)).to.eventually.be.rejectedWith(NotATorPlusNameError)
      }

      expect(doh.queries).to.equal(before)
    })

    it('keeps answers: the name is asked once, and a name without an onion is remembered too', async () => {
      const names = resolver({ dns: [doh.url] })
      const before = doh.queries

      await Promise.all(Array.from({ length: 20 }, async () => names.resolve(`torplus.video.${DOMAIN}`)))
      await names.resolve(`torplus.video.${DOMAIN}`)
      await expect(names.resolve(`torplus.nowhere.${DOMAIN}`)).to.eventually.be.rejectedWith(NameNotFoundError)
      await expect(names.resolve(`torplus.nowhere.${DOMAIN}`)).to.eventually.be.rejectedWith(NameNotFoundError)

      expect(doh.queries - before).to.equal(2)
    })

    it('times out a server that never answers, and a caller leaves a shared lookup without ending it for others', async () => {
      const silent = await startDoh(undefined, { hang: true })

      try {
        const names = resolver({ dns: [silent.url], timeout: 500 })
        const leaving = new AbortController()
        const first = names.resolve(`torplus.video.${DOMAIN}`, { signal: leaving.signal })
        const second = names.resolve(`torplus.video.${DOMAIN}`)
        leaving.abort()

        await expect(first).to.eventually.be.rejected().with.property('name', 'AbortError')
        await expect(second).to.eventually.be.rejectedWith(NameLookupTimeoutError)
        expect(silent.queries).to.equal(1)
      } finally {
        await silent.stop()
      }
    })

    it('asks the next server when one fails, and a server that fails is not remembered as an answer', async () => {
      const broken = await startHttp((_, response) => { response.writeHead(500).end() })

      try {
        const names = resolver({ dns: [broken.url, dns.url] })
        expect((await names.resolve(`torplus.video.${DOMAIN}`)).onion).to.equal(`${site}.onion`)

        const alone = resolver({ dns: [broken.url] })
        await expect(alone.resolve(`torplus.video.${DOMAIN}`)).to.eventually.be.rejectedWith(NameServerError, /HTTP 500/)
        expect(broken.requests).to.equal(2)
        await expect(alone.resolve(`torplus.video.${DOMAIN}`)).to.eventually.be.rejectedWith(NameServerError)
        expect(broken.requests).to.equal(3)
      } finally {
        await broken.stop()
      }
    })

    it('survives hostile servers: garbage, an endless answer, a reply for another question', async () => {
      const garbage = await startHttp((_, response) => { response.writeHead(200, { 'content-type': 'application/dns-message' }).end(Buffer.from('not a dns message at all')) })
      const endless = await startHttp(answerWithoutEnd)
      // a TXT answer for another name than the one asked
      const elsewhere = await startHttp(answerForAnotherName(`torplus=${other}.onion`))

      try {
        await expect(resolver({ dns: [garbage.url] }).resolve(`torplus.video.${DOMAIN}`)).to.eventually.be.rejectedWith(NameServerError, /not a DNS message/)
        await expect(resolver({ dns: [endless.url] }).resolve(`torplus.video.${DOMAIN}`)).to.eventually.be.rejectedWith(NameServerError, /more than/)
        await expect(resolver({ dns: [elsewhere.url] }).resolve(`torplus.video.${DOMAIN}`)).to.eventually.be.rejectedWith(NameNotFoundError, /no TXT records/)
      } finally {
        await Promise.all([garbage.stop(), endless.stop(), elsewhere.stop()])
      }
    })

    it('drops UDP replies that do not answer its query', async () => {
      const spoofer = dgram.createSocket('udp4')
      await new Promise<void>(resolve => spoofer.bind(0, '127.0.0.1', resolve))
      const port = (spoofer.address()).port
      spoofer.on('message', (message, from) => {
        const query = dnsPacket.decode(message)
        // a wrong id, then the right id for another question: both dropped
        spoofer.send(dnsPacket.encode({ type: 'response', id: (query.id ?? 0) ^ 1, questions: query.questions, answers: [{ type: 'TXT', name: query.questions?.[0].name ?? '', data: [`torplus=${other}.onion`] }] }), from.port, from.address)
        spoofer.send(dnsPacket.encode({ type: 'response', id: query.id, questions: [{ type: 'TXT', name: 'evil.example' }], answers: [{ type: 'TXT', name: 'evil.example', data: [`torplus=${other}.onion`] }] }), from.port, from.address)
      })

      try {
        await expect(resolver({ dns: [`dns://127.0.0.1:${port}`], timeout: 500 }).resolve(`torplus.video.${DOMAIN}`)).to.eventually.be.rejectedWith(NameLookupTimeoutError)
      } finally {
        spoofer.close()
      }
    })

    it('refuses a name server it would ask in the clear, off this machine', () => {
      expect(() => resolver({ dns: ['dns://192.0.2.1:53'] })).to.throw(NameServerError, /DNS over HTTPS/)
      expect(() => resolver({ dns: ['http://dns.example/dns-query'] })).to.throw(NameServerError, /in the clear/)
      expect(() => resolver({ dns: ['dns://localhost:53'] })).to.throw(NameServerError)
      expect(() => resolver({ dns: ['ftp://dns.example/'] })).to.throw(NameServerError, /not a URL/)
    })

    it('reaches a server off this machine only through the connector, the name unresolved', async () => {
      const asked: Array<[string, number]> = []
      const names = resolver({
        dns: ['https://dns.example/dns-query'],
        timeout: 2000,
        connect: async (host, port) => {
          asked.push([host, port])
          throw new Error('tor is not running in this test')
        }
      })

      await expect(names.resolve(`torplus.video.${DOMAIN}`)).to.eventually.be.rejectedWith(/tor is not running/)
      expect(asked).to.deep.equal([['dns.example', 443]])
    })

    it('resolves nothing offline', async () => {
      await expect(resolver({ dns: [dns.url], offline: true }).resolve(`torplus.video.${DOMAIN}`)).to.eventually.be.rejectedWith(NameLookupUnavailableError, /offline/)
    })
  })

  describe('ENS', () => {
    let chain: EnsChain

    before(async () => {
      chain = await startEnsChain()
      await chain.setName('video.torplus.eth', { text: `${site}.onion` })
      await chain.setName('hash.torplus.eth', { onion3: other })
      await chain.setName('both.torplus.eth', { text: site, onion3: other })
      await chain.setName('empty.torplus.eth', {})
      await chain.setName('bad.torplus.eth', { text: 'http://example.com' })
      await chain.setOwnerOnly('owned.torplus.eth')
    })

    after(async () => {
      await chain?.stop()
    })

    function ens (init: NameResolverInit = {}): NameResolver {
      return resolver({ dns: [], ethRpc: chain.rpc, ensRegistry: chain.registry, ...init })
    }

    it('reads the torplus text record, for name.eth and for sites.torplus.com/#keyword', async () => {
      expect(await ens().resolve('video.torplus.eth')).to.deep.equal({ name: 'video.torplus.eth', via: 'ens', onion: `${site}.onion` })
      expect((await ens().resolve('http://sites.torplus.com/#video')).onion).to.equal(`${site}.onion`)
    })

    it('reads an onion3 contenthash when there is no text record, and prefers the text record', async () => {
      expect((await ens().resolve('hash.torplus.eth')).onion).to.equal(`${other}.onion`)
      expect((await ens().resolve('both.torplus.eth')).onion).to.equal(`${site}.onion`)
    })

    it('says which name has no onion: no resolver, no record, a record that is not an onion', async () => {
      await expect(ens().resolve('missing.torplus.eth')).to.eventually.be.rejectedWith(NameNotFoundError, /no resolver/)
      await expect(ens().resolve('owned.torplus.eth')).to.eventually.be.rejectedWith(NameNotFoundError, /no resolver/)
      await expect(ens().resolve('empty.torplus.eth')).to.eventually.be.rejectedWith(NameNotFoundError, /neither/)
      await expect(ens().resolve('bad.torplus.eth')).to.eventually.be.rejectedWith(NameNotFoundError, /not an onion address/)
    })

    it('says when the registry is not there, and when ENS is not configured', async () => {
      await expect(ens({ ensRegistry: '0x000000000000000000000000000000000000dead' }).resolve('video.torplus.eth')).to.eventually.be.rejectedWith(NameServerError, /Names.EnsRegistry/)
      await expect(resolver({ dns: [] }).resolve('video.torplus.eth')).to.eventually.be.rejectedWith(NameLookupUnavailableError, /Names.EthRpc/)
    })

    it('survives a hostile JSON-RPC endpoint', async () => {
      const liar = await startHttp((_, response) => { response.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":"0xzz"}') })

      try {
        await expect(ens({ ethRpc: liar.url }).resolve('video.torplus.eth')).to.eventually.be.rejectedWith(NameServerError, /not a JSON-RPC result/)
      } finally {
        await liar.stop()
      }
    })
  })
})

/** A DoH handler whose answer never ends (until the client hangs up) */
function answerWithoutEnd (_: http.IncomingMessage, response: http.ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/dns-message' })
  const chunk = Buffer.alloc(16_384)
  const timer = setInterval(() => { if (!response.write(chunk)) { clearInterval(timer) } }, 1)
  response.once('close', () => { clearInterval(timer) })
}

/** A DoH handler that answers each query with a TXT record of evil.example */
function answerForAnotherName (record: string): http.RequestListener {
  return (request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const query = dnsPacket.decode(Buffer.concat(chunks))
      response.writeHead(200, { 'content-type': 'application/dns-message' }).end(dnsPacket.encode({
        type: 'response',
        id: query.id,
        questions: query.questions,
        answers: [{ type: 'TXT', name: 'evil.example', ttl: 60, data: [record] }]
      }))
    })
  }
}

/** An HTTP server on loopback that answers with `handler` and counts requests */
async function startHttp (handler: http.RequestListener): Promise<{ url: string, requests: number, stop(): Promise<void> }> {
  const state = { requests: 0 }
  const server = http.createServer((request, response) => {
    state.requests++
    handler(request, response)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dns-query`,
    get requests () { return state.requests },
    async stop () {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}
