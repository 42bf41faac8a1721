/**
 * Published sites between nodes on loopback, paid on the local ledger: a
 * directory (index, types, ranges, ETags, nothing outside it) and a local
 * web server reached through `/torplus/site/1.0.0` tunnels; billed as
 * bitswap is, a client that pays is paid for what it received and one that
 * does not is throttled then refused; sites survive a restart; hostile
 * openers gain nothing and the node serves on
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { pbStream } from '@libp2p/utils'
import { expect } from 'aegir/chai'
import pWaitFor from 'p-wait-for'
import { priceOf } from '../../src/payments/index.js'
import { SITE_PROTOCOL, SiteRefusedError } from '../../src/publish/index.js'
import { SiteOpen, SiteOpened } from '../../src/publish/pb/site.js'
import { toStroops } from '../../src/stellar/index.js'
import { SCALED_BILLING, untilRefused } from '../utils/metering.js'
import { createPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import { createRepo, tempDir } from '../utils/repo.js'
import { requestThrough } from '../utils/sites.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { AddressInfo } from 'node:net'

const MiB = 1024 * 1024
const PRICE = '0.0100000'

describe('published sites', function () {
  this.timeout(240_000)
  let ledger: PaymentLedger
  let publisher: RunningNode
  let site: string
  let big: Buffer
  let web: http.Server

  before(async () => {
    ledger = await startPaymentLedger()
    publisher = await startNode(await createPaidRepo(ledger, {
      Payments: { PricePerMiB: PRICE, SettleAmount: '1000' },
      Bitswap: { ...SCALED_BILLING, ThrottleRate: 256 * 1024 }
    }))

    site = await tempDir('torplus-site-')
    big = crypto.randomBytes(48 * MiB)
    await fs.writeFile(path.join(site, 'index.html'), '<h1>hello</h1>')
    await fs.writeFile(path.join(site, 'big.bin'), big)
    await fs.writeFile(path.join(site, '.secret'), 'keys')
    await fs.mkdir(path.join(site, 'docs'))
    await fs.writeFile(path.join(site, 'docs', 'index.htm'), 'docs')
    await fs.writeFile(path.join(path.dirname(site), 'outside.txt'), 'not published')

    web = http.createServer((request, response) => { response.writeHead(200, { 'Content-Type': 'text/plain' }).end(`app saw ${request.method} ${request.url} for ${request.headers.host}`) })
    await new Promise<void>(resolve => web.listen(0, '127.0.0.1', resolve))

    await publisher.node.services.sites.publish({ dir: site, name: 'torplus.files.test' })
    await publisher.node.services.sites.publish({ target: `http://127.0.0.1:${(web.address() as AddressInfo).port}`, name: 'torplus.app.test' })
  })

  after(async () => {
    await publisher?.stop()
    await ledger?.local.stop()
    web?.close()
  })

  async function get (client: RunningNode, name: string, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Awaited<ReturnType<typeof requestThrough>>> {
    const tunnel = await client.node.services.sites.open(publisher.node.helia.libp2p.getMultiaddrs()[0], name, { signal: AbortSignal.timeout(30_000) })
    return requestThrough(tunnel, target, { headers, method, host: name })
  }

  describe('what a site serves', () => {
    let client: RunningNode

    before(async () => {
      client = await startNode(await createPaidRepo(ledger, { Payments: { MaxPricePerMiB: PRICE } }))
    })

    after(async () => {
      await client?.stop()
    })

    it('serves a directory: index files, content types, ranges, ETags, HEAD', async () => {
      const index = await get(client, 'torplus.files.test', '/')
      expect(index.status).to.equal(200)
      expect(index.body.toString()).to.equal('<h1>hello</h1>')
      expect(index.headers['content-type']).to.match(/^text\/html/)
      expect((await get(client, 'torplus.files.test', '/docs/')).body.toString()).to.equal('docs')

      const range = await get(client, 'torplus.files.test', '/big.bin', { Range: 'bytes=100-199' })
      expect(range.status).to.equal(206)
      expect(range.body.equals(big.subarray(100, 200))).to.be.true()

      const etag = index.headers.etag ?? ''
      expect(etag).to.not.equal('')
      expect((await get(client, 'torplus.files.test', '/', { 'If-None-Match': etag })).status).to.equal(304)

      const head = await get(client, 'torplus.files.test', '/big.bin', {}, 'HEAD')
      expect(head.headers['content-length']).to.equal(String(big.byteLength))
      expect(head.body.byteLength).to.equal(0)
    })

    it('serves nothing outside the directory, no dotfiles, and reads only', async () => {
      for (const target of ['/../outside.txt', '/%2e%2e/outside.txt', '/.secret', '/docs/../../outside.txt', '/nothing']) {
        const answer = await get(client, 'torplus.files.test', target)
        expect(answer.status, target).to.be.oneOf([400, 403, 404])
        expect(answer.body.toString()).to.not.include('not published').and.not.include('keys')
      }

      expect((await get(client, 'torplus.files.test', '/', {}, 'POST')).status).to.equal(405)
    })

    it('forwards to a local web server by the name asked, Host as the browser sent it', async () => {
      const answer = await get(client, 'torplus.app.test', '/path?q=1')
      expect(answer.body.toString()).to.equal('app saw GET /path?q=1 for torplus.app.test')
    })

    it('says when the node publishes no site of that name', async () => {
      await expect(client.node.services.sites.open(publisher.node.helia.libp2p.getMultiaddrs()[0], 'torplus.other.test')).to.eventually.be.rejectedWith(SiteRefusedError, /NO_SITE/)
    })

    it('bills a client that pays for the bytes it received, and never refuses it', async () => {
      const peer = client.node.helia.libp2p.peerId.toString()
      const answer = await get(client, 'torplus.files.test', '/big.bin')
      expect(answer.body.equals(big)).to.be.true()
      await pWaitFor(() => (publisher.creditGate?.view(peer).unpaid ?? 0n) < toStroops('0.1'), { timeout: 60_000 })

      const served = publisher.peerTraffic.get(peer).bytesSent
      const received = publisher.payments.peers().find(p => p.peer === peer)?.fromPeer?.received ?? 0n
      const due = priceOf(served - (publisher.creditGate?.view(peer).freeBytes ?? 0n), toStroops(PRICE))
      expect(Number(served)).to.be.greaterThan(big.byteLength)
      // paid within what one bill ahead covers
      expect(Number(received + (publisher.creditGate?.view(peer).unpaid ?? 0n) - due)).to.be.within(0, Number(toStroops('0.0800000')) + 10)
      expect(publisher.creditGate?.view(peer).status).to.not.equal('refused')
    })
  })

  it('throttles then refuses a client that does not pay, on HTTP as on bitswap', async () => {
    // a node with no payments configured cannot pay
    const client = await startNode(await createRepo({ Routing: { Type: 'none' } }))

    try {
      const peer = client.node.helia.libp2p.peerId.toString()
      const fetching = get(client, 'torplus.files.test', '/big.bin').catch(err => err)
      const { statuses, refusedAt } = await untilRefused(publisher, peer, { timeout: 180_000 })

      expect(statuses).to.deep.equal(['free', 'owing', 'throttled', 'refused'])
      expect(Number(refusedAt)).to.be.within(41 * MiB, 44 * MiB)
      // a new tunnel is held, then refused, while it does not pay
      await expect(client.node.services.sites.open(publisher.node.helia.libp2p.getMultiaddrs()[0], 'torplus.files.test', { signal: AbortSignal.timeout(5_000) })).to.eventually.be.rejected()
      await client.stop()
      await fetching
    } finally {
      await client.stop().catch(() => {})
    }
  })

  it('keeps its sites across a restart, and lists and removes them', async () => {
    const repo = await createRepo({ Routing: { Type: 'none' } })
    let node = await startNode(repo)
    await node.node.services.sites.publish({ dir: site })
    await node.stop()

    node = await startNode(repo)

    try {
      const [only] = node.node.services.sites.list()
      expect(only).to.include({ dir: site, available: true })

      const client = await startNode(await createRepo({ Routing: { Type: 'none' } }))

      try {
        // the node's only site answers whatever name was asked
        const tunnel = await client.node.services.sites.open(node.node.helia.libp2p.getMultiaddrs()[0], '')
        expect((await requestThrough(tunnel, '/')).body.toString()).to.equal('<h1>hello</h1>')
      } finally {
        await client.stop()
      }

      await node.node.services.sites.unpublish(only.id)
      expect(node.node.services.sites.list()).to.be.empty()
    } finally {
      await node.stop()
    }
  })

  it('refuses what cannot be published, each with its reason', async () => {
    const sites = publisher.node.services.sites
    await expect(sites.publish({ dir: 'relative/dir' })).to.eventually.be.rejectedWith(/absolute/)
    await expect(sites.publish({ dir: path.join(site, 'index.html') })).to.eventually.be.rejectedWith(/not a directory/)
    await expect(sites.publish({ target: 'http://192.0.2.1:80' })).to.eventually.be.rejectedWith(/local web server/)
    await expect(sites.publish({ target: 'https://127.0.0.1:8443' })).to.eventually.be.rejectedWith(/local web server/)
    await expect(sites.publish({ dir: site, name: 'example.com' })).to.eventually.be.rejectedWith(/not a TorPlus name/)
    await expect(sites.publish({ dir: site, target: 'http://127.0.0.1:1' })).to.eventually.be.rejectedWith(/one of them/)
    await expect(sites.publish({ dir: path.join(site, 'docs'), name: 'torplus.files.test' })).to.eventually.be.rejectedWith(/published already/)
  })

  it('gains a hostile opener nothing: garbage, an oversized or missing name, a flood of tunnels', async () => {
    const client = await startNode(await createRepo({ Routing: { Type: 'none' } }))

    try {
      const libp2p = client.node.helia.libp2p
      const address = publisher.node.helia.libp2p.getMultiaddrs()[0]

      const garbage = await libp2p.dialProtocol(address, SITE_PROTOCOL)
      garbage.send(crypto.randomBytes(4096))
      const oversized = pbStream(await libp2p.dialProtocol(address, SITE_PROTOCOL))
      await oversized.write({ name: 'x'.repeat(5000) }, { encode: SiteOpen.encode })
      // one that never names a site is closed at OPEN_TIMEOUT, and holds nothing meanwhile
      await libp2p.dialProtocol(address, SITE_PROTOCOL)

      // open tunnels up to the limit: the next is refused, the node serves on
      const tunnels = []
      for (let i = 0; i < 32; i++) {
        tunnels.push(await client.node.services.sites.open(address, 'torplus.app.test'))
      }

      await expect(client.node.services.sites.open(address, 'torplus.app.test')).to.eventually.be.rejected()
      tunnels.forEach(tunnel => tunnel.destroy())
      await pWaitFor(async () => client.node.services.sites.open(address, 'torplus.app.test').then(tunnel => { tunnel.destroy(); return true }, () => false), { timeout: 10_000, interval: 200 })

      const raw = pbStream(await libp2p.dialProtocol(address, SITE_PROTOCOL))
      await raw.write({ name: 'torplus.app.test' }, { encode: SiteOpen.encode })
      const answer = await raw.read({ decode: (data) => SiteOpened.decode(data.subarray()) })
      expect(answer.status).to.equal(SiteOpened.Status.OK)
    } finally {
      await client.stop()
    }
  })
})
