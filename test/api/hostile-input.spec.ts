/**
 * A daemon attacked through its HTTP surfaces and with DAGs a publisher
 * crafted: every bad request fails with a 4xx or 5xx and a message that
 * says what is wrong, and the daemon serves on
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import * as dagPb from '@ipld/dag-pb'
import { expect } from 'aegir/chai'
import { UnixFS } from 'ipfs-unixfs'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { identity } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'
import { torplus } from '../utils/cli.js'
import { startDaemon, startDaemonWithPublisher } from '../utils/daemon.js'
import { multipart, request } from '../utils/http.js'
import { createRepo } from '../utils/repo.js'
import type { DaemonWithPublisher, RunningDaemon } from '../utils/daemon.js'
import type { HeliaWithLibp2p } from '@helia/libp2p'

async function pbNode (data: Uint8Array | undefined, links: dagPb.PBLink[]): Promise<{ cid: CID, bytes: Uint8Array }> {
  const bytes: Uint8Array = dagPb.encode(dagPb.prepare({ Data: data, Links: links })) as any
  return { cid: CID.createV1(dagPb.code, await sha256.digest(bytes)), bytes }
}

const directory = (): Uint8Array => new UnixFS({ type: 'directory' }).marshal()

describe('hostile input', function () {
  this.timeout(120_000)
  let running: DaemonWithPublisher
  let daemon: RunningDaemon
  let publisher: HeliaWithLibp2p<any>
  let api: string

  async function alive (): Promise<void> {
    expect((await daemon.client.id()).id.toString()).to.equal(daemon.peerId)
    expect(daemon.output()).to.not.include('escaped its handler')
  }

  async function publish (bytes: Uint8Array, cid?: CID): Promise<CID> {
    const key = cid ?? CID.createV1(raw.code, await sha256.digest(bytes))
    await publisher.blockstore.put(key, bytes)
    return key
  }

  before(async () => {
    ({ daemon, publisher } = running = await startDaemonWithPublisher(await createRepo({ Gateway: { RetrievalTimeout: 5_000 }, Datastore: { StorageMax: '2MB' } })))
    api = `${daemon.apiUrl}/api/v0`
  })

  after(async () => {
    await running?.stop()
  })

  describe('add', () => {
    const cases: Array<[string, string, string, RegExp]> = [
      ['a part name that is not URL-encoding', 'file', '%E0%A4%A', /not a URL-encoded path/],
      ['an mtime that is not a number', 'file?mtime=abc', 'x.txt', /mtime must be whole seconds/],
      ['a mode that is not octal', 'file?mode=rwx', 'x.txt', /mode must be an octal file mode/],
      ['mtime-nsecs past a second', 'file?mtime=1&mtime-nsecs=1000000000', 'x.txt', /mtime-nsecs must be nanoseconds/],
      ['a path that climbs out', 'file', 'dir%2F..%2F..%2Fetc', /may not contain "\." or "\.\." segments/],
      ['a path with a NUL', 'file', 'a%00b', /NUL characters/]
    ]

    cases.forEach(([what, field, filename, message]) => {
      it(`refuses ${what} with a 400`, async () => {
        const { headers, body } = multipart(field, filename)
        const answer = await request(`${api}/add`, { headers, body })
        expect(answer.status).to.equal(400)
        expect(JSON.parse(answer.body).Message).to.match(message)
        await alive()
      })
    })

    it('refuses a malformed multipart body with a 400', async () => {
      const answer = await request(`${api}/add`, { headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' }, body: Buffer.from('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nunterminated') })
      expect(answer.status).to.equal(400)
      expect(JSON.parse(answer.body).Message).to.match(/malformed multipart body/)
      await alive()
    })

    it('refuses an add past the quota with a 413, counting what blocks take on disk', async () => {
      // 600 two-byte chunks are 1200 bytes of data and 2.4 MB of files
      const { headers, body } = multipart('file', 'tiny.bin', crypto.randomBytes(1200))
      const answer = await request(`${api}/add?chunker=size-2`, { headers, body })
      expect(answer.status).to.equal(413)
      expect(JSON.parse(answer.body).Message).to.match(/storage quota exceeded/)

      const stat = await daemon.client.repo.stat()
      expect(Number(stat.repoSize)).to.be.at.most(2_000_000)
      expect(Number(stat.repoSize)).to.be.at.least(Number(stat.numObjects) * 4096)
      await alive()
      await all(daemon.client.repo.gc())
    })
  })

  describe('pin add and the gateway, of DAGs a publisher crafted', () => {
    const crafted: Record<string, () => Promise<CID>> = {
      'an identity CID with an unknown codec': async () => CID.createV1(0x300001, identity.digest(Buffer.from('abc'))),
      'an identity CID with a 10 KB digest': async () => CID.createV1(raw.code, identity.digest(new Uint8Array(10_000))),
      'a directory linking to a block of an unknown codec': async () => {
        const child = await publish(Buffer.from('strange'), CID.createV1(0x300001, await sha256.digest(Buffer.from('strange'))))
        const dir = await pbNode(directory(), [{ Name: 'strange', Hash: child, Tsize: 7 }])
        return publish(dir.bytes, dir.cid)
      },
      'a directory linking to malformed dag-pb': async () => {
        const junk = Buffer.from([0xff, 0xff, 0xff, 0x01])
        const child = await publish(junk, CID.createV1(dagPb.code, await sha256.digest(junk)))
        const dir = await pbNode(directory(), [{ Name: 'junk', Hash: child, Tsize: 4 }])
        return publish(dir.bytes, dir.cid)
      }
    }

    Object.entries(crafted).forEach(([what, make]) => {
      it(`fails pin add of ${what} and a CAR of it, and serves on`, async () => {
        const cid = await make()
        const pinned = await request(`${api}/pin/add?arg=${cid}`)
        expect(pinned.status).to.be.within(400, 599)
        expect(JSON.parse(pinned.body).Message).to.match(/codec|identity digest|malformed/)
        expect((await all(daemon.client.pin.ls())).map(pin => pin.cid.toString())).to.not.include(cid.toString())

        const car = await request(`${daemon.gatewayUrl}/ipfs/${cid}?format=car`, { method: 'GET' })
        expect(car.status).to.be.within(400, 599)
        await alive()
      })
    })

    it('refuses to get a directory with an entry named .., before sending a byte', async () => {
      const file = await publish(Buffer.from('not yours'))

      for (const name of ['..', 'a/../../b', '.']) {
        const dir = await pbNode(directory(), [{ Name: name, Hash: file, Tsize: 9 }])
        await publish(dir.bytes, dir.cid)
        const answer = await request(`${api}/get?arg=${dir.cid}`)
        expect(answer.status, name).to.equal(400)
        expect(JSON.parse(answer.body).Message).to.include('is not a plain file name')
      }

      await alive()
    })
  })

  describe('an error after the 200', () => {
    let broken: CID

    before(async () => {
      // a file whose second leaf is not what it claims: the first streams, then the read fails
      const first = await publish(crypto.randomBytes(1000))
      const junk = Buffer.from([0xff, 0xff, 0xff, 0x01])
      const second = await publish(junk, CID.createV1(dagPb.code, await sha256.digest(junk)))
      const file = new UnixFS({ type: 'file', blockSizes: [1000n, 1000n] })
      const root = await pbNode(file.marshal(), [{ Hash: first, Tsize: 1000 }, { Hash: second, Tsize: 1000 }])
      broken = await publish(root.bytes, root.cid)
    })

    it('is named in the X-Stream-Error trailer to a client that reads trailers', async () => {
      const answer = await request(`${api}/cat?arg=${broken}`, { headers: { TE: 'trailers' } })
      expect(answer.status).to.equal(200)
      expect(answer.body.length).to.equal(1000)
      expect(answer.trailers['x-stream-error']).to.be.a('string').and.not.equal('')
      await alive()
    })

    it('cuts the body short for any other client, so the answer is never taken as complete', async () => {
      const answer = await request(`${api}/cat?arg=${broken}`)
      expect(answer.status).to.equal(200)
      expect(answer.cut).to.be.true()

      const cli = await torplus(['cat', broken.toString()], { repo: daemon.repo })
      expect(cli.code).to.not.equal(0)
      await alive()
    })

    it('the gateway cuts a body that stalls for Gateway.RetrievalTimeout, never leaving it open', async () => {
      // the second leaf exists nowhere
      const first = await publish(crypto.randomBytes(1000))
      const missing = CID.createV1(raw.code, await sha256.digest(crypto.randomBytes(1000)))
      const root = await pbNode(new UnixFS({ type: 'file', blockSizes: [1000n, 1000n] }).marshal(), [{ Hash: first, Tsize: 1000 }, { Hash: missing, Tsize: 1000 }])
      await publish(root.bytes, root.cid)

      const answer = await request(`${daemon.gatewayUrl}/ipfs/${root.cid}`, { method: 'GET' })
      expect(answer.status).to.equal(200)
      expect(answer.body.length).to.be.below(2000)
      expect(answer.cut).to.be.true()
      await alive()
    })
  })

  describe('numbers', () => {
    it('takes integers in decimal digits only', async () => {
      const cid = (await daemon.client.add('0123456789')).cid

      for (const offset of ['1e3', '0x10', ' 1', '1.5', '-1']) {
        const answer = await request(`${api}/cat?arg=${cid}&offset=${encodeURIComponent(offset)}`)
        expect(answer.status, offset).to.equal(400)
      }

      expect((await torplus(['cat', cid.toString(), '--offset', '0x1'], { repo: daemon.repo })).code).to.not.equal(0)
      expect((await torplus(['cat', cid.toString(), '--offset', '2'], { repo: daemon.repo })).stdout).to.equal('23456789')
    })

    it('refuses an offset past the end before answering', async () => {
      const cid = (await daemon.client.add('0123456789')).cid
      const answer = await request(`${api}/cat?arg=${cid}&offset=11`)
      expect(answer.status).to.equal(400)
      expect(JSON.parse(answer.body).Message).to.match(/past the end/)
    })

    it('refuses a duration past 2^31 ms instead of firing at once', async () => {
      const result = await torplus(['id', '--timeout', '30000000s'], { repo: daemon.repo })
      expect(result.code).to.not.equal(0)
      expect(result.stderr).to.match(/--timeout must be a duration/)

      const set = await torplus(['config', 'set', 'Payments.SettleInterval', '3000000000', '--json'], { repo: daemon.repo })
      expect(set.code).to.not.equal(0)
    })
  })

  describe('loopback servers', () => {
    it('answer only Host names that cannot be rebound to them', async () => {
      const gateway = (await request(`${daemon.apiUrl}/api/v0/id`)).status
      expect(gateway).to.equal(200)
      const payments = daemon.output().match(/Payment gateway listening on (http:\/\/\S+)\/api\/v1/)?.[1] ?? ''

      for (const url of [`${api}/config/show`, `${daemon.gatewayUrl}/ipfs/bafkqaaa`, `${payments}/api/v1/balance`]) {
        const port = new URL(url).port
        const rebound = await request(url, { method: url.includes('/api/v0/') ? 'POST' : 'GET', headers: { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` } })
        expect(rebound.status, url).to.equal(403)
        expect(rebound.body).to.not.include('Identity')

        const local = await request(url, { method: url.includes('/api/v0/') ? 'POST' : 'GET', headers: { Host: `localhost:${port}` } })
        expect(local.status, url).to.not.equal(403)
      }
    })

    it('serve a page of another site from local blocks only: it cannot make the node fetch and pay', async () => {
      const content = crypto.randomBytes(5000)
      const cid = await publish(content)
      const before = (await daemon.client.repo.stat()).numObjects

      const crossSite: Array<Record<string, string>> = [{ Origin: 'http://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }]

      for (const headers of crossSite) {
        const answer = await request(`${daemon.gatewayUrl}/ipfs/${cid}`, { method: 'GET', headers })
        expect(answer.status).to.equal(404)
        expect(answer.body).to.match(/a page on another site cannot make the node fetch it/)
      }

      expect((await daemon.client.repo.stat()).numObjects).to.equal(before)

      // the node's own clients may fetch
      const own = await request(`${daemon.gatewayUrl}/ipfs/${cid}`, { method: 'GET' })
      expect(own.status).to.equal(200)
      expect(Buffer.from(own.body, 'latin1')).to.deep.equal(content)
    })
  })

  describe('the payment gateway token', () => {
    it('is made anew when the file is blank, and a short one stops the daemon from starting', async () => {
      const repo = await createRepo()
      const token = path.join(repo, 'keystore', 'gateway.token')
      await fs.mkdir(path.dirname(token), { recursive: true })
      await fs.writeFile(token, '  \n', { mode: 0o600 })

      const fresh = await startDaemon(repo)
      await fresh.stop()
      expect((await fs.readFile(token, 'utf8')).trim()).to.match(/^[0-9a-f]{64}$/)

      await fs.writeFile(token, 'abc\n', { mode: 0o600 })
      await expect(startDaemon(repo)).to.eventually.be.rejectedWith(/fewer than 32 characters/)
    })
  })
})
