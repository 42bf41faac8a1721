/**
 * The extension's API (beside the payment gateway) with a real name
 * resolver against dnsmasq and ENS on a local chain: resolve, the
 * sites.torplus.com alias setupResolving makes, the book; and what it
 * refuses: web pages, rebound hosts, malformed and oversized input
 */
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import { MemoryDatastore } from 'datastore-core'
import { createExtensionApi } from '../../src/api/extension.js'
import { attentionBook } from '../../src/attention/index.js'
import { startEnsChain } from '../../src/devnet/ens-chain.js'
import { nameResolver } from '../../src/names/index.js'
import { createOnionKey } from '../../src/transport/index.js'
import { startDnsmasq } from '../utils/dnsmasq.js'
import type { AttentionBook } from '../../src/attention/index.js'
import type { EnsChain } from '../../src/devnet/ens-chain.js'
import type { NameResolver } from '../../src/names/index.js'
import type { PaymentEvent, PaymentService, StellarWallet } from '../../src/payments/index.js'
import type { DnsServer } from '../utils/dnsmasq.js'
import type { Hono } from 'hono'

const BASE = 'http://127.0.0.1:5102/api'

describe('extension API', function () {
  this.timeout(60_000)
  const site = createOnionKey().serviceId
  const video = createOnionKey().serviceId
  let dns: DnsServer
  let chain: EnsChain
  let names: NameResolver
  let app: Hono
  let attention: AttentionBook
  const events: PaymentEvent[] = []

  before(async () => {
    dns = await startDnsmasq('torplus.test', [{ name: 'torplus.blog.torplus.test', strings: [`torplus=${site}.onion`] }])
    chain = await startEnsChain()
    await chain.setName('video.torplus.eth', { text: `${video}.onion` })
    names = nameResolver({ dns: [dns.url], ethRpc: chain.rpc, ensRegistry: chain.registry, timeout: 5000 })({ logger: defaultLogger() })
    attention = attentionBook({ datastore: new MemoryDatastore() })({ logger: defaultLogger() })
    attention.start()
    app = createExtensionApi({
      names,
      attention,
      wallet: { balance: async () => ({ address: 'GABC', funded: true, native: 100_000_000n, asset: { code: 'TPT', issuer: 'GISSUER' }, assetBalance: 25_000_000n }) } as unknown as StellarWallet,
      assetCode: 'TPT',
      payments: () => ({ async * events () { yield * events } }) as unknown as PaymentService,
      status: async () => ({ version: '1.2.3', tor: { reachable: true, progress: 85, summary: 'Connecting to a relay' }, payments: true, proxy: '127.0.0.1:5103' }),
      siteCost: async (site) => ({ site, onion: `${video}.onion`, peer: undefined, paid: 1_234_567n, attention: 10_000n, bytes: 4096n }),
      log: defaultLogger().forComponent('test')
    })
  })

  after(async () => {
    await chain?.stop()
    await dns?.stop()
  })

  async function call (path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<{ status: number, body: any }> {
    const response = await app.request(`${BASE}${path}`, { ...init, headers: { Host: '127.0.0.1:5102', ...init.headers } })
    return { status: response.status, body: await response.json() }
  }

  async function resolve (hostname: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: any }> {
    return call('/resolver/resolve', { method: 'POST', body: JSON.stringify({ hostname }), headers: { 'Content-Type': 'application/json', ...headers } })
  }

  it('resolves TorPlus names, and answers other hosts as they are', async () => {
    expect(await resolve('torplus.blog.torplus.test')).to.deep.equal({ status: 200, body: { resolved: true, hostname: `${site}.onion` } })
    expect(await resolve('http://sites.torplus.com/#video')).to.deep.equal({ status: 200, body: { resolved: true, hostname: `${video}.onion` } })
    expect(await resolve('http://Example.com/page')).to.deep.equal({ status: 200, body: { resolved: false, hostname: 'example.com' } })
  })

  it('says which name has no onion, with a status per cause', async () => {
    const missing = await resolve('torplus.nowhere.torplus.test')
    expect(missing.status).to.equal(404)
    expect(missing.body.Code).to.equal('ERR_NAME_NOT_FOUND')
  })

  it('makes sites.torplus.com stand for the keyword the extension opened, until it opens another', async () => {
    const setup = await call('/resolver/setupResolving', { headers: { domainToResolve: 'sites.torplus.com', fragment: 'video' } })
    expect(setup).to.deep.equal({ status: 200, body: { resolved: true, hostname: `${video}.onion` } })
    expect((await resolve('sites.torplus.com')).body).to.deep.equal({ resolved: true, hostname: `${video}.onion` })
    expect((await names.resolve('http://sites.torplus.com/')).onion).to.equal(`${video}.onion`)

    const other = await call('/resolver/setupResolving', { headers: { domainToResolve: 'sites.torplus.com', fragment: 'nope' } })
    expect(other.status).to.equal(404)
    // a failed setup leaves the alias as it was
    expect((await resolve('sites.torplus.com')).body.hostname).to.equal(`${video}.onion`)

    // a domain that is a name itself resolves, and aliases nothing
    expect((await call('/resolver/setupResolving', { headers: { domainToResolve: 'torplus.blog.torplus.test' } })).body).to.deep.equal({ resolved: true, hostname: `${site}.onion` })
    expect((await call('/resolver/setupResolving', { headers: { domainToResolve: 'example.com' } })).body).to.deep.equal({ resolved: false, hostname: 'example.com' })
  })

  it('serves the book: balance, and history in bins of the asset it is paid in', async () => {
    const now = Date.now()
    events.push({ time: now - 1000, kind: 'request-sent', peer: 'p', amount: 10_000n, ref: '00' })

    const balance = await call('/book/balance')
    expect(balance.status).to.equal(200)
    expect(balance.body).to.include({ Address: 'GABC', AssetBalance: '2.5000000' })

    const history = await call('/book/history/TPT/24/12')
    expect(history.status).to.equal(200)
    expect(history.body.Commodity).to.equal('TPT')
    expect(history.body.Bucket).to.equal(2 * 3_600_000)
    expect(history.body.Buckets.reduce((sum: number, bucket: any) => sum + Number(bucket.RequestsSent), 0)).to.equal(1)

    expect((await call('/book/history/XLM/24/12')).status).to.equal(404)

    for (const bad of ['/book/history/TPT/0/12', '/book/history/TPT/24/0', '/book/history/TPT/24/100000', '/book/history/TPT/1e3/1', '/book/history/TPT/-1/1']) {
      expect((await call(bad)).status, bad).to.equal(400)
    }
  })

  it('refuses web pages and rebound hosts, and takes an extension or a local tool', async () => {
    expect((await resolve('torplus.blog.torplus.test', { Origin: 'https://evil.example' })).status).to.equal(403)
    expect((await resolve('torplus.blog.torplus.test', { Origin: 'null' })).status).to.equal(403)
    expect((await resolve('torplus.blog.torplus.test', { Host: 'evil.example:5102' })).status).to.equal(403)
    expect((await call('/resolver/setupResolving', { headers: { Origin: 'http://127.0.0.1:8080', domainToResolve: 'sites.torplus.com', fragment: 'video' } })).status).to.equal(403)
    expect((await resolve('torplus.blog.torplus.test', { Origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' })).status).to.equal(200)
  })

  it('answers hostile input with a clear error', async () => {
    for (const body of ['not json', '{"hostname": 5}', '{"hostname": ""}', `{"hostname": "${'a'.repeat(5000)}"}`, '{"hostname": "x", "more": 1}', '[]', 'null']) {
      const answer = await call('/resolver/resolve', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })
      expect(answer.status, body.slice(0, 40)).to.equal(400)
      expect(answer.body.Message).to.match(/hostname/)
    }

    const setups: Array<Record<string, string>> = [{ domainToResolve: '' }, { domainToResolve: 'a'.repeat(5000) }, { domainToResolve: 'sites.torplus.com', fragment: 'video', domainKey: 'torplus.blog.torplus.test' }]

    for (const headers of setups) {
      const answer = await call('/resolver/setupResolving', { headers })
      expect(answer.status).to.be.oneOf([200, 400])
    }
  })

  it('says how the node is, and what a site cost so far', async () => {
    expect(await call('/status')).to.deep.equal({ status: 200, body: { Version: '1.2.3', Tor: { Reachable: true, Progress: 85, Summary: 'Connecting to a relay' }, Payments: true, Proxy: '127.0.0.1:5103' } })
    expect(await call('/site/video.torplus.eth')).to.deep.equal({ status: 200, body: { Site: 'video.torplus.eth', Onion: `${video}.onion`, Peer: null, Paid: '0.1234567', Attention: '0.0010000', Bytes: '4096' } })

    for (const name of ['example.com', 'x'.repeat(3000), '%00']) {
      expect((await call(`/site/${name}`)).status, name.slice(0, 20)).to.equal(400)
    }
  })

  describe('attention', () => {
    async function report (hostname: unknown, seconds: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: any }> {
      return call('/attention', { method: 'POST', body: JSON.stringify({ hostname, seconds }), headers: { 'Content-Type': 'application/json', ...headers } })
    }

    it('records seconds per TorPlus site and day, under the name TorPlus knows it by', async () => {
      const day = new Date().toISOString().slice(0, 10)
      expect(await report('http://sites.torplus.com/#video', 30)).to.deep.equal({ status: 200, body: { Site: 'video.torplus.eth', Day: day, Seconds: 30 } })
      expect((await report('video.torplus.eth', 45)).body.Seconds).to.equal(75)
      expect((await report('http://torplus.blog.torplus.test/page', 10)).body.Site).to.equal('torplus.blog.torplus.test')

      expect(await call('/attention/7')).to.deep.equal({
        status: 200,
        body: {
          Sites: [
            { Site: 'video.torplus.eth', Seconds: 75, Days: [{ Day: day, Seconds: 75 }] },
            { Site: 'torplus.blog.torplus.test', Seconds: 10, Days: [{ Day: day, Seconds: 10 }] }
          ],
          // paying for attention is off
          Owed: []
        }
      })
    })

    it('refuses what is not a TorPlus site, times out of range, malformed bodies and web pages', async () => {
      for (const [hostname, seconds] of [['example.com', 10], ['video.torplus.eth', 0], ['video.torplus.eth', 601], ['video.torplus.eth', 1.5], ['video.torplus.eth', '10'], ['x'.repeat(3000), 10], [42, 10]]) {
        const refused = await report(hostname, seconds)
        expect(refused.status, `${String(hostname).slice(0, 20)} ${String(seconds)}`).to.equal(400)
      }

      const notJson = await call('/attention', { method: 'POST', body: '{', headers: { 'Content-Type': 'application/json' } })
      expect(notJson.status).to.equal(400)
      expect((await call('/attention/0')).status).to.equal(400)
      expect((await call('/attention/1e3')).status).to.equal(400)

      const page = await report('video.torplus.eth', 600, { Origin: 'https://evil.example' })
      expect(page.status).to.equal(403)
      expect((await call('/attention/1')).body.Sites.find((site: any) => site.Site === 'video.torplus.eth').Seconds).to.equal(75)
    })
  })
})
