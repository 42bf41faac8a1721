/**
 * A TorPlus site over onion, on a private tor network with the local
 * ledger: node1 publishes a directory, its TXT record (dnsmasq on loopback)
 * names node1's onion, and a browser's request through node2's proxy (the
 * daemon's own proxy code) fetches it by name, node1 billing node2 for the
 * bytes and node2 paying; a stock Tor Browser visitor gets the site at
 * node1's onion within the one free allowance all such visitors share;
 * node2's user pays node1 for attention to the site, found by its name; no
 * socket of this process leaves loopback
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import pWaitFor from 'p-wait-for'
import { startProxy } from '../../src/api/proxy.js'
import { toApiSettings } from '../../src/config/index.js'
import { TorNetwork } from '../../src/devnet/tor-network.js'
import { PLAIN_ONION_PORT } from '../../src/publish/index.js'
import { toStroops } from '../../src/stellar/index.js'
import { socksConnect } from '../../src/transport/socks.js'
import { startDnsmasq } from '../utils/dnsmasq.js'
import { createOnionPaidRepo, startNode, startPaymentLedger } from '../utils/payments.js'
import { tempDir } from '../utils/repo.js'
import { rawGet } from '../utils/sites.js'
import { expectLoopbackOnly } from '../utils/sockets.js'
import type { ProxyServer } from '../../src/api/proxy.js'
import type { DnsServer } from '../utils/dnsmasq.js'
import type { PaymentLedger, RunningNode } from '../utils/payments.js'
import type { RawAnswer } from '../utils/sites.js'
import type { Connection } from '@libp2p/interface'

const MiB = 1024 * 1024
const PRICE = '0.0100000'
/** 10,000 stroops a minute */
const ATTENTION_PRICE = '0.0010000'

