/**
 * A daemon's HTTP decoders, fuzzed: multipart bodies to `add`, any text as a
 * CID or path to the RPC and the gateway, and directories whose entries
 * have any names to `get`. Each answer is a status code, never a crash; a
 * tar never holds a name that climbs out; the daemon serves on.
 */
import * as dagPb from '@ipld/dag-pb'
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { UnixFS } from 'ipfs-unixfs'
import { extract } from 'it-tar'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { startDaemonWithPublisher } from '../utils/daemon.js'
import { fuzz } from '../utils/fuzz.js'
import { request } from '../utils/http.js'
import { createRepo } from '../utils/repo.js'
import type { DaemonWithPublisher, RunningDaemon } from '../utils/daemon.js'
import type { HeliaWithLibp2p } from '@helia/libp2p'

/** A multipart body: parts with any headers, names and content, some well-formed, some not */
const anyMultipart = fc.record({
  boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/),
  parts: fc.array(fc.record({
    name: fc.oneof(fc.constantFrom('file', 'dir', 'file-1', 'file?mode=0644&mtime=1'), fc.string({ maxLength: 40 })),
    filename: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('a.txt', 'dir%2Fb', '%FF', '..', 'a%2F..%2F..%2Fb')),
    type: fc.constantFrom('application/octet-stream', 'application/x-directory', 'text/plain'),
    content: fc.uint8Array({ maxLength: 512 })
  }), { maxLength: 4 }),
  tail: fc.constantFrom('--\r\n', '', '\r\n', 'garbage')
}).map(({ boundary, parts, tail }) => ({
  type: `multipart/form-data; boundary=${boundary}`,
  body: Buffer.concat([
    ...parts.map(part => Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`),
      part.content,
      Buffer.from('\r\n')
    ])),
    Buffer.from(`--${boundary}${tail}`)
  ])
}))

/** Text a client might pass for a CID or a path */
const anyPath = fc.oneof(
  fc.string({ maxLength: 120 }),
  // CIDs that resolve at once (identity), so nothing waits on the network
  fc.constantFrom('/ipfs/', 'ipfs://', 'bafkqaaa', 'bafkqaaa/../..', 'Qm', '/ipns/x', '%00', 'ipfs://bafkqaaa', '/ipfs/bafkqaaa/x', 'bafkqaaa?x=1'),
  fc.string({ maxLength: 40 }).map(tail => `bafkqaaa/${tail}`)
)

describe('HTTP surfaces, fuzzed', function () {
  this.timeout(180_000)
  let running: DaemonWithPublisher
  let daemon: RunningDaemon
  let publisher: HeliaWithLibp2p<any>
  let api: string

  before(async () => {
    ({ daemon, publisher } = running = await startDaemonWithPublisher(await createRepo({ Gateway: { RetrievalTimeout: 1_000 } })))
    api = `${daemon.apiUrl}/api/v0`
  })

  after(async () => {
    await running?.stop()
  })

  const alive = async (): Promise<void> => {
    expect((await daemon.client.id()).id.toString()).to.equal(daemon.peerId)
    expect(daemon.output()).to.not.include('escaped its handler')
  }

  it('answers any multipart body to add with a status, never a crash', async () => {
    await fuzz(anyMultipart, async ({ type, body }) => {
      const answer = await request(`${api}/add?pin=false`, { headers: { 'Content-Type': type }, body })
      expect(answer.status).to.be.oneOf([200, 400, 413])
    })

    await alive()
  })

  it('answers any CID or path with a status, on the RPC API and the gateway', async () => {
    await fuzz(anyPath, async (path) => {
      for (const endpoint of ['cat', 'get', 'files/stat', 'pin/add']) {
        const answer = await request(`${api}/${endpoint}?arg=${encodeURIComponent(path)}`)
        // a path is the client's to get right: a 4xx, with what is wrong
        expect(answer.status, `${endpoint} ${path}: ${answer.body}`).to.be.within(200, 499)
      }

      const gateway = await request(`${daemon.gatewayUrl}/ipfs/${encodeURIComponent(path)}`, { method: 'GET' })
      expect(gateway.status, path).to.be.within(200, 599)
    })

    await alive()
  })

  it('never writes a name that climbs out into a tar, whatever a directory calls its entries', async () => {
    const file = new Uint8Array([1, 2, 3])
    const fileCid = CID.createV1(raw.code, await sha256.digest(file))
    await publisher.blockstore.put(fileCid, file)

    await fuzz(fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('..', '.', '', 'a/b', '../x', '\\..\\x', 'x\0y')), { minLength: 1, maxLength: 4 }), async (names) => {
      const links = names.map(name => ({ Name: name, Hash: fileCid, Tsize: 3 }))
      let bytes: Uint8Array

      try {
        bytes = dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'directory' }).marshal(), Links: links })) as any
      } catch {
        return
      }

      const dir = CID.createV1(dagPb.code, await sha256.digest(bytes))
      await publisher.blockstore.put(dir, bytes)
      const answer = await request(`${api}/get?arg=${dir}`)

      if (answer.status !== 200) {
        expect(answer.status, JSON.stringify(names)).to.be.within(400, 599)
        return
      }

      for await (const entry of extract()([Buffer.from(answer.body, 'latin1')])) {
        const parts = entry.header.name.split('/')
        expect(parts[0], JSON.stringify(names)).to.equal(dir.toString())
        expect(parts.slice(1).every(part => part !== '' && part !== '.' && part !== '..'), JSON.stringify(names)).to.be.true()

        for await (const chunk of entry.body) { void chunk }
      }
    })

    await alive()
  })
})
