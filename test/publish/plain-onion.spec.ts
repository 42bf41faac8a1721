/**
 * The first site over plain HTTP for visitors who cannot pay (what the
 * node's onion port 80 goes to): the site as it is while the shared free
 * allowance lasts, paced as it refills, then 503 with Retry-After; no new
 * allowance for a new connection; a flood of connections leaves it serving
 */
import crypto from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { expect } from 'aegir/chai'
import { MAX_PLAIN_CONNECTIONS } from '../../src/publish/index.js'
import { PlainOnionServer } from '../../src/publish/plain-onion.js'
import { serveDirectory } from '../../src/publish/static-server.js'
import { tempDir } from '../utils/repo.js'
import { rawGet } from '../utils/sites.js'
import type { StaticServer } from '../../src/publish/static-server.js'
import type { RawAnswer } from '../utils/sites.js'

const KiB = 1024
const MiB = 1024 * KiB

/** What a plain HTTP client gets for GET `path`: the raw bytes until the server closes */
async function visit (port: number, path: string): Promise<RawAnswer> {
  const socket = net.connect({ host: '127.0.0.1', port })
  await new Promise(resolve => socket.once('connect', resolve))
  return rawGet(socket, path, 'example.onion')
}

describe('a site for plain onion visitors', function () {
  this.timeout(120_000)
  let site: StaticServer
  let page: Buffer
  const servers: PlainOnionServer[] = []

  async function start (init: { capacity: number, refillRate: number, sitePort?(): number | undefined }): Promise<{ port: number, visits: Record<string, number>, sent(): number }> {
    const visits: Record<string, number> = {}
    let sent = 0
    const server = new PlainOnionServer({
      capacity: init.capacity,
      refillRate: init.refillRate,
      sitePort: init.sitePort ?? (() => site.port),
      log: defaultLogger().forComponent('test:plain-onion'),
      onVisit: outcome => { visits[outcome] = (visits[outcome] ?? 0) + 1 },
      onSent: bytes => { sent += bytes }
    })
    servers.push(server)
    return { port: await server.start(), visits, sent: () => sent }
  }

  before(async () => {
    const dir = await tempDir('torplus-plain-site-')
    page = crypto.randomBytes(4 * MiB)
    await writeFile(path.join(dir, 'index.html'), '<h1>hello</h1>')
    await writeFile(path.join(dir, 'big.bin'), page)
    site = await serveDirectory(dir, defaultLogger().forComponent('test:plain-onion:site'))
  })

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(async server => server.stop()))
  })

  after(async () => {
    await site?.close()
  })

  it('serves the site as it is within the allowance', async () => {
    const { port, visits, sent } = await start({ capacity: 16 * MiB, refillRate: 16 * KiB })
    const answer = await visit(port, '/big.bin')

    expect(answer.status).to.equal(200)
    expect(answer.body.equals(page)).to.be.true()
    expect(visits).to.deep.equal({ ok: 1 })
    expect(sent()).to.be.greaterThan(page.byteLength)
  })

  it('cuts a visit at the allowance, and answers the next visitor 503 with when to come back', async () => {
    // 100 bytes a second: the 16 KiB a visit needs are minutes away
    const { port, visits } = await start({ capacity: Number(MiB), refillRate: 100 })
    const first = await visit(port, '/big.bin')

    expect(first.status).to.equal(200)
    expect(first.body.byteLength).to.be.within(512 * KiB, Number(MiB))
    expect(first.body.equals(page.subarray(0, first.body.byteLength))).to.be.true()

    // a new connection (a new circuit) gets no new allowance
    const second = await visit(port, '/index.html')
    expect(second.status).to.equal(503)
    expect(second.headers).to.match(/Retry-After: \d+/)
    expect(second.body.toString()).to.include('run a torplus node')
    expect(visits).to.deep.equal({ ok: 1, allowance_used: 1 })
  })

  it('paces visitors to the refill rate once the allowance is spent', async () => {
    const { port } = await start({ capacity: 256 * KiB, refillRate: Number(MiB) })
    const started = Date.now()
    const answer = await visit(port, '/big.bin')

    expect(answer.body.byteLength).to.equal(page.byteLength)
    expect(answer.body.equals(page)).to.be.true()
    // 4 MiB less the first 256 KiB, at 1 MiB/s
    expect(Date.now() - started).to.be.at.least(3_000)
  })

  it('says when no site is published, or its server is down', async () => {
    const none = await start({ capacity: MiB, refillRate: 0, sitePort: () => undefined })
    expect((await visit(none.port, '/')).status).to.equal(404)

    const closed = net.createServer()
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
    const deadPort = (closed.address() as net.AddressInfo).port
    await new Promise<void>(resolve => closed.close(() => { resolve() }))
    const down = await start({ capacity: MiB, refillRate: 0, sitePort: () => deadPort })
    expect((await visit(down.port, '/')).status).to.equal(502)
  })

  it('drops connections past its limit and serves on', async () => {
    const { port } = await start({ capacity: 16 * MiB, refillRate: 0 })
    let dropped = 0
    // connections that never send a request hold their place
    const idle = await Promise.all(Array.from({ length: 200 }, async () => new Promise<net.Socket>(resolve => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { resolve(socket) })
      socket.on('error', () => {})
      socket.once('close', () => { dropped++ })
    })))
    await new Promise(resolve => setTimeout(resolve, 500))

    expect(dropped).to.equal(200 - MAX_PLAIN_CONNECTIONS)
    idle.forEach(socket => socket.destroy())
    await new Promise(resolve => setTimeout(resolve, 200))
    expect((await visit(port, '/index.html')).status).to.equal(200)
  })
})
