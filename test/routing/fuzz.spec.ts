/**
 * The DHT's decoder, fuzzed on the wire: a peer sends any bytes and any
 * kad-dht message (records with any keys and values, peers with any
 * addresses) on TorPlus's DHT protocol. The node serves on, and answers a
 * well-formed query after.
 */
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import * as lp from 'it-length-prefixed'
import { DHT_PROTOCOL } from '../../src/routing/constants.js'
import { anyBytes, fuzz } from '../utils/fuzz.js'
import { startNode } from '../utils/payments.js'
import { field } from '../utils/protobuf.js'
import { createRepo } from '../utils/repo.js'
import type { RunningNode } from '../utils/payments.js'

/** kad-dht's Message: type (1), key (2), record (3: key, value), closer and provider peers (8, 9: id, addrs) */
const anyMessage = fc.record({
  type: fc.integer({ min: 0, max: 10 }),
  key: fc.uint8Array({ maxLength: 64 }),
  record: fc.option(fc.record({ key: fc.uint8Array({ maxLength: 64 }), value: fc.uint8Array({ maxLength: 512 }) }), { nil: undefined }),
  peers: fc.array(fc.record({ id: fc.uint8Array({ maxLength: 48 }), addrs: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }) }), { maxLength: 4 })
}).map(message => Uint8Array.from([
  8, message.type,
  ...field(2, message.key),
  ...(message.record == null ? [] : field(3, Uint8Array.from([...field(1, message.record.key), ...field(2, message.record.value)]))),
  ...message.peers.flatMap(peer => [...field(9, Uint8Array.from([...field(1, peer.id), ...peer.addrs.flatMap(addr => [...field(2, addr)])]))])
]))

describe('DHT, fuzzed', function () {
  this.timeout(120_000)
  let node: RunningNode
  let peer: RunningNode

  before(async () => {
    node = await startNode(await createRepo({ Routing: { Type: 'dhtserver' } }))
    peer = await startNode(await createRepo({ Routing: { Type: 'dhtserver' } }))
    await peer.node.helia.libp2p.dial(node.node.helia.libp2p.getMultiaddrs())
  })

  after(async () => {
    await peer?.stop()
    await node?.stop()
  })

  it('takes any bytes and any message on the DHT protocol and serves on', async () => {
    const input = fc.oneof(anyBytes.map(bytes => ({ raw: bytes })), anyMessage.map(message => ({ message })))

    await fuzz(input, async (sent) => {
      const stream = await peer.node.helia.libp2p.dialProtocol(node.node.helia.libp2p.peerId, DHT_PROTOCOL)
      stream.send('raw' in sent ? sent.raw : lp.encode.single(sent.message))
      await stream.close().catch(err => { stream.abort(err) })
    })

    expect(node.node.helia.libp2p.status).to.equal('started')
    const found = await peer.node.helia.libp2p.peerRouting.findPeer(node.node.helia.libp2p.peerId, { signal: AbortSignal.timeout(10_000) })
    expect(found.id.toString()).to.equal(node.node.helia.libp2p.peerId.toString())
  })
})