describe('a TorPlus site over onion', function () {
  this.timeout(400_000)
  let network: TorNetwork
  let ledger: PaymentLedger
  let dns: DnsServer
  let node1: RunningNode
  let node2: RunningNode
  let proxy: ProxyServer
  let page: Buffer
  let connected: Connection

  before(async () => {
    const dir = await tempDir('torplus-e2e-sites-')
    network = new TorNetwork({ dir: path.join(dir, 'network'), logger: defaultLogger() })
    await network.start()
    ledger = await startPaymentLedger()
    node1 = await startNode(await createOnionPaidRepo(ledger, network, {
      Payments: { PricePerMiB: PRICE },
      Publish: { PlainAllowance: '1MiB', PlainRefillRate: 0 },
      Bitswap: { FreeAllowance: '1MiB', AllowanceRefreshRate: 0, PaymentThreshold: '0.0200000', BillAhead: '0.0100000', CreditLimit: '0.0800000', DisconnectLimit: '0.1200000' }
    }))
    dns = await startDnsmasq('site.test', [{ name: 'torplus.www.site.test', strings: [`torplus=${node1.repo.onionKey.serviceId}.onion`] }])
    node2 = await startNode(await createOnionPaidRepo(ledger, network, { Payments: { MaxPricePerMiB: PRICE, AttentionPricePerMinute: ATTENTION_PRICE }, Names: { Dns: [dns.url] } }))
    proxy = await startProxy(node2.node, toApiSettings(node2.repo.config))

    const site = path.join(dir, 'www')
    await fs.mkdir(site)
    page = crypto.randomBytes(16 * MiB)
    await fs.writeFile(path.join(site, 'index.html'), page)
    await fs.writeFile(path.join(site, 'small.html'), 'small')
    connected = await node2.node.helia.libp2p.dial(node1.node.helia.libp2p.getMultiaddrs(), { signal: AbortSignal.timeout(120_000) })
    await node1.node.services.sites.publish({ dir: site, name: 'torplus.www.site.test' })
  })

  /** GET `url` through node2's proxy, as a browser set to use it sends it */
  async function getThrough (url: string): Promise<Buffer> {
    const [host, port] = proxy.address.split(':')
    return new Promise<Buffer>((resolve, reject) => {
      http.get({ host, port: Number(port), path: url, signal: AbortSignal.timeout(300_000) }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => { response.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${response.statusCode}: ${Buffer.concat(chunks).toString()}`)) })
        // a body cut short says how far it came, rather than waiting for the test's timeout
        response.once('error', (err) => { reject(new Error(`the body broke off after ${Buffer.concat(chunks).byteLength} bytes: ${err.message}`)) })
      }).once('error', reject)
    })
  }

  /** What a stock Tor Browser gets for `path` at node1's onion, port 80, through node2's tor */
  async function plainVisit (target: string): Promise<RawAnswer> {
    const socks = node2.node.tor?.socks
    const host = `${node1.repo.onionKey.serviceId}.onion`

    if (socks == null) {
      throw new Error('node2 runs no tor')
    }

    const socket = await socksConnect({ proxy: socks, destination: { host, port: PLAIN_ONION_PORT }, timeout: 60_000, isolation: `plain-${Math.random()}` })
    return rawGet(socket, target, host, 120_000)
  }

  after(async () => {
    await proxy?.close()
    await node2?.stop()
    await node1?.stop()
    await dns?.stop()
    await ledger?.local.stop()
    await network?.stop()
  })

  it('fetches the site by name through node2\'s proxy, billed and paid, and opens no socket off loopback', async () => {
    const started = Date.now()
    const body = await getThrough('http://torplus.www.site.test/')
    const seconds = (Date.now() - started) / 1000

    expect(body.equals(page)).to.be.true()
    defaultLogger().forComponent('test:sites-onion')('16 MiB by name through the proxy over onion in %d s', seconds)

    const peer = node2.node.helia.libp2p.peerId.toString()
    await pWaitFor(() => (node1.creditGate?.view(peer).unpaid ?? toStroops('1')) < toStroops('0.0200000'), { timeout: 60_000 })
    const received = node1.payments.peers().find(p => p.peer === peer)?.fromPeer?.received ?? 0n
    // 15 MiB past the allowance at 0.01 a MiB, within a bill
    expect(Number(received)).to.be.within(Number(toStroops('0.13')), Number(toStroops('0.17')))
    const paid = node2.payments.peers().find(p => p.peer === node1.node.helia.libp2p.peerId.toString())?.toPeer?.paid ?? 0n
    expect(paid).to.equal(received)

    await expectLoopbackOnly(process.pid)
  })

  it('sends each request by name on the connection node2 has to node1: the name gives an onion only, and libp2p dials an address without its peer anew', async () => {
    let opened = 0
    const count = (): void => { opened++ }
    node1.node.helia.libp2p.addEventListener('connection:open', count)

    try {
      for (let i = 0; i < 3; i++) {
        expect((await getThrough('http://torplus.www.site.test/small.html')).toString()).to.equal('small')
      }
    } finally {
      node1.node.helia.libp2p.removeEventListener('connection:open', count)
    }

    expect(opened).to.equal(0)
  })

  it('published the site without publishing the onion anew: the connection made before is the one in use', async () => {
    expect(connected.status).to.equal('open')
    expect(node2.node.helia.libp2p.getConnections(node1.node.helia.libp2p.peerId).map(connection => connection.id)).to.include(connected.id)
  })

  it('pays node1 for the attention node2\'s user gave its site, found by the site\'s name, on the connection in use', async () => {
    const { attention } = node2.node.services
    const node1Id = node1.node.helia.libp2p.peerId.toString()
    const node2Id = node2.node.helia.libp2p.peerId.toString()
    const before = { received: node1.payments.books.payee(node2Id).received, paid: node2.payments.books.payer(node1Id).paid }
    await attention.record('http://torplus.www.site.test/index.html', 90)

    const round = await attention.pay()
    expect(round).to.deep.equal([{ site: 'torplus.www.site.test', offered: 15_000n, paid: 15_000n, peer: node1Id, error: undefined }])
    // billed with the bytes node1 was owed by then
    const payer = node2.payments.books.payer(node1Id)
    const payee = node1.payments.books.payee(node2Id)
    expect([payer.attention, payee.attention]).to.deep.equal([15_000n, 15_000n])
    expect(payer.paid - before.paid >= 15_000n, 'the offer was paid').to.equal(true)
    expect(payee.received - before.received).to.equal(payer.paid - before.paid)
    expect(await attention.owed()).to.deep.equal([{ site: 'torplus.www.site.test', owed: 15_000n, paid: 15_000n }])
    expect(connected.status).to.equal('open')
  })

  it('serves a Tor Browser visitor at node1\'s onion within the free allowance, and no more to a new circuit', async () => {
    const first = await plainVisit('/')

    expect(first.status).to.equal(200)
    // node1's allowance: 1 MiB, refilling at 0
    expect(first.body.byteLength).to.be.within(512 * 1024, MiB)
    expect(first.body.equals(page.subarray(0, first.body.byteLength))).to.be.true()

    const second = await plainVisit('/')
    expect(second.status).to.equal(503)
    expect(second.body.toString()).to.include('run a torplus node')
  })
})
