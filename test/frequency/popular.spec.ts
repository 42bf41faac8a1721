/**
 * /torplus/popular/1.0.0 between real nodes on loopback: what is published
 * (remote demand with enough requesters, counts rounded, nothing local,
 * what we hold flagged), not-modified answers, a peer asking too often, a
 * node that opts out; and lists from a hostile peer: oversized, malformed,
 * longer than asked, with entries that are not CIDs, or never sent
 */
import crypto from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { expect } from 'aegir/chai'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { POPULAR_PROTOCOL, roundDown } from '../../src/frequency/index.js'
import { PopularResponse } from '../../src/frequency/pb/popular.js'
import { startNode } from '../utils/payments.js'
import { createRepo } from '../utils/repo.js'
import { createRoguePeer } from '../utils/rogue.js'
import type { FrequencyTracker, PopularListService } from '../../src/frequency/index.js'
import type { RunningNode } from '../utils/payments.js'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'

const FREQUENCY = { SketchWidth: 16_384, TopK: 1000 }

async function cid (): Promise<CID> {
  return CID.createV1(0x70, await sha256.digest(crypto.randomBytes(32)))
}

function services (running: RunningNode): { frequency: FrequencyTracker, popular: PopularListService } {
  const { frequency, popular } = running.node.services

  if (frequency == null || popular == null) {
    expect.fail('the node tracks and trades no lists')
  }

  return { frequency, popular }
}

