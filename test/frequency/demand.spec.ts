/**
 * Demand as a provider sees it, between real nodes on loopback: a client's
 * fetch counts its root once (the leaves of a DAG the provider holds count
 * for volume only), a GET_PROVIDERS request counts its key, and a peer that
 * floods wants, sends bytes that are not bitswap, or asks again and again
 * gets no more than its cap, while the node serves on. The counts survive
 * a restart.
 */
import crypto from 'node:crypto'
import { lpStream } from '@libp2p/utils'
import { expect } from 'aegir/chai'
import all from 'it-all'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import pWaitFor from 'p-wait-for'
import { BITSWAP_PROTOCOL } from '../../src/bitswap/constants.js'
import { cat } from '../../src/core/cat.js'
import { DHT_PROTOCOL } from '../../src/routing/index.js'
import { startNode } from '../utils/payments.js'
import { wantlistMessage } from '../utils/protobuf.js'
import { createRepo } from '../utils/repo.js'
import { createRoguePeer } from '../utils/rogue.js'
import type { RunningNode } from '../utils/payments.js'
import type { Libp2p } from '@libp2p/interface'

const GET_PROVIDERS = 3
/** Small sketch and top-K: tests run many nodes in one process */
const FREQUENCY = { SketchWidth: 16_384, TopK: 1000, PerPeerCap: 500 }

async function randomCids (count: number, codec = 0x70): Promise<CID[]> {
  return Promise.all(Array.from({ length: count }, async () => CID.createV1(codec, await sha256.digest(crypto.randomBytes(16)))))
}

describe('demand seen by a provider', function () {
  this.timeout(120_000)
  let provider: RunningNode
  let providerRepo: string
  let client: RunningNode
  let rogue: Libp2p

  async function send (protocol: string, message: Uint8Array): Promise<void> {
    const stream = await rogue.dialProtocol(provider.node.helia.libp2p.peerId, protocol)
    await lpStream(stream).write(message)
    await stream.close().catch(() => {})
  }

  async function metric (name: string): Promise<string> {
    return (await provider.node.registry.metrics()).split('\n').filter(line => line.startsWith(name)).join('\n')
  }

  const tracker = (): NonNullable<RunningNode['node']['services']['frequency']> => {
    const found = provider.node.services.frequency

    if (found == null) {
      expect.fail('the provider tracks no demand')
    }

    return found
  }

  before(async () => {
    providerRepo = await createRepo({ Frequency: FREQUENCY })
    provider = await startNode(providerRepo)
    client = await startNode(await createRepo({ Frequency: FREQUENCY }))
    await client.node.helia.libp2p.dial(provider.node.helia.libp2p.getMultiaddrs())
    rogue = await createRoguePeer()
    await rogue.dial(provider.node.helia.libp2p.getMultiaddrs())
  })

  after(async () => {
    await rogue?.stop()
    await client?.stop()
    await provider?.stop()
  })

  it('counts a fetch by its root, once per peer, and not the blocks under it', async () => {
    const root = await provider.node.fs.addBytes(crypto.randomBytes(3 * 1024 * 1024 + 10))
    const blocks = await all(provider.node.helia.blockstore.getAll())
    expect(blocks.length).to.be.above(1, 'a DAG of several blocks')

    await all(await cat(client.node, { cid: root, path: '' }, { signal: AbortSignal.timeout(30_000) }))
    // the same want again from the same peer, in the same epoch, counts nothing
    await send(BITSWAP_PROTOCOL, wantlistMessage([root]))
    await send(BITSWAP_PROTOCOL, wantlistMessage([root]))

    await pWaitFor(() => tracker().top().length > 0, { timeout: 10_000 })
    const top = tracker().top({ limit: 100 })
    expect(top.map(item => item.cid.multihash.bytes.toString())).to.deep.equal([root.multihash.bytes.toString()])
    await pWaitFor(() => tracker().top()[0].requesters === 2, { timeout: 10_000 })
    expect(tracker().top()[0].sources).to.deep.equal(['bitswap'])
    expect(await metric('torplus_frequency_observations_total')).to.match(/kind="bitswap_inner"\} [1-9]/)
  })

  it('counts the key of a GET_PROVIDERS request as a confirmed root', async () => {
    const [looked] = await randomCids(1)
    const key = looked.multihash.bytes
    await send(DHT_PROTOCOL, Uint8Array.of(0x08, GET_PROVIDERS, 0x12, key.byteLength, ...key))

    await pWaitFor(() => tracker().top({ limit: 100 }).some(item => item.cid.multihash.bytes.toString() === key.toString()), { timeout: 10_000 })
    const item = tracker().top({ limit: 100 }).find(item => item.cid.multihash.bytes.toString() === key.toString())
    expect(item?.sources).to.deep.equal(['dht'])
    expect(item?.rootConfirmed).to.be.true()
  })

  it('gives a peer that floods wants for its own CIDs no more than its cap, and serves on', async () => {
    const before = tracker().top({ limit: 1000 }).length

    for (let round = 0; round < 10; round++) {
      await send(BITSWAP_PROTOCOL, wantlistMessage(await randomCids(1000)))
    }

    // bytes that are not bitswap, and a want list that does not decode
    await send(BITSWAP_PROTOCOL, crypto.randomBytes(4000)).catch(() => {})
    await send(BITSWAP_PROTOCOL, Uint8Array.of(0x0a, 0x03, 0x0a, 0x7f, 0x00)).catch(() => {})

    await pWaitFor(async () => /reason="cap"\} [1-9]/.test(await metric('torplus_frequency_dropped_total')), { timeout: 20_000 })
    const counted = tracker().top({ limit: 1000 }).length - before
    expect(counted).to.be.at.most(FREQUENCY.PerPeerCap)
    // none of them has more requesters than the root two peers fetched
    expect(tracker().top({ minRequesters: 2 }).map(item => item.requesters)).to.deep.equal([2])

    const cid = await provider.node.fs.addBytes(crypto.randomBytes(1024))
    const bytes = await all(await cat(client.node, { cid, path: '' }, { signal: AbortSignal.timeout(30_000) }))
    expect(bytes.reduce((sum, chunk) => sum + chunk.byteLength, 0)).to.equal(1024)
  })

  it('keeps its counts across a restart', async () => {
    const before = tracker().top({ limit: 1000 }).map(item => item.cid.toString())
    await provider.stop()
    provider = await startNode(providerRepo)

    expect(tracker().top({ limit: 1000 }).map(item => item.cid.toString())).to.deep.equal(before)
  })
})
