/**
 * The popularity tracker through its public face: what counts (distinct
 * requesters per epoch), what does not (repeats, a peer past its cap, inner
 * blocks of DAGs we hold, the leaves of a walk, local demand in the remote
 * list), decay, and a snapshot that survives a restart and a corrupt one
 * that does not take the node down
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import * as dagPb from '@ipld/dag-pb'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { expect } from 'aegir/chai'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import pWaitFor from 'p-wait-for'
import { frequencyTracker, SNAPSHOT_FILE } from '../../src/frequency/index.js'
import { relayKey } from '../../src/payments/index.js'
import { tempDir } from '../utils/repo.js'
import type { BlockSource, FrequencyTracker, FrequencyTrackerInit } from '../../src/frequency/index.js'
import type { ComponentLogger, PeerId } from '@libp2p/interface'

const RAW = 0x55
const DAG_PB = 0x70

async function cid (codec = RAW): Promise<CID> {
  return CID.createV1(codec, await sha256.digest(crypto.randomBytes(32)))
}

async function peers (count: number): Promise<PeerId[]> {
  return Promise.all(Array.from({ length: count }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
}

/** A logger that keeps what is logged as an error */
function recordingLogger (errors: string[]): ComponentLogger {
  const logger = defaultLogger()

  return {
    forComponent (name) {
      const log = logger.forComponent(name)
      log.error = Object.assign((format: string, ...args: unknown[]) => { errors.push([format, ...args].join(' ')) }, { enabled: true }) as any
      return log
    }
  }
}

/** Small dimensions: the defaults take 48 MiB per tracker */
const SMALL = { sketchWidth: 2 ** 14, topK: 1000 }

async function startTracker (init: FrequencyTrackerInit = {}, logger: ComponentLogger = defaultLogger()): Promise<FrequencyTracker> {
  const tracker = frequencyTracker({ ...SMALL, ...init })({ logger })
  await tracker.start()
  return tracker
}

function requesters (tracker: FrequencyTracker, item: CID): number | undefined {
  return tracker.top({ limit: 1000 }).find(entry => entry.cid.multihash.bytes.toString() === item.multihash.bytes.toString())?.requesters
}