describe('/torplus/popular/1.0.0', function () {
  this.timeout(120_000)
  let provider: RunningNode
  let asker: RunningNode
  let requesters: PeerId[]
  let popular: CID[]
  let rare: CID
  let held: CID

  before(async () => {
    provider = await startNode(await createRepo({ Frequency: FREQUENCY }))
    asker = await startNode(await createRepo({ Frequency: FREQUENCY }))
    await asker.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
    requesters = await Promise.all(Array.from({ length: 12 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))

    // items wanted by 12, 11, ... 3 peers; one by 2; one we hold, by 5
    popular = await Promise.all(Array.from({ length: 10 }, async () => cid()))
    rare = await cid()
    // a file of several blocks: its root is dag-pb, as the other items (a raw CID wanted right after them reads as a leaf of a walk)
    held = await provider.node.fs.addBytes(crypto.randomBytes(2 * 1024 * 1024 + 10))
    const { frequency } = services(provider)

    popular.forEach((item, rank) => {
      requesters.slice(0, 12 - rank).forEach(peer => { frequency.observeWants(peer, [{ cid: item.bytes, have: false }]) })
    })
    requesters.slice(0, 2).forEach(peer => { frequency.observeWants(peer, [{ cid: rare.bytes, have: false }]) })
    requesters.slice(0, 5).forEach(peer => { frequency.observeWants(peer, [{ cid: held.bytes, have: false }]) })
    frequency.observeLocal(await cid())
  })

  after(async () => {
    await asker?.stop()
    await provider?.stop()
  })

  it('publishes remote demand with enough requesters, rounded, and flags what it holds', async () => {
    const list = await services(asker).popular.ask(provider.node.helia.libp2p.peerId)
    const byCid = new Map(list.entries.map(entry => [entry.cid.toString(), entry]))

    expect(list.entries).to.have.lengthOf(11)
    expect(list.malformed).to.equal(0)
    popular.forEach((item, rank) => {
      expect(byCid.get(item.toString())?.requesters).to.equal(roundDown(12 - rank))
    })
    expect(byCid.has(rare.toString())).to.be.false('two requesters are fewer than Frequency.MinRequesters')
    expect(byCid.get(held.toString())?.held).to.be.true()
    expect(byCid.get(popular[0].toString())?.held).to.be.false()
    expect(list.halfLife).to.equal(86_400_000)
    expect([...list.entries].sort((a, b) => b.requesters - a.requesters).map(entry => entry.requesters)).to.deep.equal(list.entries.map(entry => entry.requesters))
  })

  it('answers a peer once per ten minutes', async () => {
    await expect(services(asker).popular.ask(provider.node.helia.libp2p.peerId)).to.eventually.be.rejected()
    // and serves on: another peer still gets the list
    const other = await startNode(await createRepo({ Frequency: FREQUENCY }))

    try {
      await other.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
      const list = await services(other).popular.ask(provider.node.helia.libp2p.peerId, { limit: 3, ifNewerThan: 0 })
      expect(list.entries).to.have.lengthOf(3)
    } finally {
      await other.stop()
    }
  })

  it('says not modified to a peer that has the list already', async () => {
    const other = await startNode(await createRepo({ Frequency: FREQUENCY }))

    try {
      await other.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
      const list = await services(other).popular.ask(provider.node.helia.libp2p.peerId, { ifNewerThan: Date.now() + 60_000 })
      expect(list.notModified).to.be.true()
      expect(list.entries).to.be.empty()
    } finally {
      await other.stop()
    }
  })

  it('publishes nothing with Frequency.Publish false', async () => {
    const quiet = await startNode(await createRepo({ Frequency: { ...FREQUENCY, Publish: false } }))

    try {
      await asker.node.helia.libp2p.dial(quiet.node.helia.libp2p.getMultiaddrs())
      await expect(services(asker).popular.ask(quiet.node.helia.libp2p.peerId)).to.eventually.be.rejected.with.property('name', 'UnsupportedProtocolError')
    } finally {
      await quiet.stop()
    }
  })

  describe('a hostile list', () => {
    let rogue: Libp2p
    let answer: (stream: Stream) => Promise<void>

    before(async () => {
      rogue = await createRoguePeer()
      await rogue.handle(POPULAR_PROTOCOL, async (stream) => {
        await lpStream(stream).read()
        await answer(stream)
      })
      await asker.node.helia.libp2p.dial(rogue.getMultiaddrs())
    })

    after(async () => {
      await rogue?.stop()
    })

    const ask = async (options = {}): Promise<unknown> => services(asker).popular.ask(rogue.peerId, { signal: AbortSignal.timeout(3_000), ...options })

    it('over 64 KiB is refused', async () => {
      answer = async (stream) => {
        const entries = Array.from({ length: 1000 }, () => ({ cid: crypto.randomBytes(100), requesters: 9, dagSize: 0n, flags: 0 }))
        await lpStream(stream, { maxDataLength: 1 << 20 }).write(PopularResponse.encode({ snapshotTime: 1n, halfLifeS: 1, notModified: false, entries }))
      }

      await expect(ask()).to.eventually.be.rejected()
    })

    it('that does not decode is refused', async () => {
      answer = async (stream) => { await lpStream(stream).write(Uint8Array.of(0x22, 0x7f, 0x01)) }
      await expect(ask()).to.eventually.be.rejected()
    })

    it('longer than asked for is refused', async () => {
      answer = async (stream) => {
        const entries = await Promise.all(Array.from({ length: 5 }, async () => ({ cid: (await cid()).bytes, requesters: 9, dagSize: 0n, flags: 0 })))
        await lpStream(stream).write(PopularResponse.encode({ snapshotTime: 1n, halfLifeS: 1, notModified: false, entries }))
      }

      await expect(ask({ limit: 4 })).to.eventually.be.rejected()
      expect(((await ask({ limit: 5 })) as { entries: unknown[] }).entries).to.have.lengthOf(5)
    })

    it('keeps only its entries that are CIDs', async () => {
      const good = await cid()
      answer = async (stream) => {
        const entries = [{ cid: good.bytes }, { cid: Uint8Array.of(1, 2, 3) }, { cid: good.toV0().bytes }, { cid: new Uint8Array(0) }]
        await lpStream(stream).write(PopularResponse.encode({ snapshotTime: 1n, halfLifeS: 1, notModified: false, entries: entries.map(entry => ({ ...entry, requesters: 3, dagSize: 0n, flags: 0 })) }))
      }

      const list = await ask() as { entries: Array<{ cid: CID }>, malformed: number }
      expect(list.entries.map(entry => entry.cid.toString())).to.deep.equal([good.toString()])
      expect(list.malformed).to.equal(3)
    })

    it('that never comes ends at the deadline', async () => {
      answer = async () => { await new Promise(resolve => setTimeout(resolve, 10_000)) }
      const started = Date.now()
      await expect(ask()).to.eventually.be.rejected().with.property('name', 'TimeoutError')
      expect(Date.now() - started).to.be.within(2_500, 9_000)
    })
  })

  it('resets a request that is not one, and serves on', async () => {
    const rogue = await createRoguePeer({ listen: false })

    try {
      await rogue.dial(provider.node.helia.libp2p.getMultiaddrs())
      const stream = await rogue.dialProtocol(provider.node.helia.libp2p.peerId, POPULAR_PROTOCOL)
      // a length over the request limit
      await lpStream(stream).write(crypto.randomBytes(1000))
      await expect(lpStream(stream).read({ signal: AbortSignal.timeout(5_000) })).to.eventually.be.rejected()
      expect(services(provider).frequency.top()).to.not.be.empty()
    } finally {
      await rogue.stop()
    }
  })
})