describe('popularity tracker', () => {
  let others: PeerId[]

  before(async () => {
    others = await peers(60)
  })

  it('counts each peer once per item per epoch, however often it asks', async () => {
    const tracker = await startTracker()
    const item = await cid(DAG_PB)

    for (let i = 0; i < 500; i++) {
      tracker.observeWants(others[0], [{ cid: item.bytes, have: false }])
    }

    tracker.observeProviderLookup(others[0], item.multihash.bytes)
    expect(requesters(tracker, item)).to.equal(1)

    for (const peer of others.slice(1, 5)) {
      tracker.observeWants(peer, [{ cid: item.bytes, have: false }])
    }

    expect(requesters(tracker, item)).to.equal(5)
    const [top] = tracker.top()
    expect(top.cid.code).to.equal(DAG_PB)
    expect(top.rootConfirmed).to.be.true('a DHT lookup names a root')
    expect(top.sources).to.deep.equal(['bitswap', 'dht'])
    await tracker.stop()
  })

  it('counts a flood of one peer\'s own CIDs for at most its cap, once each', async () => {
    const tracker = await startTracker({ perPeerCap: 100 })
    const popular = await cid(DAG_PB)

    for (const peer of others.slice(0, 3)) {
      tracker.observeWants(peer, [{ cid: popular.bytes, have: false }])
    }

    const flooder = others[10]
    const own = await Promise.all(Array.from({ length: 5000 }, async () => cid(DAG_PB)))

    for (let i = 0; i < own.length; i += 500) {
      tracker.observeWants(flooder, own.slice(i, i + 500).map(item => ({ cid: item.bytes, have: false })))
    }

    const top = tracker.top({ limit: 1000 })
    expect(top[0].cid.equals(CID.createV1(DAG_PB, popular.multihash))).to.be.true()
    // the flooder's items: at most its cap, each counted once
    expect(top.slice(1)).to.have.length.at.most(100)
    expect(top.slice(1).every(item => item.requesters <= 1)).to.be.true()
    expect(tracker.top({ minRequesters: 3 })).to.have.lengthOf(1)
    await tracker.stop()
  })

  it('counts a group of identities listing the same items once per identity', async () => {
    const tracker = await startTracker()
    const honest = await cid(DAG_PB)
    const sybil = await cid(DAG_PB)

    for (const peer of others.slice(0, 40)) {
      tracker.observeWants(peer, [{ cid: honest.bytes, have: false }])
    }

    // 20 identities, each asking 50 times, by wants and lookups
    for (const peer of others.slice(40, 60)) {
      for (let i = 0; i < 50; i++) {
        tracker.observeWants(peer, [{ cid: sybil.bytes, have: false }])
        tracker.observeProviderLookup(peer, sybil.multihash.bytes)
      }
    }

    expect(requesters(tracker, honest)).to.equal(40)
    expect(requesters(tracker, sybil)).to.equal(20)
    await tracker.stop()
  })

  it('takes the inner blocks of DAGs it holds, and the leaves of a walk, for volume only', async () => {
    const listeners: Array<(cid: CID, bytes: Uint8Array) => void> = []
    const blocks: BlockSource = { onPut: (listener) => { listeners.push(listener); return () => {} } }
    const tracker = await startTracker({ blocks })
    const [child1, child2] = [await cid(DAG_PB), await cid(DAG_PB)]
    const parent: Uint8Array = dagPb.encode({ Links: [{ Hash: child1, Tsize: 10 }, { Hash: child2, Tsize: 10 }] }) as Uint8Array
    const parentCid = CID.createV1(DAG_PB, await sha256.digest(parent))
    listeners.forEach(listener => { listener(parentCid, parent) })

    tracker.observeWants(others[0], [{ cid: parentCid.bytes, have: false }, { cid: child1.bytes, have: false }, { cid: child2.bytes, have: false }])

    // a walk of a DAG we do not hold: its structured root, then raw leaves
    const root = await cid(DAG_PB)
    const leaves = await Promise.all(Array.from({ length: 20 }, async () => cid(RAW)))
    tracker.observeWants(others[1], [{ cid: root.bytes, have: false }])
    tracker.observeWants(others[1], leaves.map(leaf => ({ cid: leaf.bytes, have: false })))

    const counted = tracker.top({ limit: 100 }).map(item => item.cid.multihash.bytes.toString())
    expect(counted).to.have.members([parentCid, root].map(item => item.multihash.bytes.toString()))
    await tracker.stop()
  })

  it('refuses what is not a CID or a multihash', async () => {
    const tracker = await startTracker()

    tracker.observeWants(others[0], [{ cid: Uint8Array.of(1, 2, 3), have: false }, { cid: new Uint8Array(300).fill(1), have: true }, { cid: Uint8Array.of(0x01, 0x55, 0x12, 0x20, 1), have: false }])
    tracker.observeProviderLookup(others[0], Uint8Array.of(0x12, 0x20, 1, 2))
    tracker.observeProviderLookup(others[0], new Uint8Array(0))

    expect(tracker.top()).to.be.empty()
    await tracker.stop()
  })

  it('does not count lookups of keys that name no content, such as the relays\' key', async () => {
    const relays = relayKey()
    const tracker = await startTracker({ notContent: [relays.multihash.bytes] })
    const item = await cid()

    for (const peer of others.slice(0, 10)) {
      tracker.observeProviderLookup(peer, relays.multihash.bytes)
      tracker.observeProviderLookup(peer, item.multihash.bytes)
    }

    expect(requesters(tracker, relays)).to.be.undefined()
    expect(requesters(tracker, item)).to.equal(10)
    await tracker.stop()
  })

  it('keeps local demand apart: never in the remote list', async () => {
    const tracker = await startTracker()
    const mine = await cid(DAG_PB)

    tracker.observeLocal(mine)
    tracker.observeLocal(mine)

    expect(tracker.top()).to.be.empty()
    const [local] = tracker.top({ local: true })
    expect(local.cid.equals(mine)).to.be.true()
    expect(local.requesters).to.equal(2)
    await tracker.stop()
  })

  it('halves every count each half-life, and counts a peer again in a new epoch', async () => {
    const tracker = await startTracker({ halfLife: 600, epoch: 150 })
    const item = await cid(DAG_PB)

    for (const peer of others.slice(0, 8)) {
      tracker.observeWants(peer, [{ cid: item.bytes, have: false }])
    }

    expect(requesters(tracker, item)).to.equal(8)
    await pWaitFor(() => (requesters(tracker, item) ?? 0) <= 4, { timeout: 5_000, interval: 20 })
    const halved = requesters(tracker, item) ?? 0
    expect(halved).to.be.within(2, 4)

    // two epochs later the pair filter has forgotten the first peer
    await new Promise(resolve => setTimeout(resolve, 400))
    const before = requesters(tracker, item) ?? 0
    tracker.observeWants(others[0], [{ cid: item.bytes, have: false }])
    expect(requesters(tracker, item)).to.equal(before + 1)
    await tracker.stop()
  })

  it('keeps its counts across a restart, and its secret seed with them', async () => {
    const dir = await tempDir()
    const tracker = await startTracker({ path: dir })
    const items = await Promise.all(Array.from({ length: 30 }, async () => cid(DAG_PB)))

    items.forEach((item, rank) => {
      for (const peer of others.slice(0, 30 - rank)) {
        tracker.observeWants(peer, [{ cid: item.bytes, have: false }])
      }
    })
    const before = tracker.top({ limit: 30 })
    const estimate = tracker.estimate(items[29].multihash.bytes)
    await tracker.stop()

    expect((await fs.stat(path.join(dir, SNAPSHOT_FILE))).mode & 0o777).to.equal(0o600)

    const again = await startTracker({ path: dir })
    expect(again.top({ limit: 30 }).map(item => [item.cid.toString(), item.requesters])).to.deep.equal(before.map(item => [item.cid.toString(), item.requesters]))
    expect(again.estimate(items[29].multihash.bytes)).to.equal(estimate)

    // counted on after the restart, by the same keys
    again.observeWants(others[40], [{ cid: items[29].bytes, have: false }])
    expect(requesters(again, items[29])).to.equal(2)
    await again.stop()
  })

  it('starts empty, and says so, on a snapshot that is damaged or cut short', async () => {
    const dir = await tempDir()
    const tracker = await startTracker({ path: dir })
    tracker.observeWants(others[0], [{ cid: (await cid()).bytes, have: false }])
    await tracker.stop()
    const file = path.join(dir, SNAPSHOT_FILE)
    const bytes = await fs.readFile(file)

    for (const damaged of [Buffer.concat([bytes.subarray(0, 100), Buffer.from([bytes[100] ^ 1]), bytes.subarray(101)]), bytes.subarray(0, bytes.byteLength - 9), Buffer.from('not a snapshot')]) {
      await fs.writeFile(file, damaged)
      const errors: string[] = []
      const restarted = await startTracker({ path: dir }, recordingLogger(errors))

      expect(restarted.top()).to.be.empty()
      expect(errors.join('\n')).to.match(/unreadable/)
      restarted.observeWants(others[1], [{ cid: (await cid()).bytes, have: false }])
      expect(restarted.top()).to.have.lengthOf(1)
      await restarted.stop()
    }
  })

  it('holds at most top-K items however many distinct CIDs it sees', async () => {
    const tracker = await startTracker({ topK: 100, perPeerCap: 100_000 })

    for (let round = 0; round < 20; round++) {
      const batch = await Promise.all(Array.from({ length: 1000 }, async () => cid()))
      tracker.observeWants(others[round], batch.map(item => ({ cid: item.bytes, have: false })))
    }

    expect(tracker.top({ limit: 1_000_000 })).to.have.lengthOf(100)
    await tracker.stop()
  })
})
